//! The artifacts ship as committed bytes (src/artifacts/), as upstream's
//! provider crate ships them: a crate that depends on ours builds in seconds,
//! without the wasm target. The bytes must be exactly what adapter/ builds.

use std::path::Path;
use std::process::Command;

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// This workspace builds the adapter from source (`from-source`); what is
/// committed must be those bytes, byte for byte.
#[test]
// The constant is what feature unification made of this build: a test
// failure names it, where a const assertion would stop the build unexplained.
#[allow(clippy::assertions_on_constants)]
fn committed_artifacts_are_what_the_source_builds() {
    assert!(wasip1_adapter::BUILT_FROM_SOURCE, "the workspace's tests must see a build from source");
    for (name, built) in wasip1_adapter::ARTIFACTS {
        let path = repository().join(wasip1_adapter::COMMITTED_ARTIFACTS_DIR).join(name);
        let committed = std::fs::read(&path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
        assert!(
            committed == built,
            "{} ({} bytes) is not what adapter/ builds ({} bytes): run `cargo verify artifacts src/artifacts` and commit the result",
            path.display(),
            committed.len(),
            built.len()
        );
    }
}

/// README.md gives each artifact's sha256; it must be the committed one's.
#[test]
fn the_readme_names_each_artifacts_sha256() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    for (name, bytes) in wasip1_adapter::ARTIFACTS {
        let line = readme.lines().find(|line| line.starts_with(&format!("| `{name}`"))).unwrap_or_else(|| panic!("README.md has no row for {name}"));
        let digest = sha256_hex(bytes);
        assert!(line.contains(&digest), "README.md's row for {name} lacks its sha256 {digest}: {line}");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A new crate that depends on ours by path, with default features, gets the
/// committed bytes through the constants; nothing is built for wasm.
#[test]
fn a_dependent_crate_gets_the_committed_bytes_without_building_the_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!(
        "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nwasip1-adapter = {{ path = {:?} }}\n\n[workspace]\n",
        repository().canonicalize().unwrap()
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/main.rs"),
        "fn main() { println!(\"{} {} {} {}\", wasip1_adapter::COMMAND_ADAPTER.len(), wasip1_adapter::REACTOR_ADAPTER.len(), wasip1_adapter::PROXY_ADAPTER.len(), wasip1_adapter::BUILT_FROM_SOURCE); }\n",
    )
    .unwrap();
    let output = cargo().args(["run", "--quiet", "--offline"]).current_dir(dir.path()).env_remove("CARGO_TARGET_DIR").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let committed = |flavour: &str| {
        let path = repository().join(wasip1_adapter::COMMITTED_ARTIFACTS_DIR).join(format!("wasi_snapshot_preview1.{flavour}.wasm"));
        std::fs::metadata(path).unwrap().len()
    };
    let expected = format!("{} {} {} false\n", committed("command"), committed("reactor"), committed("proxy"));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
    // No nested build of adapter/ ran: it would have left its target directory.
    let nested = walk(&dir.path().join("target")).into_iter().filter(|path| path.ends_with("adapter-target")).count();
    assert_eq!(nested, 0);
}

/// `cargo package` of the root crate: the tarball holds the committed
/// artifacts, and it builds. (adapter/ is a package of its own, which cargo leaves out, so
/// `from-source` works in this repository only.)
#[test]
fn the_packaged_crate_holds_the_artifacts_and_builds() {
    // Packaging verifies the tarball by building it.
    let packaged = cargo().args(["package", "--allow-dirty", "--offline", "-p", "wasip1-adapter"]).current_dir(repository()).output().unwrap();
    assert!(packaged.status.success(), "{}", String::from_utf8_lossy(&packaged.stderr));
    let output =
        cargo().args(["package", "--list", "--allow-dirty", "--offline", "-p", "wasip1-adapter"]).current_dir(repository()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files = String::from_utf8_lossy(&output.stdout);
    for needed in [
        "src/artifacts/wasi_snapshot_preview1.command.wasm",
        "src/artifacts/wasi_snapshot_preview1.reactor.wasm",
        "src/artifacts/wasi_snapshot_preview1.proxy.wasm",
        "src/lib.rs",
        "build.rs",
    ] {
        assert!(files.lines().any(|file| file.starts_with(needed)), "{needed} missing from the package:\n{files}");
    }
    assert!(!files.lines().any(|file| file.starts_with("adapter/target")), "{files}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.push(path.clone());
                found.extend(walk(&path));
            }
        }
    }
    found
}
