//! Modules that import more than WASI: a C program calling a host function
//! (`host.triple`), linked by `adapt` with a second adapter for the `host`
//! module, as `wasm-tools component new --adapt host=FILE` links it. The
//! adapter turns the call into an import of the WIT interface
//! `test:host/numbers`; native p1 gets the same function from its embedder.

use support::*;
use verify::hosts::in_process;
use wasip1_adapter::adapt::{self, Options};

const NUMBERS: &str =
    "package test:host;\n\ninterface numbers {\n    triple: func(x: u32) -> u32;\n}\n\nworld host-adapter {\n    import numbers;\n}\n";

/// The adapter for the `host` module: `triple` is the interface's.
fn host_adapter() -> Vec<u8> {
    let mut module = wat(r#"(module
        (import "test:host/numbers" "triple" (func $triple (param i32) (result i32)))
        (func (export "triple") (param i32) (result i32) (call $triple (local.get 0))))"#);
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("numbers.wit", NUMBERS).unwrap();
    let world = resolve.select_world(&[package], Some("host-adapter")).unwrap();
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8, false).unwrap();
    module
}

fn triple(x: u32) -> u32 {
    x.wrapping_mul(3)
}

#[test]
fn a_second_import_module_served_by_its_own_adapter() {
    let module = c_guest("host_functions");
    let invocation = Invocation::new("host_functions").args(["one"]);

    let native_pre = in_process::link_p1_extended(&in_process::module(&module).unwrap(), |linker| {
        linker.func_wrap("host", "triple", |x: u32| triple(x))?;
        Ok(())
    })
    .unwrap();
    let native = in_process::run_p1_linked(&native_pre, &invocation).unwrap();
    assert_eq!(native.status, Status::Exited(0));
    assert_eq!(native.stdout_text(), "host.triple(14) = 42, sum over 1..10 = 165, 2 arguments\n");

    let adapter = host_adapter();
    let other_adapters = [("host", adapter.as_slice())];
    for preparation in [verify::Preparation::Auto, verify::Preparation::Never] {
        let options = Options { preparation, other_adapters: &other_adapters, ..Options::default() };
        let component = adapt::adapt(&module, &options).unwrap_or_else(|error| panic!("adapt: {error}")).component;
        let pre = in_process::link_component_extended(&in_process::component(&component).unwrap(), |linker| {
            linker.instance("test:host/numbers")?.func_wrap("triple", |_, (x,): (u32,)| Ok((triple(x),)))?;
            Ok(())
        })
        .unwrap();
        let ours = in_process::run_component_linked(&pre, &invocation).unwrap();
        assert_eq!(ours.status, native.status, "{preparation:?}: {}", ours.stderr_text());
        assert_eq!(ours.stdout, native.stdout, "{preparation:?}");
        assert_eq!(ours.stderr, native.stderr, "{preparation:?}");
    }

    // Without the second adapter there is nothing to link `host` with.
    let error = adapt::adapt(&module, &Options::default()).expect_err("`host` has no adapter");
    assert!(format!("{error:#}").contains("host"), "{error:#}");
}
