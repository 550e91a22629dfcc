//! Artifact sizes, section by section, and what each adapter adds to a
//! componentized program.

use anyhow::{Context, Result};
use wasmparser::{Parser, Payload};

use crate::{Flavour, Implementation, Preparation, adapters};

/// Bytes of a core module by section, each counted with its header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sections {
    pub total: usize,
    pub code: usize,
    /// The `name` custom section.
    pub names: usize,
    /// wit-bindgen's `component-type*` custom section.
    pub component_type: usize,
    /// Everything else: types, imports, exports, globals, other custom sections.
    pub other: usize,
}

pub fn sections(module: &[u8]) -> Result<Sections> {
    let mut sizes = Sections { total: module.len(), ..Sections::default() };
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.context("parse the module")?;
        let Some((id, range)) = payload.as_section() else { continue };
        let length = (range.end - range.start) as usize;
        let whole = length + header(length);
        match &payload {
            _ if id == 10 => sizes.code += whole,
            Payload::CustomSection(section) if section.name() == "name" => sizes.names += whole,
            Payload::CustomSection(section) if section.name().starts_with("component-type") => sizes.component_type += whole,
            _ => sizes.other += whole,
        }
    }
    Ok(sizes)
}

/// A section's id byte and LEB128 length.
fn header(size: usize) -> usize {
    1 + match size {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        0x20_0000..=0xfff_ffff => 4,
        _ => 5,
    }
}

/// Our artifact and upstream's, for one flavour.
#[derive(Clone, Debug)]
pub struct AdapterSizes {
    pub flavour: Flavour,
    pub ours: Sections,
    pub upstream: Sections,
}

/// A program componentized with each adapter.
#[derive(Clone, Debug)]
pub struct ComponentSizes {
    pub program: String,
    pub module: usize,
    pub upstream: Result<usize, String>,
    pub ours: Result<usize, String>,
}

#[derive(Clone, Debug)]
pub struct SizeReport {
    pub adapters: Vec<AdapterSizes>,
    pub components: Vec<ComponentSizes>,
    pub set: Vec<ComponentSet>,
}

pub fn adapter_sizes() -> Result<Vec<AdapterSizes>> {
    Flavour::ALL
        .into_iter()
        .map(|flavour| {
            let of = |implementation: Implementation| -> Result<Sections> {
                sections(implementation.adapter(flavour).context("an adapter implementation")?)
            };
            Ok(AdapterSizes { flavour, ours: of(Implementation::Ours)?, upstream: of(Implementation::Upstream)? })
        })
        .collect()
}

pub fn measure() -> Result<SizeReport> {
    type Build = fn() -> Result<Vec<u8>>;
    let programs: [(&str, Build); 3] = [
        ("bundled example (examples/hello.wat)", || Ok(wat::parse_str(crate::EXAMPLE_WAT)?)),
        ("Rust hello world (hello_std)", || crate::guests::guest("hello_std")),
        ("Go hello world (ours prepares it)", || crate::guests::go_build("hello", false)),
    ];
    let mut components = Vec::new();
    for (program, build) in programs {
        let module = build()?;
        let size = |implementation| {
            adapters::component_for(implementation, &module, Flavour::Command, Preparation::Auto)
                .map(|component| component.len())
                .map_err(|error| format!("{error:#}"))
        };
        components.push(ComponentSizes {
            program: program.to_string(),
            module: module.len(),
            upstream: size(Implementation::Upstream),
            ours: size(Implementation::Ours),
        });
    }
    Ok(SizeReport { adapters: adapter_sizes()?, components, set: component_set()? })
}

/// The adapter size table of the report.
pub fn adapters_markdown(adapters: &[AdapterSizes]) -> String {
    let mut out = String::from("| flavour | adapter | total | code | name section | component-type | other sections | ours/upstream |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for a in adapters {
        let line = |who: &str, s: &Sections, ratio: String| {
            format!("| {} | {who} | {} | {} | {} | {} | {} | {ratio} |\n", a.flavour, s.total, s.code, s.names, s.component_type, s.other)
        };
        out.push_str(&line("upstream", &a.upstream, String::new()));
        out.push_str(&line("ours", &a.ours, format!("{:.2}", a.ours.total as f64 / a.upstream.total as f64)));
    }
    out
}

