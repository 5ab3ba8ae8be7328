//! Finding the articles of a corpus: `.md`, `.markdown` and `.txt` files,
//! recursively, skipping hidden entries and the directories the caller
//! names (the index).

use anyhow::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// One article file found in the corpus.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Path relative to the corpus root, `/`-separated.
    pub rel: String,
    /// Path to open.
    pub abs: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u128,
}

/// Result of walking a corpus.
#[derive(Debug, Default)]
pub struct Walked {
    /// Article files, sorted by relative path.
    pub files: Vec<CorpusFile>,
    /// Entries that could not be visited (symlink loops, permissions), with
    /// reasons, sorted by path.
    pub errors: Vec<(String, String)>,
}

/// Whether a file name has an article extension.
pub fn is_article_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".txt")
}

/// Walks `corpus` (a directory, or a single file) for article files,
/// leaving out the directories for which `skip_dir` is true (the index).
/// Symbolic links are followed only with `follow` (as ripgrep and fd do:
/// a link can lead anywhere on the machine); the links not followed, and
/// devices, FIFOs and sockets named like articles, are listed in `errors`.
pub fn corpus_files(corpus: &Path, follow: bool, skip_dir: impl Fn(&Path) -> bool) -> Result<Walked> {
    let mut out = Walked::default();
    let meta = std::fs::metadata(corpus)
        .map_err(|e| anyhow::anyhow!("cannot read corpus {}: {e}", corpus.display()))?;
    if meta.is_file() {
        let name = corpus
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        out.files.push(CorpusFile {
            rel: name,
            abs: corpus.to_path_buf(),
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
        });
        return Ok(out);
    }
    match follow {
        true => walk_links(corpus, skip_dir, &mut out),
        false => walk_dirs(corpus, &skip_dir, &mut out),
    }
    // One sort of the finished lists: walkdir's own sort re-parses both
    // paths on every comparison, which cost a fifth of a query's start-up
    // on a 14k-file directory.
    out.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    out.errors.sort();
    Ok(out)
}

/// Why a device, FIFO or socket named like an article is skipped.
const NOT_REGULAR: &str = "not a regular file (a device, FIFO or socket); skipped";

/// The article files under `corpus`, links followed, into `out` (in no
/// order): walkdir's walk, which detects the links' loops, then the size
/// and time of every file, statted on all cores.
fn walk_links(corpus: &Path, skip_dir: impl Fn(&Path) -> bool, out: &mut Walked) {
    let found = article_paths(corpus, skip_dir, &mut out.errors);
    let stats: Vec<(PathBuf, std::io::Result<std::fs::Metadata>)> = found
        .into_par_iter()
        .map(|p| {
            let m = std::fs::metadata(&p);
            (p, m)
        })
        .collect();
    for (abs, meta) in stats {
        match meta {
            Ok(meta) => out.files.push(CorpusFile {
                rel: rel_path(corpus, &abs),
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                abs,
            }),
            Err(e) => out
                .errors
                .push((rel_path(corpus, &abs), format!("cannot read: {e}"))),
        }
    }
}

/// The article files under `corpus`, links not followed, into `out` (in
/// no order). Each entry's name and type come from the directory listing
/// and its size and time from a lookup relative to its directory, with no
/// path parsed or resolved again: on a 14k-file corpus, walking by full
/// paths took three times as long, and the walk is most of the staleness
/// check that precedes a query. A directory's files are statted on all
/// cores, and only its own, so that no more than one directory is open
/// while its files wait.
fn walk_dirs(corpus: &Path, skip_dir: &impl Fn(&Path) -> bool, out: &mut Walked) {
    let mut dirs: Vec<(PathBuf, String)> = vec![(corpus.to_path_buf(), String::new())];
    while let Some((dir, rel)) = dirs.pop() {
        let join = |name: &str| match rel.is_empty() {
            true => name.to_string(),
            false => format!("{rel}/{name}"),
        };
        let listing = match std::fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) => {
                out.errors.push((rel.clone(), format!("cannot read: {e}")));
                continue;
            }
        };
        let mut files: Vec<(String, std::fs::DirEntry)> = Vec::new();
        for entry in listing {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    out.errors.push((rel.clone(), format!("cannot read: {e}")));
                    continue;
                }
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    out.errors.push((join(&name), format!("cannot read: {e}")));
                    continue;
                }
            };
            if ft.is_symlink() {
                out.errors.push((join(&name), link_not_followed(&entry.path())));
            } else if ft.is_dir() {
                let path = entry.path();
                if !skip_dir(&path) {
                    dirs.push((path, join(&name)));
                }
            } else if is_article_name(&name) {
                if !ft.is_file() {
                    out.errors.push((join(&name), NOT_REGULAR.to_string()));
                } else if !(rel.is_empty() && name == "synonyms.txt") {
                    // The corpus's own thesaurus is configuration, not an article.
                    files.push((join(&name), entry));
                }
            }
        }
        let stat = |(rel, entry): (String, std::fs::DirEntry)| (rel, entry.path(), entry.metadata());
        let stats: Vec<(String, PathBuf, std::io::Result<std::fs::Metadata>)> = match files.len() {
            0..64 => files.into_iter().map(stat).collect(),
            _ => files.into_par_iter().map(stat).collect(),
        };
        for (rel, abs, meta) in stats {
            match meta {
                Ok(meta) => out.files.push(CorpusFile {
                    rel,
                    abs,
                    size: meta.len(),
                    mtime_ns: mtime_ns(&meta),
                }),
                Err(e) => out.errors.push((rel, format!("cannot read: {e}"))),
            }
        }
    }
}

