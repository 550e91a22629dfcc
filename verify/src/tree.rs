//! Snapshots of a directory tree, to compare what runs left behind.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};

/// One entry of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Directory,
    File { len: u64, digest: u64 },
    Symlink(String),
}

/// Every entry under a root, by path relative to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub entries: BTreeMap<String, Node>,
}

impl Tree {
    /// Reads the tree under `root` (symlinks are recorded, not followed).
    pub fn snapshot(root: &Path) -> Result<Tree> {
        let mut tree = Tree::default();
        walk(root, root, &mut tree)?;
        Ok(tree)
    }

    /// The paths whose entries differ between `self` and `other`.
    pub fn differences(&self, other: &Tree) -> Vec<String> {
        let mut paths: Vec<&String> = self.entries.keys().chain(other.entries.keys()).collect();
        paths.sort();
        paths.dedup();
        paths.into_iter().filter(|path| self.entries.get(*path) != other.entries.get(*path)).cloned().collect()
    }
}

impl fmt::Display for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} entries", self.entries.len())
    }
}

fn walk(root: &Path, dir: &Path, tree: &mut Tree) -> Result<()> {
    let mut children: Vec<_> = std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))?.collect::<std::io::Result<_>>()?;
    children.sort_by_key(|entry| entry.file_name());
    for child in children {
        let path = child.path();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
        let kind = child.file_type()?;
        if kind.is_symlink() {
            let target = std::fs::read_link(&path)?;
            tree.entries.insert(relative, Node::Symlink(target.to_string_lossy().into_owned()));
        } else if kind.is_dir() {
            tree.entries.insert(relative, Node::Directory);
            walk(root, &path, tree)?;
        } else {
            let (len, digest) = file_digest(&path)?;
            tree.entries.insert(relative, Node::File { len, digest });
        }
    }
    Ok(())
}

/// Files longer than this are digested by their first and last MiB: only a
/// sparse file written far out (a fuzzer's doing) gets there.
const WHOLE_DIGEST_LIMIT: u64 = 64 << 20;

fn file_digest(path: &Path) -> Result<(u64, u64)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len <= WHOLE_DIGEST_LIMIT {
        let mut bytes = Vec::with_capacity(len as usize);
        file.read_to_end(&mut bytes)?;
        return Ok((bytes.len() as u64, digest(&bytes)));
    }
    let mut ends = vec![0u8; 2 << 20];
    file.read_exact(&mut ends[..1 << 20])?;
    file.seek(SeekFrom::Start(len - (1 << 20)))?;
    file.read_exact(&mut ends[1 << 20..])?;
    Ok((len, digest(&ends)))
}

/// FNV-1a, enough to tell file contents apart.
pub fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Copies the tree at `from` to `to` (created), keeping symlinks as links.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for child in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let child = child?;
        let target = to.join(child.file_name());
        let kind = child.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(child.path())?, &target)?;
        } else if kind.is_dir() {
            copy(&child.path(), &target)?;
        } else {
            std::fs::copy(child.path(), &target)?;
        }
    }
    Ok(())
}
