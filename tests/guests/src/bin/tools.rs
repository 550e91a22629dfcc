//! A small find / cp -r / grep, written the ordinary way with std::fs, as a
//! realistic preview1 program: `tools find DIR`, `tools cp SRC DST`,
//! `tools grep PATTERN DIR`. Output is sorted where the directory order is
//! the host's business.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["find", dir] => find(Path::new(dir)),
        ["cp", from, to] => copy_tree(Path::new(from), Path::new(to)).map(|count| println!("copied {count} entries")),
        ["grep", pattern, dir] => grep(pattern, Path::new(dir)),
        _ => {
            eprintln!("usage: tools find DIR | cp SRC DST | grep PATTERN DIR");
            std::process::exit(2);
        }
    };
    if let Err(error) = result {
        eprintln!("tools: {error}");
        std::process::exit(1);
    }
}

/// Every path under `root`, depth first, with its kind and size.
fn walk(root: &Path, out: &mut Vec<(PathBuf, fs::Metadata)>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(root)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let metadata = fs::symlink_metadata(entry.path())?;
        out.push((entry.path(), metadata.clone()));
        if metadata.is_dir() {
            walk(&entry.path(), out)?;
        }
    }
    Ok(())
}

fn find(root: &Path) -> io::Result<()> {
    let mut all = Vec::new();
    walk(root, &mut all)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for (path, metadata) in all {
        let kind = if metadata.is_dir() {
            "d"
        } else if metadata.file_type().is_symlink() {
            "l"
        } else {
            "f"
        };
        let extra = if metadata.file_type().is_symlink() { format!(" -> {}", fs::read_link(&path)?.display()) } else { String::new() };
        writeln!(out, "{kind} {:>6} {}{extra}", if metadata.is_file() { metadata.len() } else { 0 }, path.display())?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<usize> {
    fs::create_dir_all(to)?;
    let mut count = 0;
    let mut entries: Vec<_> = fs::read_dir(from)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            count += copy_tree(&entry.path(), &target)?;
        } else if kind.is_symlink() {
            symlink(&fs::read_link(entry.path())?, &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
        count += 1;
    }
    Ok(count)
}

fn grep(pattern: &str, root: &Path) -> io::Result<()> {
    let mut all = Vec::new();
    walk(root, &mut all)?;
    let mut hits = 0;
    for (path, metadata) in all {
        if !metadata.is_file() {
            continue;
        }
        let file = io::BufReader::new(fs::File::open(&path)?);
        for (number, line) in file.lines().enumerate() {
            let line = line?;
            if line.contains(pattern) {
                println!("{}:{}: {line}", path.display(), number + 1);
                hits += 1;
            }
        }
    }
    println!("{hits} matching lines");
    Ok(())
}

/// std's symlink creation on WASI is unstable, so this calls path_symlink
/// itself, relative to the first preopen (fd 3), which must hold `link`.
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    let mut prestat = [0u8; 8];
    let mut name = [0u8; 256];
    let len = unsafe {
        p1::raw::fd_prestat_get(3, prestat.as_mut_ptr());
        let len = u32::from_le_bytes(prestat[4..8].try_into().unwrap()).min(256);
        p1::raw::fd_prestat_dir_name(3, name.as_mut_ptr(), len);
        len as usize
    };
    let root = Path::new(std::str::from_utf8(&name[..len]).unwrap_or("/"));
    let relative = link.strip_prefix(root).map_err(|_| io::Error::other("link outside the first preopen"))?;
    let (target, relative) = (target.to_string_lossy(), relative.to_string_lossy());
    let errno = unsafe { p1::raw::path_symlink(target.as_ptr(), target.len() as u32, 3, relative.as_ptr(), relative.len() as u32) };
    if errno == 0 { Ok(()) } else { Err(io::Error::other(format!("path_symlink: {}", p1::errno_name(errno)))) }
}
