//! The directories every fuzzing run starts from: built once per process,
//! copied afresh for each run. Names match the driver's path components.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use anyhow::Result;

/// The guest name of the first preopen (fd 3) and of the second (fd 4).
pub const PREOPENS: [&str; 2] = ["/work", "/other"];

/// Writes the fixture under `root`: `root/work` and `root/other`.
pub fn build(root: &Path) -> Result<[PathBuf; 2]> {
    let work = root.join("work");
    let other = root.join("other");
    std::fs::create_dir_all(work.join("dir/inner"))?;
    std::fs::create_dir_all(work.join("emptydir"))?;
    std::fs::create_dir_all(&other)?;
    std::fs::write(work.join("a.txt"), "hello, fuzz\n".repeat(40))?;
    std::fs::write(work.join("empty"), "")?;
    std::fs::write(work.join("dir/b.txt"), "bee\n")?;
    std::fs::write(work.join("dir/inner/c.txt"), (0..=255u8).collect::<Vec<u8>>())?;
    std::fs::write(other.join("o.txt"), "other\n")?;
    // Symlinks: to a file, to a directory, loops, out of the preopen,
    // absolute, dangling.
    for (target, name) in [
        ("a.txt", "link"),
        ("dir", "dirlink"),
        ("loop", "loop"),
        ("loop2", "loop1"),
        ("loop1", "loop2"),
        ("../outside", "escape"),
        ("/etc/passwd", "abs"),
        ("missing", "dangling"),
    ] {
        symlink(target, work.join(name))?;
    }
    Ok([work, other])
}
