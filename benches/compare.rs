//! fixdex against SQLite FTS5 on the same section documents: index build,
//! incremental re-index, query latency, batch throughput, memory and size.
//! The build is also timed against the naive baseline of `--bench
//! baseline` (files read and split at their heading lines into FTS5), the
//! baseline the build target is stated against, and its two halves are
//! timed alone (`halves`): a floor for what any change to the other half
//! can reach.
//!
//! `cargo bench --bench compare -- [--sizes 1000,10000] [--real DIR] [--runs N] [--queries FILE]`
//!
//! The generated queries are made of the generator's topic words. With
//! `--queries`, the real corpus is also timed on the queries of that file
//! (problem descriptions written for it, one per line or the first column
//! of a relevance TSV), in a table of its own.
//!
//! Every figure is a median over `--runs` runs (queries: over all timed
//! queries), and fixdex and FTS5 are measured in the same run, so the
//! ratios hold even on a noisy machine.

#[path = "corpus_gen/mod.rs"]
mod corpus_gen;
#[path = "halves/mod.rs"]
mod halves;
#[path = "naive/mod.rs"]
mod naive;

use anyhow::{Context, Result};
use fixdex::index::open_index;
use fixdex::ingest::article::read_article;
use fixdex::ingest::sections::Section;
use fixdex::search::{Engine, SearchOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_fixdex");

struct Args {
    sizes: Vec<usize>,
    real: Option<PathBuf>,
    runs: usize,
    work: PathBuf,
    /// Queries of the user's own for the real corpus (one per line, or a
    /// relevance TSV whose first column is the query).
    queries: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut a = Args {
        sizes: vec![1000, 10_000],
        real: None,
        runs: 3,
        work: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-work"),
        queries: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                a.sizes = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect()
            }
            "--real" => a.real = it.next().map(PathBuf::from),
            "--runs" => a.runs = it.next().and_then(|s| s.parse().ok()).unwrap_or(3).max(1),
            "--work" => a.work = it.next().map(PathBuf::from).unwrap_or(a.work),
            "--queries" => a.queries = it.next().map(PathBuf::from),
            _ => {} // `cargo bench` passes --bench
        }
    }
    a
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Peak memory of a run: all resident pages (VmHWM), and the anonymous
/// ones alone (sampled): the difference is mapped files, such as the index
/// segments a merge reads, which the kernel can drop under pressure.
#[derive(Clone, Copy, Default)]
struct Peak {
    resident: u64,
    anonymous: u64,
}

/// Runs a command, sampling its peak memory until it exits.
fn run_measured(cmd: &mut Command) -> Result<(Duration, Peak)> {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = Peak::default();
    let kb = |s: &str, key: &str| -> u64 {
        (s.lines().find(|l| l.starts_with(key)))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|x| x.parse().ok())
            .unwrap_or(0)
    };
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            peak.resident = peak.resident.max(kb(&s, "VmHWM:") * 1024);
            peak.anonymous = peak.anonymous.max(kb(&s, "RssAnon:") * 1024);
        }
        if let Some(status) = child.try_wait()? {
            let elapsed = start.elapsed();
            if !status.success() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err)?;
                anyhow::bail!("{cmd:?} failed: {err}");
            }
            return Ok((elapsed, peak));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn fixdex_index(corpus: &Path, index: &Path) -> Result<(Duration, Peak)> {
    run_measured(
        Command::new(BIN)
            .arg("index")
            .arg(corpus)
            .arg("--index")
            .arg(index)
            .arg("--quiet"),
    )
}

/// Edits `n` article files spread over the corpus (appends a line).
fn edit_files(corpus: &Path, n: usize, round: usize) -> Result<()> {
    let files = fixdex::ingest::walk::corpus_files(corpus, false, |_| false)?.files;
    let step = (files.len() / n.max(1)).max(1);
    for f in files.iter().step_by(step).take(n) {
        let mut h = std::fs::OpenOptions::new().append(true).open(&f.abs)?;
        writeln!(h, "\nEdited in benchmark round {round}.")?;
    }
    Ok(())
}

