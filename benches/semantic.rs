//! What `index --semantic` costs: embedding throughput, build time and index
//! size with and without vectors, model load time, and query latency with
//! and without the semantic re-rank, all measured in the same run.
//!
//! `cargo bench --bench semantic -- MODEL-DIR CORPUS [--queries N] [--tokens N,...] [--encoder-only]`
//!
//! `--tokens` also times the encoder alone on the corpus's first sections at
//! each token cap (default 128). Queries are the headings of sections spread
//! over the corpus, re-worded to lower case. `--encoder-only` stops after
//! the encoder figures (throughput, one short query, model load).

use anyhow::{Context, Result};
use fixdex::index::vectors::embed_input;
use fixdex::index::{IndexOptions, open_index, run_index};
use fixdex::ingest::article::read_article;
use fixdex::search::{Engine, Ranking, SearchOptions};
use fixdex::text::encoder::Encoder;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// The process's resident memory now, in MB (Linux only).
fn resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Builds an index of `corpus` in `dir` (with vectors when `model` is
/// given); returns the seconds and the run's summary.
fn build(corpus: &Path, dir: &Path, model: Option<&Path>) -> Result<(f64, fixdex::index::Summary)> {
    let _ = std::fs::remove_dir_all(dir);
    let start = Instant::now();
    let s = run_index(&IndexOptions {
        corpus: corpus.to_path_buf(),
        index_dir: dir.to_path_buf(),
        model: model.map(Path::to_path_buf),
        ..IndexOptions::default()
    })?;
    Ok((start.elapsed().as_secs_f64(), s))
}

/// Query latencies in milliseconds (in-process, one thread per query).
fn latencies(engine: &Engine, queries: &[String]) -> Result<Vec<f64>> {
    let opts = SearchOptions::default();
    let mut out = Vec::new();
    for q in queries {
        let t = Instant::now();
        engine.search(q, &opts)?;
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}

/// Section inputs of the corpus's first articles, for timing the encoder.
fn sample_inputs(corpus: &Path, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(corpus).into_iter().filter_map(Result::ok) {
        let p = e.path();
        if out.len() >= n || p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let rel = p.strip_prefix(corpus).unwrap_or(p).to_string_lossy().to_string();
        if let Ok(a) = read_article(p, &rel) {
            out.extend(a.sections.iter().map(embed_input));
        }
    }
    out.truncate(n);
    out
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.len() < 2 {
        eprintln!(
            "usage: cargo bench --bench semantic -- MODEL-DIR CORPUS [--queries N] [--tokens N,...] [--encoder-only]"
        );
        return Ok(());
    }
    let (model, corpus) = (PathBuf::from(&args[0]), PathBuf::from(&args[1]));
    let mut n_queries = 200;
    let mut caps = vec![128];
    let mut encoder_only = false;
    let mut it = args.iter().skip(2);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--queries" => n_queries = it.next().and_then(|s| s.parse().ok()).unwrap_or(200),
            "--tokens" => {
                caps = it
                    .next()
                    .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                    .unwrap_or(caps)
            }
            "--encoder-only" => encoder_only = true,
            _ => {}
        }
    }
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let before = resident_mb();
    let first = Encoder::load(&model, 128).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let (Some(a), Some(b)) = (before, resident_mb()) {
        println!("resident memory of the loaded model: {:.1} MB", b - a);
    }
    drop(first);
    let inputs = sample_inputs(&corpus, 400);
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    println!("encoder alone, {} section texts, {threads} threads:", refs.len());
    for cap in &caps {
        let enc = Encoder::load(&model, *cap).map_err(|e| anyhow::anyhow!("{e}"))?;
        let t = Instant::now();
        enc.embed(&refs, threads)?;
        let s = t.elapsed().as_secs_f64();
        println!("  cap {cap:>4} tokens: {:>6.1} sections/s", refs.len() as f64 / s);
    }
    let loads: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let _ = Encoder::load(&model, 128);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!("model load (median of 5): {:.1} ms", median(loads));
    let enc = Encoder::load(&model, 128).map_err(|e| anyhow::anyhow!("{e}"))?;
    let short: Vec<f64> = inputs
        .iter()
        .take(200)
        .map(|i| {
            let q = i.split(':').next().unwrap_or(i).to_lowercase();
            let t = Instant::now();
            let _ = enc.embed(&[q.as_str()], 1);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "one heading as a query, one thread (median of {}): {:.2} ms",
        short.len(),
        median(short)
    );
    if encoder_only {
        return Ok(());
    }

    let work = tempfile::tempdir()?;
    let (lex_dir, sem_dir) = (work.path().join("lexical"), work.path().join("semantic"));
    let (lex_s, lex) = build(&corpus, &lex_dir, None)?;
    let (sem_s, sem) = build(&corpus, &sem_dir, Some(&model)).context("semantic build")?;
    let embedded = sem.embedded.unwrap_or(0);
    println!(
        "build: lexical {lex_s:.1} s, semantic {sem_s:.1} s ({:.2}x); {} sections, {embedded} distinct texts embedded, {:.1} sections/s",
        sem_s / lex_s,
        sem.sections,
        embedded as f64 / (sem_s - lex_s).max(0.001)
    );
    let (a, b) = (dir_size(&lex_dir), dir_size(&sem_dir));
    println!(
        "index size: lexical {:.1} MB, semantic {:.1} MB (+{:.1} MB)",
        a as f64 / 1e6,
        b as f64 / 1e6,
        (b as f64 - a as f64) / 1e6
    );
    assert_eq!(lex.sections, sem.sections);

    let queries: Vec<String> = {
        let step = (inputs.len() / n_queries.max(1)).max(1);
        inputs
            .iter()
            .step_by(step)
            .map(|i| {
                i.split(':')
                    .next()
                    .unwrap_or(i)
                    .to_lowercase()
                    .replace(" > ", " ")
            })
            .take(n_queries)
            .collect()
    };
    let mut engine = Engine::new(open_index(&sem_dir)?, Some(&corpus))?;
    engine.set_segment_threads(1);
    latencies(&engine, &queries[..1])?; // loads the model
    let off = Ranking {
        semantic: 0.0,
        ..Ranking::default()
    };
    let mut with = Vec::new();
    let mut without = Vec::new();
    for q in &queries {
        engine.set_ranking(Ranking::default());
        with.extend(latencies(&engine, std::slice::from_ref(q))?);
        engine.set_ranking(off.clone());
        without.extend(latencies(&engine, std::slice::from_ref(q))?);
    }
    println!(
        "query p50 over {} queries: words only {:.2} ms, with the semantic re-rank {:.2} ms (+{:.2} ms)",
        queries.len(),
        median(without.clone()),
        median(with.clone()),
        median(with) - median(without)
    );
    Ok(())
}