/// Every program the project builds, componentized by each adapter: the
/// guests of tests/guests, the Go programs of tests/go and the C and C++
/// programs of tests/c. Ours is linked both drop-in (as upstream is: the
/// like-for-like comparison) and as `adapt` links it by default (prepared
/// where the module has preview1 imports, which adds the floating tail's
/// code to Go, TinyGo and C modules).
#[derive(Clone, Debug)]
pub struct ComponentSet {
    pub program: String,
    pub upstream: usize,
    pub ours_drop_in: usize,
    pub ours_adapt: usize,
}

pub fn component_set() -> Result<Vec<ComponentSet>> {
    let mut programs: Vec<(String, Vec<u8>)> = Vec::new();
    let bins = crate::guests::repository().join("tests/guests/src/bin");
    let mut names: Vec<String> = std::fs::read_dir(&bins)
        .with_context(|| format!("list {}", bins.display()))?
        .filter_map(|entry| Some(entry.ok()?.path().file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    for name in names {
        programs.push((format!("guest {name}"), crate::guests::guest(&name)?));
    }
    for (name, c_shared) in [
        ("hello", false),
        ("args_env", false),
        ("files", false),
        ("concurrency", false),
        ("alloc_heavy", false),
        ("grow_heavy", false),
        ("big", false),
        ("reactor", true),
        ("string_reactor", true),
    ] {
        programs.push((format!("Go {name}"), crate::guests::go_build(name, c_shared)?));
    }
    for name in ["alloc_heavy", "clock_then_malloc", "containers", "files"] {
        programs.push((format!("C/C++ {name}"), crate::guests::c_build(name)?));
    }
    let mut set = Vec::new();
    for (program, module) in programs {
        let flavour = adapters::flavour_of(&module)?;
        let size = |implementation, preparation| -> Result<usize> {
            let component = adapters::component_for(implementation, &module, flavour, preparation)
                .with_context(|| format!("{program}: link with {}", Implementation::label(implementation)))?;
            Ok(component.len())
        };
        set.push(ComponentSet {
            upstream: size(Implementation::Upstream, Preparation::Never)?,
            ours_drop_in: size(Implementation::Ours, Preparation::Never)?,
            ours_adapt: size(Implementation::Ours, Preparation::Auto)?,
            program,
        });
    }
    Ok(set)
}

/// Median and largest of `ours − upstream` over the set, in bytes.
pub fn difference_summary(set: &[ComponentSet], ours: impl Fn(&ComponentSet) -> usize) -> (i64, i64) {
    let differences: Vec<i64> = set.iter().map(|c| ours(c) as i64 - c.upstream as i64).collect();
    let median = super::median(differences.iter().map(|d| *d as f64).collect()).unwrap_or(0.0);
    (median as i64, differences.iter().copied().max().unwrap_or(0))
}

/// The component set's table and its summary.
pub fn component_set_markdown(set: &[ComponentSet]) -> String {
    let (median, max) = difference_summary(set, |c| c.ours_drop_in);
    let (adapt_median, adapt_max) = difference_summary(set, |c| c.ours_adapt);
    let mut out = format!(
        "Over {} programs, ours − upstream, drop-in: median {median:+} bytes, largest {max:+}; as `adapt` links them: median {adapt_median:+}, largest {adapt_max:+}.\n\n",
        set.len()
    );
    out.push_str(
        "| program | with upstream | with ours, drop-in | ours − upstream | with ours, `adapt` | ours − upstream |\n|---|--:|--:|--:|--:|--:|\n",
    );
    for c in set {
        out.push_str(&format!(
            "| {} | {} | {} | {:+} | {} | {:+} |\n",
            c.program,
            c.upstream,
            c.ours_drop_in,
            c.ours_drop_in as i64 - c.upstream as i64,
            c.ours_adapt,
            c.ours_adapt as i64 - c.upstream as i64
        ));
    }
    out
}
