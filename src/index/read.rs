//! Reading one corpus file that may have changed: hash it, compare with
//! its manifest entry, and parse it into an article (a parser panic costs
//! this file only).

use super::manifest::FileEntry;
use crate::ingest::article::{self, Article, ArticleError};
use crate::ingest::walk;

/// Result of reading one changed file.
pub(super) enum Parsed {
    Article(Article, FileEntry),
    Unchanged(FileEntry),
    Skipped(FileEntry),
}

/// Entries for files that could not be read are retried every run.
pub(super) fn is_retryable(e: &FileEntry) -> bool {
    e.skipped.as_deref().is_some_and(|r| r.starts_with("cannot read"))
}

pub(super) fn read_one(f: &walk::CorpusFile, old: Option<&FileEntry>) -> Parsed {
    let mut entry = FileEntry {
        hash: String::new(),
        size: f.size,
        mtime_ns: f.mtime_ns,
        sections: 0,
        skipped: None,
        warnings: Vec::new(),
    };
    if let Some(e) = article::too_large(f.size) {
        entry.skipped = Some(e.0);
        return Parsed::Skipped(entry);
    }
    let bytes = match std::fs::read(&f.abs) {
        Ok(b) => b,
        Err(e) => {
            entry.skipped = Some(format!("cannot read file: {e}"));
            return Parsed::Skipped(entry);
        }
    };
    entry.hash = blake3::hash(&bytes).to_hex().to_string();
    entry.size = bytes.len() as u64;
    if let Some(old) = old
        && old.hash == entry.hash
        && !is_retryable(old)
    {
        let mut e = old.clone();
        e.mtime_ns = entry.mtime_ns;
        return Parsed::Unchanged(e);
    }
    // A parser bug must cost one file, not the run.
    let result = std::panic::catch_unwind(|| article::parse_article(&bytes, &f.rel)).unwrap_or_else(|_| {
        Err(ArticleError(
            "internal error while parsing this file; please report it".into(),
        ))
    });
    match result {
        Ok(a) => {
            entry.sections = a.sections.len();
            entry.warnings = a.warnings.clone();
            Parsed::Article(a, entry)
        }
        Err(e) => {
            entry.skipped = Some(e.0);
            Parsed::Skipped(entry)
        }
    }
}
