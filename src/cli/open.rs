//! Opening the index for `query` and `eval`: refreshed from the corpus
//! first when it is missing or stale.

use super::Cli;
use super::index::summary_line;
use crate::index::{self, IndexLocked, IndexOptions};
use crate::search::Engine;
use anyhow::Result;
use std::io::IsTerminal;

/// Opens the index, re-indexing the corpus first when it is missing or stale.
pub(super) fn open_engine(cli: &Cli, no_refresh: bool) -> Result<Engine> {
    let corpus_exists = cli.corpus.exists();
    let mut open = index::open_index(&cli.index);
    // Opening reads only the manifest's header; the file table is read
    // only for the staleness check.
    let refresh = !no_refresh && corpus_exists && index::needs_refresh(&cli.corpus, &cli.index)?;
    if refresh {
        let opts = IndexOptions {
            corpus: cli.corpus.clone(),
            index_dir: cli.index.clone(),
            rebuild: false,
            progress: std::io::stderr().is_terminal(),
            wait: false,
        };
        let has_index = cli.index.join(crate::index::manifest::FILE_NAME).exists();
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
            Err(e) => return Err(e),
        }
        open = index::open_index(&cli.index);
    }
    if !cli.index.join(crate::index::manifest::FILE_NAME).exists() && !corpus_exists {
        anyhow::bail!(
            "no index in {} and no corpus at {}; run `fixdex index CORPUS` first",
            cli.index.display(),
            cli.corpus.display()
        );
    }
    let open = open?;
    let corpus = open.header.corpus.clone();
    Engine::new(open, Some(&corpus))
}
