//! args_get, args_sizes_get, environ_get, environ_sizes_get.

use support::*;

#[test]
fn arguments_and_environment_match_native() {
    let comparison = compare_guest("args_env", &[], |invocation| {
        invocation
            .args(["plain", "", "with space", "ünïcödé ✓", "tab\there", "=", "--flag=value"])
            .env("EMPTY", "")
            .env("PATH", "/usr/bin:/bin")
            .env("UNICODE", "ĉu ŝi")
            .env("EQUALS", "a=b=c")
    });
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains(r#"args[4] at +27: "ünïcödé ✓""#), "{}", stdout(comparison.ours()));
    note_upstream(&comparison);
}

#[test]
fn no_arguments_beyond_the_name_and_no_environment() {
    let comparison = compare_guest("args_env", &[], |invocation| invocation);
    assert_identical_to_native(&comparison);
    assert!(stdout(comparison.ours()).contains("environ: count=0 buf_size=0"));
}

/// 100,000 arguments of more than 1 MiB in all, and an environment of more
/// than 64 KiB: upstream keeps the pointer array in a fixed buffer and traps;
/// ours puts it on its own heap.
#[test]
fn a_hundred_thousand_arguments_and_a_large_environment() {
    let args: Vec<String> = (0..100_000).map(|i| format!("argument-{i:07}")).collect();
    let mut invocation = Invocation::new("big_args").args(args);
    for i in 0..2_000 {
        invocation = invocation.env(format!("VARIABLE_{i:05}"), "x".repeat(40));
    }
    let comparison = compare(&Case::new("big_args", guest("big_args"), invocation));
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert!(out.contains("args: count=100001"), "{out}");
    let size: usize = out.split("args: count=100001 buf_size=").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(size > 1 << 20, "the arguments total {size} bytes");
    assert!(out.contains(r#"args: last entry "argument-0099999""#), "{out}");
    assert!(out.contains("environ: count=2000"), "{out}");
    note_upstream(&comparison);
}

/// A Rust program on std, as users write them: arguments, environment,
/// stderr.
#[test]
fn rust_hello_world_with_args_and_env() {
    let comparison = compare_guest("hello_std", &["first", "second"], |invocation| invocation.env("GREETING", "hi"));
    assert_identical_to_native(&comparison);
    let out = stdout(comparison.ours());
    assert!(out.starts_with("hello, world\narg 0: hello_std\narg 1: first\narg 2: second\n"), "{out}");
    assert!(out.contains("env GREETING=hi"), "{out}");
    assert_eq!(stderr(comparison.ours()), "a line on stderr\n");
    note_upstream(&comparison);
}

/// `std::process::exit(7)` and `(42)`: the code reaches the host unchanged,
/// as under native p1 (upstream 50.0.1 collapses it to 1).
#[test]
fn rust_exit_code_is_exact() {
    for code in ["7", "42"] {
        let comparison = compare_guest("hello_std", &[], |invocation| invocation.env("EXIT_CODE", code));
        assert_identical_to_native(&comparison);
        assert_eq!(comparison.ours().outcome.status, Status::Exited(code.parse().unwrap()));
        note_upstream(&comparison);
    }
}