/// Paths of the article files under `corpus`, links followed, in walk
/// order; entries that cannot be visited go to `errors` with the reason.
fn article_paths(
    corpus: &Path,
    skip_dir: impl Fn(&Path) -> bool,
    errors: &mut Vec<(String, String)>,
) -> Vec<PathBuf> {
    let walker = walkdir::WalkDir::new(corpus)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if name.starts_with('.') {
                return false;
            }
            !(e.file_type().is_dir() && skip_dir(e.path()))
        });
    let mut found: Vec<PathBuf> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| rel_path(corpus, p))
                    .unwrap_or_else(|| corpus.display().to_string());
                let reason = if e.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else {
                    format!(
                        "cannot read: {}",
                        e.io_error().map_or_else(|| e.to_string(), |i| i.to_string())
                    )
                };
                errors.push((path, reason));
                continue;
            }
        };
        // Links are followed: the type is their target's.
        let ft = entry.file_type();
        if ft.is_dir() || !is_article_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        if !ft.is_file() {
            errors.push((rel_path(corpus, entry.path()), NOT_REGULAR.to_string()));
            continue;
        }
        // The corpus's own thesaurus is configuration, not an article.
        if entry.depth() == 1 && entry.file_name() == "synonyms.txt" {
            continue;
        }
        found.push(entry.into_path());
    }
    found
}

/// Why a symbolic link was not followed: a loop when it leads to a folder
/// that contains it.
fn link_not_followed(link: &Path) -> String {
    let target = std::fs::canonicalize(link).ok();
    let parent = link.parent().and_then(|p| std::fs::canonicalize(p).ok());
    match (target, parent) {
        (None, _) => "cannot read: symbolic link to a file that does not exist".to_string(),
        (Some(t), Some(p)) if p.starts_with(&t) => "symbolic link loop; not followed".to_string(),
        _ => "symbolic link; not followed (pass --follow to follow links)".to_string(),
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn rel_path(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_sorted_with_sizes_and_hidden_entries_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        for (p, body) in [
            ("b/z.md", "zz"),
            ("a.md", "a"),
            ("b/a.txt", "abc"),
            ("a-b.markdown", "ab"),
            (".hidden/x.md", "x"),
            ("notes.pdf", "pdf"),
        ] {
            let f = root.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, body).unwrap();
        }
        let w = corpus_files(&root, false, |_| false).unwrap();
        let got: Vec<(&str, u64)> = w.files.iter().map(|f| (f.rel.as_str(), f.size)).collect();
        assert_eq!(
            got,
            [("a-b.markdown", 2), ("a.md", 1), ("b/a.txt", 3), ("b/z.md", 2)]
        );
        assert!(w.errors.is_empty());
        assert!(w.files.iter().all(|f| f.mtime_ns > 0 && f.abs.is_file()));
    }

    #[test]
    fn the_walk_by_directory_finds_what_the_walk_by_path_finds() {
        // Without links, following them changes nothing: the walk of the
        // default (by directory listing) and walkdir's must agree.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        let mut paths: Vec<String> = (0..70).map(|i| format!("many/p{i:02}.md")).collect();
        paths.extend(
            [
                "a.md",
                "synonyms.txt",
                "deep/er/synonyms.txt",
                "deep/er/x.MD",
                "deep/notes.pdf",
                ".hidden/h.md",
                "deep/.h.md",
                "skipme/s.md",
            ]
            .map(String::from),
        );
        for (i, p) in paths.iter().enumerate() {
            let f = root.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "x".repeat(i + 1)).unwrap();
        }
        let skip = |d: &Path| d.ends_with("skipme");
        let list = |w: Walked| -> Vec<(String, u64, u128, PathBuf)> {
            assert!(w.errors.is_empty(), "{:?}", w.errors);
            w.files
                .into_iter()
                .map(|f| (f.rel, f.size, f.mtime_ns, f.abs))
                .collect()
        };
        let by_dir = list(corpus_files(&root, false, skip).unwrap());
        let by_path = list(corpus_files(&root, true, skip).unwrap());
        assert_eq!(by_dir, by_path);
        assert_eq!(by_dir.len(), 73);
        let rels: Vec<&str> = by_dir.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(rels[..3], ["a.md", "deep/er/synonyms.txt", "deep/er/x.MD"]);
        assert_eq!(rels[3], "many/p00.md");
    }
}