struct Fts {
    conn: rusqlite::Connection,
}

const FTS_STOP: &[&str] = &[
    "the", "a", "an", "and", "or", "to", "of", "is", "it", "my", "i", "how", "do", "why",
];

impl Fts {
    fn build(path: &Path, sections: &[Section]) -> Result<(Fts, Duration)> {
        let _ = std::fs::remove_file(path);
        let start = Instant::now();
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
             CREATE VIRTUAL TABLE sections USING fts5(heading, title, text, tags, id UNINDEXED, path UNINDEXED, tokenize='porter unicode61');",
        )?;
        let mut fts = Fts { conn };
        fts.insert(sections)?;
        Ok((fts, start.elapsed()))
    }

    fn insert(&mut self, sections: &[Section]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx
                .prepare("INSERT INTO sections(heading, title, text, tags, id, path) VALUES (?,?,?,?,?,?)")?;
            for s in sections {
                let tags = s
                    .tags
                    .iter()
                    .chain(&s.categories)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                st.execute(rusqlite::params![s.heading, s.title, s.text, tags, s.id, s.path])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn replace_files(&mut self, corpus: &Path, paths: &[String]) -> Result<()> {
        let mut fresh = Vec::new();
        for p in paths {
            if let Ok(a) = read_article(&corpus.join(p), p) {
                fresh.extend(a.sections);
            }
        }
        let tx = self.conn.transaction()?;
        for p in paths {
            tx.execute("DELETE FROM sections WHERE path = ?", [p])?;
        }
        tx.commit()?;
        self.insert(&fresh)
    }

    fn query(&self, q: &str) -> Result<usize> {
        let terms: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !FTS_STOP.contains(&w.to_lowercase().as_str()))
            .map(|w| format!("\"{}\"", w.to_lowercase()))
            .collect();
        if terms.is_empty() {
            return Ok(0);
        }
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM sections WHERE sections MATCH ?1 ORDER BY bm25(sections, 2.5, 1.2, 1.0, 0.3) LIMIT 5",
        )?;
        let n = st
            .query_map([terms.join(" OR ")], |r| r.get::<_, String>(0))?
            .count();
        Ok(n)
    }
}

struct Row {
    name: &'static str,
    fixdex: f64,
    fts: Option<f64>,
    unit: &'static str,
    lower_is_better: bool,
}

fn print_table(title: &str, rows: &[Row]) {
    println!("\n{title}");
    println!(
        "{:<34} {:>12} {:>12} {:>12}",
        "metric", "fixdex", "FTS5", "fixdex/FTS5"
    );
    for r in rows {
        let fts = r.fts.map_or("—".to_string(), |v| format!("{v:.3}"));
        let ratio = r.fts.map_or("—".to_string(), |v| {
            let x = r.fixdex / v;
            format!(
                "{x:.2}{}",
                if (x < 1.0) == r.lower_is_better {
                    " ✓"
                } else {
                    ""
                }
            )
        });
        println!(
            "{:<34} {:>12} {:>12} {:>12}",
            format!("{} ({})", r.name, r.unit),
            format!("{:.3}", r.fixdex),
            fts,
            ratio
        );
    }
}

/// Query timings of one set of queries, fixdex and FTS5 alike.
struct QueryTimes {
    /// In-process answers (ms).
    lat: Vec<f64>,
    fts_lat: Vec<f64>,
    /// Whole `fixdex query` processes (ms).
    whole: Vec<f64>,
    /// `--stdin` batches and FTS5 passes (queries/s).
    qps: Vec<f64>,
    fts_qps: Vec<f64>,
}

