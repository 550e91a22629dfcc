//! The functions not implemented yet answer ENOSYS, every one of them (the
//! README lists them). Native p1 implements them; this test pins down that
//! ours fails cleanly meanwhile rather than trapping.

use support::*;

#[test]
fn unimplemented_functions_answer_enosys() {
    let case = Case::new("nosys", guest("nosys"), Invocation::new("nosys")).fixture(fixture("basic"), "/sandbox");
    let comparison = compare(&case);
    let out = stdout(comparison.ours());
    assert_eq!(out.lines().count(), 29, "{out}");
    assert!(out.lines().all(|line| line.ends_with(": NOSYS")), "{out}");
    assert_eq!(comparison.ours().outcome.status, Status::Exited(0));
    // They touched nothing.
    assert_eq!(comparison.ours().trees, vec![verify::tree::Tree::snapshot(&fixture("basic")).unwrap()]);
    println!("native p1 answers:\n{}", stdout(comparison.native()));
}
