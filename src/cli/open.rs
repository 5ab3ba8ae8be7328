//! Which corpus a command works on, and opening the index for `query` and
//! `eval`: refreshed from its corpus first when it is missing or stale.

use super::Cli;
use super::index::summary_line;
use crate::index::{self, CorpusMismatch, IndexLocked, IndexOptions, ModelUnavailable};
use crate::search::Engine;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The corpus of the index in `--index`: the one it was built from. A
/// `given` corpus that is another folder is an error (unless `rebuild`, when
/// it replaces the recorded one). Without an index: `given`, else ./corpus.
pub(super) fn corpus_for(cli: &Cli, given: Option<&Path>, rebuild: bool) -> Result<PathBuf> {
    let recorded = index::recorded_corpus(&cli.index);
    match (recorded, given) {
        (Some(r), Some(g)) if !rebuild && !index::same_place(&r, g) => Err(CorpusMismatch {
            index_dir: cli.index.clone(),
            recorded: r,
            given: g.to_path_buf(),
        }
        .into()),
        (_, Some(g)) => Ok(g.to_path_buf()),
        (Some(r), None) => Ok(r),
        (None, None) => Ok(PathBuf::from("corpus")),
    }
}

/// Opens the index, re-indexing its corpus first when it is missing or
/// stale. When the corpus it was built from is gone, it answers from the
/// index as it is, with a warning.
pub(super) fn open_engine(cli: &Cli, no_refresh: bool) -> Result<Engine> {
    let corpus = corpus_for(cli, cli.corpus.as_deref(), false)?;
    let corpus_exists = corpus.exists();
    let has_index = cli.index.join(crate::index::manifest::FILE_NAME).exists();
    if has_index && !corpus_exists {
        eprintln!(
            "fixdex: warning: the corpus {} that this index was built from is gone; answering from the index as it was last built",
            corpus.display()
        );
    }
    let mut open = index::open_index(&cli.index);
    // Opening reads only the manifest's header; the file table is read
    // only for the staleness check.
    let refresh = !no_refresh && corpus_exists && index::needs_refresh(&corpus, &cli.index)?;
    if refresh {
        let opts = IndexOptions {
            corpus: corpus.clone(),
            index_dir: cli.index.clone(),
            rebuild: false,
            progress: std::io::stderr().is_terminal(),
            ..IndexOptions::default()
        };
        match index::run_index(&opts) {
            Ok(s) => {
                if std::io::stderr().is_terminal() {
                    eprintln!("{}", summary_line(&s));
                }
            }
            // Another process is indexing: answer from the last commit.
            Err(e) if has_index && e.downcast_ref::<IndexLocked>().is_some() => {
                if std::io::stderr().is_terminal() {
                    eprintln!("fixdex: another fixdex is indexing; answering from the last complete index");
                }
            }
            Err(e) if e.downcast_ref::<IndexLocked>().is_some() => {
                index::run_index(&IndexOptions { wait: true, ..opts })?;
            }
            // The model of a semantic index is gone: the last commit still answers.
            Err(e) if has_index && e.downcast_ref::<ModelUnavailable>().is_some() => {
                eprintln!("fixdex: warning: the index was not refreshed: {e}");
            }
            Err(e) => return Err(e),
        }
        open = index::open_index(&cli.index);
    }
    if !has_index && !corpus_exists {
        anyhow::bail!(
            "no index in {} and no corpus at {}; run `fixdex index CORPUS` first",
            cli.index.display(),
            corpus.display()
        );
    }
    let open = open?;
    let corpus = open.header.corpus.clone();
    let mut engine = Engine::new(open, Some(&corpus))?;
    engine.set_model_dir(cli.model.clone());
    Ok(engine)
}