/// Times `queries` on the fixdex index `idx` and on `fts`: in process
/// (after a warm-up), as whole processes, and as batches.
fn time_queries(idx: &Path, corpus: &Path, fts: &Fts, queries: &[String], runs: usize) -> Result<QueryTimes> {
    // In-process query latency.
    let engine = Engine::new(open_index(idx)?, Some(corpus))?;
    let opts = SearchOptions::default();
    for q in queries.iter().take(20) {
        engine.search(q, &opts)?;
        fts.query(q)?;
    }
    let mut lat = Vec::new();
    let mut fts_lat = Vec::new();
    for _ in 0..runs {
        for q in queries {
            let s = Instant::now();
            engine.search(q, &opts)?;
            lat.push(s.elapsed().as_secs_f64() * 1e3);
            let s = Instant::now();
            fts.query(q)?;
            fts_lat.push(s.elapsed().as_secs_f64() * 1e3);
        }
    }

    // Whole-process query and --stdin batch.
    let mut whole = Vec::new();
    for q in queries.iter().take(30) {
        let s = Instant::now();
        let st = Command::new(BIN)
            .args(["query", "--json", "--no-refresh", "--index"])
            .arg(idx)
            .arg(q)
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(st.code().is_some_and(|c| c <= 1), "query failed");
        whole.push(s.elapsed().as_secs_f64() * 1e3);
    }
    let batch_input: String = (0..5)
        .flat_map(|_| queries.iter())
        .map(|q| format!("{q}\n"))
        .collect();
    let mut qps = Vec::new();
    for _ in 0..runs {
        let s = Instant::now();
        let mut child = Command::new(BIN)
            .args(["query", "--stdin", "--jsonl", "--no-refresh", "--index"])
            .arg(idx)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        child.stdin.take().unwrap().write_all(batch_input.as_bytes())?;
        child.wait()?;
        qps.push(batch_input.lines().count() as f64 / s.elapsed().as_secs_f64());
    }
    // FTS5 answers one pass over the queries (a rate, like fixdex's): five
    // passes take most of an hour at 100k articles.
    let mut fts_qps = Vec::new();
    for _ in 0..runs {
        let s = Instant::now();
        for q in queries {
            fts.query(q)?;
        }
        fts_qps.push(queries.len() as f64 / s.elapsed().as_secs_f64());
    }

    Ok(QueryTimes {
        lat,
        fts_lat,
        whole,
        qps,
        fts_qps,
    })
}

