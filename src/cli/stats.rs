//! `fixdex stats`: what the index holds.

use super::{Cli, StatsArgs, print_json};
use crate::index;
use anyhow::Result;
use std::io::Write;

/// Runs `fixdex stats`.
pub(super) fn run(cli: &Cli, a: &StatsArgs) -> Result<u8> {
    let open = index::open_index(&cli.index)?;
    let stats = index::stats(&open, &cli.index)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        print_json(&stats)?;
    } else {
        writeln!(
            out,
            "articles {}\nsections {}\nterms {}\nindex bytes {}\ncorpus bytes {}\nindexed at {}",
            stats.articles,
            stats.sections,
            stats.terms,
            stats.index_bytes,
            stats.corpus_bytes,
            stats.indexed_at
        )?;
        if let Some(m) = &stats.semantic {
            writeln!(
                out,
                "sentence vectors {} dimensions, {} tokens per text, model {}",
                m.dims,
                m.max_tokens,
                m.dir.display()
            )?;
        }
        for l in &stats.languages {
            writeln!(
                out,
                "language {} {} {} {}, {} {}",
                l.code,
                l.name,
                l.articles,
                if l.articles == 1 { "article" } else { "articles" },
                l.sections,
                if l.sections == 1 { "section" } else { "sections" }
            )?;
        }
    }
    Ok(0)
}
