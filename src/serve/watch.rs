//! Keeping the served index fresh. A writing server watches the corpus
//! (the notify crate), waits until edits have been quiet for
//! [`QUIET`], re-indexes what changed and swaps to the new commit; it also
//! checks the corpus every [`RESCAN`] in case an event was missed. A
//! read-only server never writes: it reloads whatever commit another
//! process last made, every [`FOLLOW`].

use super::Shared;
use crate::index::{self, IndexOptions};
use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// How long the corpus must be quiet before re-indexing.
pub const QUIET: Duration = Duration::from_millis(200);
/// How often the corpus is checked without an event.
pub const RESCAN: Duration = Duration::from_secs(60);
/// How often a read-only server looks for a new commit.
pub const FOLLOW: Duration = Duration::from_millis(500);

/// Starts the background thread that keeps `shared.engine` current.
pub(super) fn start(shared: Arc<Shared>, read_only: bool) -> Result<()> {
    if read_only {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(FOLLOW);
                let _ = shared.engine.reload();
            }
        });
        return Ok(());
    }
    let corpus = shared.engine.corpus().to_path_buf();
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            let _ = tx.send(ev);
        }
    })
    .context("cannot watch the corpus for changes")?;
    let (target, mode) = if corpus.is_file() {
        (
            corpus.parent().unwrap_or(Path::new(".")).to_path_buf(),
            RecursiveMode::NonRecursive,
        )
    } else {
        (corpus.clone(), RecursiveMode::Recursive)
    };
    watcher
        .watch(&target, mode)
        .with_context(|| format!("cannot watch {} for changes", target.display()))?;
    let index_dir = std::fs::canonicalize(&shared.index_dir).unwrap_or_else(|_| shared.index_dir.clone());
    std::thread::spawn(move || {
        let _keep = watcher;
        loop {
            match rx.recv_timeout(RESCAN) {
                Ok(ev) if !relevant(&ev, &index_dir) => continue,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if !index::needs_refresh(&corpus, &shared.index_dir).unwrap_or(false) {
                        continue;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
            // Wait for the burst of events an editor's save makes to end.
            loop {
                match rx.recv_timeout(QUIET) {
                    Ok(_) => continue,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            refresh(&shared, &corpus);
        }
    });
    Ok(())
}

/// An event that can change what the corpus holds: not a read, not the
/// index's own files.
fn relevant(ev: &notify::Event, index_dir: &Path) -> bool {
    !matches!(ev.kind, EventKind::Access(_)) && ev.paths.iter().any(|p| !p.starts_with(index_dir))
}

/// Re-indexes the corpus and swaps the engine to the new commit.
fn refresh(shared: &Shared, corpus: &Path) {
    let opts = IndexOptions {
        corpus: corpus.to_path_buf(),
        index_dir: shared.index_dir.clone(),
        wait: true,
        ..IndexOptions::default()
    };
    match index::run_index(&opts) {
        Ok(_) => {
            if let Err(e) = shared.engine.reload() {
                eprintln!("fixdex: cannot reload the index after re-indexing: {e}");
            }
        }
        Err(e) => eprintln!("fixdex: re-indexing {} failed: {e}", corpus.display()),
    }
}