fn bench_corpus(
    label: &str,
    corpus: &Path,
    work: &Path,
    runs: usize,
    queries: &[String],
    editable: bool,
    own: Option<&[String]>,
) -> Result<()> {
    let idx = work.join(format!("{label}-index"));
    let corpus_bytes = dir_bytes(corpus);
    let articles = fixdex::ingest::walk::corpus_files(corpus, false, |_| false)?
        .files
        .len();
    let mb = corpus_bytes as f64 / 1e6;

    // Full builds.
    let mut build = Vec::new();
    let mut rss = Vec::new();
    let mut anon = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&idx);
        let (t, peak) = fixdex_index(corpus, &idx)?;
        build.push(t.as_secs_f64());
        rss.push(peak.resident as f64 / 1e6);
        anon.push(peak.anonymous as f64 / 1e6);
    }
    let build_s = median(build);
    // The sections fixdex parsed, for FTS5 too.
    let (halves, parsed) = halves::time(corpus, &work.join(format!("{label}-halves")), runs)?;
    let sections: Vec<Section> = parsed.into_iter().flatten().collect();
    let fts_path = work.join(format!("{label}-fts.db"));
    let mut fts_build = Vec::new();
    let mut fts = None;
    for _ in 0..runs {
        drop(fts.take());
        let (f, t) = Fts::build(&fts_path, &sections)?;
        fts_build.push(t.as_secs_f64());
        fts = Some(f);
    }
    let mut fts = fts.context("no FTS5 build")?;
    let fts_build_s = median(fts_build);
    let naive_s = naive_build(corpus, &work.join(format!("{label}-naive.db")), runs)?;

    // No-change and incremental re-index.
    let (noop, _) = fixdex_index(corpus, &idx)?;
    let (mut one, mut pct, mut fts_one, mut fts_pct) = (None, None, None, None);
    if editable {
        let files = fixdex::ingest::walk::corpus_files(corpus, false, |_| false)?.files;
        let mut t1 = Vec::new();
        let mut f1 = Vec::new();
        for r in 0..runs {
            edit_files(corpus, 1, r)?;
            t1.push(fixdex_index(corpus, &idx)?.0.as_secs_f64());
            let p = vec![files[0].rel.clone()];
            let s = Instant::now();
            fts.replace_files(corpus, &p)?;
            f1.push(s.elapsed().as_secs_f64());
        }
        one = Some(median(t1));
        fts_one = Some(median(f1));
        let n = (articles / 100).max(1);
        edit_files(corpus, n, 99)?;
        pct = Some(fixdex_index(corpus, &idx)?.0.as_secs_f64());
        let step = (files.len() / n).max(1);
        let paths: Vec<String> = files
            .iter()
            .step_by(step)
            .take(n)
            .map(|f| f.rel.clone())
            .collect();
        let s = Instant::now();
        fts.replace_files(corpus, &paths)?;
        fts_pct = Some(s.elapsed().as_secs_f64());
    }

    let q = time_queries(&idx, corpus, &fts, queries, runs)?;
    let idx_bytes = dir_bytes(&idx);
    let fts_bytes = std::fs::metadata(&fts_path)?.len();
    let mut rows = vec![
        Row {
            name: "full build",
            fixdex: build_s,
            fts: Some(fts_build_s),
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "full build vs naive FTS5",
            fixdex: build_s,
            fts: Some(naive_s),
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "  its reading alone vs naive",
            fixdex: halves.parse,
            fts: Some(naive_s),
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "  its indexing alone vs naive",
            fixdex: halves.index,
            fts: Some(naive_s),
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "    of it the merge",
            fixdex: halves.merge,
            fts: None,
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "build throughput",
            fixdex: articles as f64 / build_s,
            fts: Some(articles as f64 / fts_build_s),
            unit: "articles/s",
            lower_is_better: false,
        },
        Row {
            name: "build throughput",
            fixdex: mb / build_s,
            fts: Some(mb / fts_build_s),
            unit: "MB/s",
            lower_is_better: false,
        },
        Row {
            name: "peak RSS while indexing",
            fixdex: median(rss),
            fts: None,
            unit: "MB",
            lower_is_better: true,
        },
        Row {
            name: "  of it anonymous memory",
            fixdex: median(anon),
            fts: None,
            unit: "MB",
            lower_is_better: true,
        },
        Row {
            name: "re-index, nothing changed",
            fixdex: noop.as_secs_f64(),
            fts: None,
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "re-index, 1 file changed",
            fixdex: one.unwrap_or(f64::NAN),
            fts: fts_one,
            unit: "s",
            lower_is_better: true,
        },
        Row {
            name: "  as share of full build",
            fixdex: one.unwrap_or(f64::NAN) / build_s * 100.0,
            fts: fts_one.map(|f| f / fts_build_s * 100.0),
            unit: "%",
            lower_is_better: true,
        },
        Row {
            name: "re-index, 1% changed",
            fixdex: pct.unwrap_or(f64::NAN),
            fts: fts_pct,
            unit: "s",
            lower_is_better: true,
        },
    ];
    rows.extend(query_rows(q));
    rows.push(Row {
        name: "index size / corpus",
        fixdex: idx_bytes as f64 / corpus_bytes as f64 * 100.0,
        fts: Some(fts_bytes as f64 / corpus_bytes as f64 * 100.0),
        unit: "%",
        lower_is_better: true,
    });
    print_table(
        &format!(
            "== {label}: {articles} articles, {:.1} MB Markdown, {} sections, {runs} run(s), {} cores",
            mb,
            sections.len(),
            std::thread::available_parallelism().map_or(1, |n| n.get())
        ),
        &rows,
    );
    println!(
        "(FTS5's full build inserts the sections fixdex parsed, untimed; its naive build reads the files and splits them at heading lines, as `--bench baseline` does, all timed. fixdex's covers reading, cleaning and splitting. Its two halves are also timed alone: reading the files into sections on all cores, and indexing the sections from memory with the build's writer, merge included; the build takes at least the longer of the two.)"
    );
    if let Some(own) = own {
        let q = time_queries(&idx, corpus, &fts, own, runs)?;
        print_table(
            &format!("== {label}, the {} queries of --queries", own.len()),
            &query_rows(q),
        );
    }
    Ok(())
}

