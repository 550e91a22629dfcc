//! The README's first command: the bundled example, adapted and run.

use support::*;

#[test]
fn bundled_example_runs_and_matches_native() {
    let module = wat::parse_str(verify::EXAMPLE_WAT).unwrap();
    let invocation = Invocation::new("hello.wat").args(["one", "two"]).env("GREETING", "hi");
    let comparison = compare(&Case::new("example", module, invocation));
    assert_identical_to_native(&comparison);
    assert_eq!(
        stdout(comparison.ours()),
        "Hello from a preview1 program, running as a WASI 0.2 component.\n\
         argument: hello.wat\nargument: one\nargument: two\nenvironment: GREETING=hi\n"
    );
}
