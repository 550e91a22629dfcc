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

/// A component built with ours imports no WASI interface that the same
/// module built with upstream's adapter does not import (wit-component
/// links only what the p1 functions a module imports can reach: a write,
/// say, must not pull in wasi:io/poll). Checked over every guest of
/// tests/guests, linked drop-in by both.
#[test]
fn components_with_ours_import_nothing_upstreams_do_not() {
    use wasip1_adapter::adapt::{self, Options, Preparation};
    let names: Vec<String> = std::fs::read_dir(support::tests_dir().join("guests/src/bin"))
        .expect("list the guests")
        .map(|entry| entry.expect("an entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    assert!(names.len() > 15, "{names:?}");
    let imports = |component: &[u8]| -> std::collections::BTreeSet<String> {
        let mut names = std::collections::BTreeSet::new();
        for payload in wasmparser::Parser::new(0).parse_all(component) {
            if let Ok(wasmparser::Payload::ComponentImportSection(reader)) = payload {
                for import in reader.into_iter().flatten() {
                    names.insert(import.name.name.to_string());
                }
            }
        }
        names
    };
    let mut extra = Vec::new();
    for name in &names {
        let module = support::guest(name);
        let link = |adapter: Option<&[u8]>| {
            let options = Options { preparation: Preparation::Never, adapter, ..Options::default() };
            adapt::adapt(&module, &options).unwrap_or_else(|error| panic!("{name}: {error}")).component
        };
        let flavour = adapt::inspect(&module).expect("inspect").flavour;
        let (ours, upstream) = (imports(&link(None)), imports(&link(Implementation::Upstream.adapter(flavour))));
        assert!(ours.iter().any(|import| import.starts_with("wasi:")), "{name}: no WASI import found in {ours:?}");
        for import in ours.difference(&upstream) {
            extra.push(format!("{name}: {import}"));
        }
    }
    assert!(extra.is_empty(), "ours imports what upstream's does not:\n{}", extra.join("\n"));
}
