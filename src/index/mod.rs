//! Sections → a committed tantivy index: the [`schema`], the [`manifest`]
//! of what each corpus file looked like, [`open`]ing an index directory, the
//! [`indexer`] that writes one commit per run, and the [`status`] checks
//! (staleness, statistics, drift).

pub mod indexer;
pub mod manifest;
pub mod open;
mod progress;
mod read;
pub mod repair;
pub mod schema;
pub mod status;
pub mod vectors;

pub use indexer::{IndexOptions, Skipped, Summary, Warning, run_index};
pub use open::{CorpusMismatch, IndexLocked, LOCK_FILE, OpenIndex, open_index, recorded_corpus, same_place};
pub use status::{CheckReport, LanguageCount, Stats, check, languages, needs_refresh, stats};
pub use vectors::ModelUnavailable;

use crate::ingest::walk::{self, Walked};
use std::path::Path;

/// The article files of `corpus`, leaving out the index directory and any
/// other folder that holds a fixdex index; links followed with `follow`.
pub fn corpus_files(corpus: &Path, index_dir: &Path, follow: bool) -> anyhow::Result<Walked> {
    let index_canon = std::fs::canonicalize(index_dir).ok();
    walk::corpus_files(corpus, follow, |dir| {
        index_canon
            .as_ref()
            .is_some_and(|idx| std::fs::canonicalize(dir).is_ok_and(|c| &c == idx))
            || dir.join(manifest::FILE_NAME).exists()
    })
}
