//! The naive baseline fixdex must beat, on the same relevance files as
//! `fixdex eval`: every file split at its Markdown headings (no cleaning,
//! no front matter handling beyond the title, no synonyms), indexed in
//! SQLite FTS5 (porter stemming) and ranked by bm25 with weights title 2,
//! heading 4, body 1; a query is its words joined by OR.
//!
//! ```sh
//! cargo bench --bench baseline -- QUERIES.tsv CORPUS [QUERIES.tsv CORPUS ...]
//! ```
//!
//! prints, per file, the baseline's success@1, success@3 and MRR@10 beside
//! fixdex's (run in the same process, with a fresh index of CORPUS).

use anyhow::{Context, Result};
use fixdex::eval::{Case, parse_cases};
use fixdex::index::{IndexOptions, open_index, run_index};
use fixdex::ingest::sections::fold;
use fixdex::search::Engine;
use std::path::Path;

#[path = "naive/mod.rs"]
mod naive;

fn accepts(case: &Case, path: &str, heading: &str) -> bool {
    let file_ok = case.files.is_empty()
        || case.files.iter().any(|f| {
            path == f || path.rsplit('/').next() == Some(f.as_str()) || path.ends_with(&format!("/{f}"))
        });
    file_ok && case.headings.iter().any(|h| fold(h) == fold(heading))
}

/// (success@1, success@3, MRR@10) from the rank of the first right answer.
fn score(ranks: &[Option<usize>]) -> (f64, f64, f64) {
    let n = ranks.len().max(1) as f64;
    let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
    let mrr = ranks
        .iter()
        .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
        .sum::<f64>()
        / n;
    (at(1), at(3), mrr)
}

fn baseline_ranks(conn: &rusqlite::Connection, cases: &[Case]) -> Result<Vec<Option<usize>>> {
    let mut st = conn
        .prepare("SELECT path, heading FROM s WHERE s MATCH ?1 ORDER BY bm25(s, 2.0, 4.0, 1.0) LIMIT 10")?;
    let mut ranks = Vec::new();
    for case in cases {
        let words: Vec<String> = case
            .query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\""))
            .collect();
        if words.is_empty() {
            ranks.push(None);
            continue;
        }
        let rows: Vec<(String, String)> = st
            .query_map([words.join(" OR ")], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        ranks.push(rows.iter().position(|(p, h)| accepts(case, p, h)).map(|i| i + 1));
    }
    Ok(ranks)
}

fn fixdex_ranks(corpus: &Path, cases: &[Case]) -> Result<Vec<Option<usize>>> {
    let work = tempfile::tempdir()?;
    let index_dir = work.path().join("index");
    run_index(&IndexOptions {
        corpus: corpus.to_path_buf(),
        index_dir: index_dir.clone(),
        ..IndexOptions::default()
    })?;
    let engine = Engine::new(open_index(&index_dir)?, Some(corpus))?;
    let opts = fixdex::search::SearchOptions {
        limit: 10,
        ..Default::default()
    };
    cases
        .iter()
        .map(|c| {
            let a = engine.search(&c.query, &opts)?;
            Ok(a.hits
                .iter()
                .position(|h| fixdex::eval::hit_matches(c, h))
                .map(|i| i + 1))
        })
        .collect()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.len() < 2 || !args.len().is_multiple_of(2) {
        eprintln!("usage: cargo bench --bench baseline -- QUERIES.tsv CORPUS [QUERIES.tsv CORPUS ...]");
        return Ok(());
    }
    println!(
        "{:<28} {:>7} {:>23} {:>23}",
        "queries", "n", "naive FTS5 s@1/s@3/MRR", "fixdex s@1/s@3/MRR"
    );
    for pair in args.chunks(2) {
        let (queries, corpus) = (Path::new(&pair[0]), Path::new(&pair[1]));
        let text =
            std::fs::read_to_string(queries).with_context(|| format!("cannot read {}", queries.display()))?;
        let cases = parse_cases(&text)?;
        let conn = naive::build(rusqlite::Connection::open_in_memory()?, corpus)?;
        let base = baseline_ranks(&conn, &cases)?;
        let ours = fixdex_ranks(corpus, &cases)?;
        let (b1, b3, bm) = score(&base);
        let (f1, f3, fm) = score(&ours);
        let name = queries
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_string());
        println!(
            "{name:<28} {:>7} {:>7.3}/{:.3}/{:.3} {:>7.3}/{:.3}/{:.3}",
            cases.len(),
            b1,
            b3,
            bm,
            f1,
            f3,
            fm
        );
        // Where only one of them answers first: the cases to study.
        for ((case, b), f) in cases.iter().zip(&base).zip(&ours) {
            match (*b == Some(1), *f == Some(1)) {
                (true, false) => println!("    only naive: {:?} (fixdex rank {f:?})", case.query),
                (false, true) => println!("    only fixdex: {:?}", case.query),
                _ => {}
            }
        }
    }
    Ok(())
}
