//! libFuzzer target: the bytes choose a random valid module (wasm-smith, as
//! `cargo verify fuzz-prepare` configures it); the module run as it is and
//! as `prepare` rewrote it, with the adapter's functions stood in, must do
//! the same, and the prepared module must validate. Anything else is a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;
use verify::fuzz::prepare_pass::{self, Summary, Verdict};

fuzz_target!(|data: &[u8]| {
    // Too few bytes for wasm-smith to finish a module: not a case.
    let Ok((module, _)) = prepare_pass::generate(data) else { return };
    let mut summary = Summary::default();
    match prepare_pass::check(&module, &mut summary) {
        Ok(Verdict::Different(why)) => panic!("the prepared module differs from the original: {why}"),
        Ok(_) => {}
        Err(error) => panic!("run the module: {error:#}"),
    }
});
