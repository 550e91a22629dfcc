//! libFuzzer target: a driver program (the bytes the driver guest
//! interprets, tests/guests/src/bin/fuzz_driver) runs under native p1 and
//! under ours, plain or on the prepared guest as the fuzzer chooses; any
//! difference no accepted entry explains, and any trap of ours, is a crash.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use verify::fuzz::{Fuzzer, Subject};

#[derive(Arbitrary, Debug)]
enum Build {
    Plain,
    Prepared,
}

#[derive(Arbitrary, Debug)]
struct Case {
    build: Build,
    program: Vec<u8>,
}

fn fuzzer() -> &'static Fuzzer {
    static FUZZER: OnceLock<Fuzzer> = OnceLock::new();
    FUZZER.get_or_init(|| Fuzzer::new().unwrap_or_else(|error| panic!("set up the fuzzer: {error:#}")))
}

fuzz_target!(|case: Case| {
    let subject = match case.build {
        Build::Plain => Subject::Ours,
        Build::Prepared => Subject::OursPrepared,
    };
    let check = fuzzer().check(&case.program, &[subject]).unwrap_or_else(|error| panic!("run the driver: {error:#}"));
    if !check.ours_ok() {
        panic!("divergence from native p1:\n{}", check.render());
    }
});