/// The median time of the naive baseline's build (`naive::build`) from the
/// files of `corpus` into a database at `path`, as the full FTS5 build is
/// written: journal and sync off.
fn naive_build(corpus: &Path, path: &Path, runs: usize) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_file(path);
        let start = Instant::now();
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")?;
        drop(naive::build(conn, corpus)?);
        times.push(start.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_file(path);
    Ok(median(times))
}

/// The latency and throughput rows of a set of queries.
fn query_rows(q: QueryTimes) -> Vec<Row> {
    vec![
        Row {
            name: "query p50, in-process",
            fixdex: percentile(q.lat.clone(), 0.5),
            fts: Some(percentile(q.fts_lat.clone(), 0.5)),
            unit: "ms",
            lower_is_better: true,
        },
        Row {
            name: "query p99, in-process",
            fixdex: percentile(q.lat, 0.99),
            fts: Some(percentile(q.fts_lat, 0.99)),
            unit: "ms",
            lower_is_better: true,
        },
        Row {
            name: "query, whole process",
            fixdex: median(q.whole),
            fts: None,
            unit: "ms",
            lower_is_better: true,
        },
        Row {
            name: "--stdin batch",
            fixdex: median(q.qps),
            fts: Some(median(q.fts_qps)),
            unit: "queries/s",
            lower_is_better: false,
        },
    ]
}

/// The queries of a file: each line's first tab-separated field, blank
/// lines and `#` comments left out.
fn read_queries(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let queries: Vec<String> = (text.lines())
        .map(|l| l.split('\t').next().unwrap_or("").trim())
        .filter(|q| !q.is_empty() && !q.starts_with('#'))
        .map(str::to_string)
        .collect();
    anyhow::ensure!(!queries.is_empty(), "{} holds no queries", path.display());
    Ok(queries)
}

fn main() -> Result<()> {
    let args = parse_args();
    std::fs::create_dir_all(&args.work)?;
    let queries = corpus_gen::queries(7);
    let own = args.queries.as_deref().map(read_queries).transpose()?;
    for &n in &args.sizes {
        let corpus = args.work.join(format!("gen-{n}"));
        let _ = std::fs::remove_dir_all(&corpus);
        corpus_gen::write_corpus(&corpus, n, 42)?;
        let runs = if n >= 50_000 { 1 } else { args.runs };
        bench_corpus(
            &format!("generated-{n}"),
            &corpus,
            &args.work,
            runs,
            &queries,
            true,
            None,
        )?;
        let _ = std::fs::remove_dir_all(&corpus);
    }
    if let Some(real) = &args.real {
        // Work on a copy so the incremental edits do not touch the source.
        let copy = args.work.join("real-corpus");
        let _ = std::fs::remove_dir_all(&copy);
        let st = Command::new("cp").arg("-r").arg(real).arg(&copy).status()?;
        anyhow::ensure!(st.success(), "cannot copy {}", real.display());
        bench_corpus(
            "real",
            &copy,
            &args.work,
            args.runs,
            &queries,
            true,
            own.as_deref(),
        )?;
        let _ = std::fs::remove_dir_all(&copy);
    }
    Ok(())
}
