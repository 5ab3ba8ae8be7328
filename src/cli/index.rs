//! `fixdex index`: build or update the index, or `--check` it.

use super::{Cli, IndexArgs, print_json};
use crate::index::{self, IndexOptions, Summary};
use anyhow::Result;
use std::io::{IsTerminal, Write};

/// Runs `fixdex index`.
pub(super) fn run(cli: &Cli, a: &IndexArgs) -> Result<u8> {
    return_freed_memory_at_once();
    let given = a.corpus.as_deref().or(cli.corpus.as_deref());
    let corpus = super::open::corpus_for(cli, given, a.rebuild)?;
    if a.semantic && cli.model.is_none() {
        anyhow::bail!(
            "--semantic needs a sentence-transformers model directory: pass --model DIR or set FIXDEX_MODEL (the README says where to get one)"
        );
    }
    let opts = IndexOptions {
        corpus,
        index_dir: cli.index.clone(),
        rebuild: a.rebuild,
        progress: !a.quiet && std::io::stderr().is_terminal(),
        wait: a.wait,
        follow: a.follow,
        deep: a.deep,
        model: if a.semantic { cli.model.clone() } else { None },
    };
    if a.check {
        return check(&opts, a.deep, a.json);
    }
    let s = index::run_index(&opts)?;
    if a.json {
        print_json(&s)?;
    } else if !a.quiet {
        let mut err = std::io::stderr().lock();
        for sk in &s.skipped {
            writeln!(err, "skipped {}: {}", sk.path, sk.reason)?;
        }
        for w in &s.warnings {
            writeln!(err, "warning {}: {}", w.path, w.message)?;
        }
        writeln!(std::io::stdout(), "{}", summary_line(&s))?;
    }
    Ok(0)
}

/// `index --check`: drift between index, manifest and corpus (exit 1 when
/// there is any).
fn check(opts: &IndexOptions, deep: bool, json: bool) -> Result<u8> {
    let r = index::check(&opts.corpus, &opts.index_dir, deep)?;
    if json {
        print_json(&r)?;
        return Ok(if r.is_clean() { 0 } else { 1 });
    }
    let mut out = std::io::stdout().lock();
    if r.is_clean() {
        writeln!(
            out,
            "index is consistent with the corpus: {} sections",
            r.index_sections
        )?;
        return Ok(0);
    }
    for p in &r.new_files {
        writeln!(out, "not indexed yet: {p}")?;
    }
    for p in &r.changed_files {
        writeln!(out, "changed since indexed: {p}")?;
    }
    for p in &r.deleted_files {
        writeln!(out, "deleted from the corpus: {p}")?;
    }
    for (p, m, i) in &r.section_mismatch {
        writeln!(out, "section count differs for {p}: manifest {m}, index {i}")?;
    }
    for f in &r.damaged_files {
        writeln!(out, "damaged index file (checksum mismatch): {f}")?;
    }
    if let Some(why) = &r.unreadable {
        writeln!(out, "the index does not answer: {why}")?;
    }
    if !r.is_sound() {
        writeln!(out, "the index is damaged; `fixdex index --rebuild` rebuilds it")?;
    } else if deep {
        writeln!(
            out,
            "drift found; `fixdex index --deep` brings the index up to date"
        )?;
    } else {
        writeln!(out, "drift found; `fixdex index` brings the index up to date")?;
    }
    Ok(1)
}

/// The one-line summary of a run.
pub(super) fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "indexed {}, {} ({} parsed, {} unchanged, {} removed, {} skipped{}) in {:.2}s",
        plural(s.articles, "article"),
        plural(s.sections, "section"),
        s.parsed,
        s.unchanged,
        s.removed,
        s.skipped.len(),
        skip_reasons(s),
        s.seconds
    );
    if let Some(n) = s.embedded {
        line.push_str(&format!("; {} embedded", plural(n, "text")));
    }
    if let Some(r) = &s.rebuilt {
        line = format!("rebuilt the index ({r}); {line}");
    }
    line
}

/// `1 article`, `2 articles`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `: 2 empty file, 1 binary file`: skipped files counted by the kind of
/// reason (a reason up to its first detail), most common first.
fn skip_reasons(s: &Summary) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for sk in &s.skipped {
        let kind = sk
            .reason
            .split([':', '(', ';', ','])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((kind, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}

/// mimalloc v2's `mi_option_purge_delay` (its place in `mi_option_e`;
/// the crate names no constant for it): how many milliseconds freed memory
/// waits before it goes back to the system, 10 by default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For `fixdex index` (the binary allocates with mimalloc): freed memory
/// goes back to the system at once, so what the parsers and the writer
/// freed is gone before the final merge maps the segments (peak RSS of a
/// full build of the 14k corpus 316 -> 232 MB, for 5% of its time).
/// Queries keep the delay: purging at once costs them 5%.
fn return_freed_memory_at_once() {
    // SAFETY: an option store, made before the run starts any thread.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // The documented default of purge_delay: a wrong index would name
        // another option (nothing in this test binary sets it).
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 10);
    }
}
