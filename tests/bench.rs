//! The size budget, and a smoke run of `verify bench` (every case under every
//! implementation, with a hundredth of the iterations). The timings
//! themselves are checked in as docs/benchmarks.md, not asserted here.

use verify::bench::{self, Options, sizes};
use verify::{Flavour, Implementation};

/// Prints the size table and fails if our command or reactor artifact is
/// larger than upstream's.
#[test]
fn our_artifacts_are_no_larger_than_upstreams() {
    let adapters = sizes::adapter_sizes().unwrap();
    println!("{}", sizes::adapters_markdown(&adapters));
    for a in &adapters {
        match a.flavour {
            Flavour::Command | Flavour::Reactor => assert!(
                a.ours.total <= a.upstream.total,
                "our {} adapter is {} bytes, upstream's {}: the artifact outgrew its budget",
                a.flavour,
                a.ours.total,
                a.upstream.total
            ),
            Flavour::Proxy => {}
        }
        // The section split accounts for every byte but the 8-byte preamble.
        for s in [a.ours, a.upstream] {
            assert_eq!(s.code + s.names + s.component_type + s.other + 8, s.total, "{}", a.flavour);
        }
    }
}

#[test]
fn a_smoke_run_measures_every_case_under_every_implementation() {
    let report = bench::run(Options::SMOKE, &mut |step| eprintln!("bench: {step}")).unwrap();
    let markdown = report.markdown();
    println!("{markdown}");
    assert_eq!(report.calls.len(), 14);
    assert_eq!(report.programs.len(), 3);
    // Upstream 50.0.1 traps on 10,000 arguments or variables (their list
    // does not fit its buffer); every other cell has a number.
    let upstream_traps = ["args_get-10000", "environ_get-10000"];
    assert_eq!(report.instructions.len(), report.calls.len());
    for row in report.calls.iter().chain(&report.programs).chain(&report.instructions) {
        for (implementation, value) in Implementation::ALL.iter().zip(&row.values) {
            let expected_to_fail = *implementation == Implementation::Upstream && upstream_traps.contains(&row.name.as_str());
            match value {
                Ok(ns) => assert!(!expected_to_fail && *ns > 0.0, "{}: {} measured {ns}", row.name, implementation.label()),
                Err(why) => assert!(expected_to_fail, "{} failed under {}: {why}", row.name, implementation.label()),
            }
        }
        assert!(markdown.contains(&format!("| {} |", row.name)), "{} is missing from the report", row.name);
    }
    assert!(report.preparation.unwrap().module_bytes > 9_000_000, "the preparation case needs a large module");
    assert_eq!(report.sizes.unwrap().components.len(), 3);
}

#[test]
fn the_report_goes_between_the_markers_only() {
    let report = "| command | ours | 1 |\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.md");
    std::fs::write(&path, format!("# Title\n\nprose\n\n{}\nold\n{}\n\nmore prose\n", bench::BEGIN, bench::END)).unwrap();
    bench::write_into(&path, report).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Title\n\nprose\n\n") && text.ends_with(&format!("{}\n\nmore prose\n", bench::END)), "{text}");
    assert!(!text.contains("old") && text.contains("| command | ours |"), "{text}");
    std::fs::write(&path, "no markers\n").unwrap();
    assert!(bench::write_into(&path, report).is_err());
}
