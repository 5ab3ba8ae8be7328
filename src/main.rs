//! The `fixdex` binary: parse arguments, call the library, map the outcome
//! to an exit code (0 found, 1 nothing found, 2 error).

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};
use fixdex::cli::render::{self, Style};
use fixdex::cli::{Cli, ColorChoice, Command, EvalArgs, IndexArgs, QueryArgs, ShowArgs, StatsArgs};
use fixdex::index::indexer::{self, IndexOptions, Summary};
use fixdex::search::{Answer, Engine, SearchOptions};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A panic (a bug, or an index damaged in a way tantivy does not
    // detect) becomes one sentence and exit 2, not a Rust dump.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            *m = msg;
        }
    }));
    let outcome = std::panic::catch_unwind(|| run(&cli));
    let outcome = match outcome {
        Ok(r) => r,
        Err(_) => {
            let msg = PANIC_MESSAGE.lock().map(|m| m.clone()).unwrap_or_default();
            eprintln!(
                "fixdex: internal error ({msg}); if the index in {} is damaged, `fixdex index --rebuild` rebuilds it",
                cli.index.display()
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let mut msg = format!("{e:#}");
            let from_tantivy = e
                .chain()
                .any(|c| c.downcast_ref::<tantivy::TantivyError>().is_some());
            if from_tantivy && !msg.contains("--rebuild") {
                msg = format!(
                    "the index in {} cannot be read ({msg}); `fixdex index --rebuild` rebuilds it",
                    cli.index.display()
                );
            }
            // One sentence on one line, whatever the underlying error printed.
            let msg = msg.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("fixdex: {msg}");
            ExitCode::from(2)
        }
    }
}

static PANIC_MESSAGE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

fn run(cli: &Cli) -> Result<u8> {
    match &cli.command {
        Command::Index(a) => cmd_index(cli, a),
        Command::Query(a) => cmd_query(cli, a),
        Command::Show(a) => cmd_show(cli, a),
        Command::Stats(a) => cmd_stats(cli, a),
        Command::Eval(a) => cmd_eval(cli, a),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "fixdex", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            std::io::stdout().write_all(&buf)?;
            Ok(0)
        }
    }
}

fn color_on(cli: &Cli) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match cli.color {
        ColorChoice::Never => false,
        ColorChoice::Always => !no_color,
        ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
    }
}

fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "indexed {} articles, {} sections ({} parsed, {} unchanged, {} removed, {} skipped) in {:.2}s",
        s.articles,
        s.sections,
        s.parsed,
        s.unchanged,
        s.removed,
        s.skipped.len(),
        s.seconds
    );
    if let Some(r) = &s.rebuilt {
        line = format!("rebuilt the index ({r}); {line}");
    }
    line
}

fn cmd_index(cli: &Cli, a: &IndexArgs) -> Result<u8> {
    let corpus = a.corpus.clone().unwrap_or_else(|| cli.corpus.clone());
    let opts = IndexOptions {
        corpus,
        index_dir: cli.index.clone(),
        rebuild: a.rebuild,
        progress: !a.quiet && std::io::stderr().is_terminal(),
        wait: a.wait,
    };
    if a.check {
        let r = indexer::check(&opts.corpus, &opts.index_dir)?;
        let mut out = std::io::stdout().lock();
        if a.json {
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
        } else if r.is_clean() {
            writeln!(
                out,
                "index is consistent with the corpus: {} sections",
                r.index_sections
            )?;
        } else {
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
            writeln!(out, "drift found; `fixdex index` brings the index up to date")?;
        }
        return Ok(if r.is_clean() { 0 } else { 1 });
    }
    let s = indexer::run_index(&opts)?;
    if a.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
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

/// Opens the index, re-indexing the corpus first when it is missing or stale.
fn open_engine(cli: &Cli, no_refresh: bool) -> Result<Engine> {
    let corpus_exists = cli.corpus.exists();
    let mut open = indexer::open_index(&cli.index);
    // Opening reads only the manifest's header; the file table is read
    // only for the staleness check.
    let refresh = !no_refresh && corpus_exists && indexer::needs_refresh(&cli.corpus, &cli.index)?;
    if refresh {
        let opts = IndexOptions {
            corpus: cli.corpus.clone(),
            index_dir: cli.index.clone(),
            rebuild: false,
            progress: std::io::stderr().is_terminal(),
            wait: false,
        };
        let has_index = cli.index.join(fixdex::index::manifest::FILE_NAME).exists();
        match indexer::run_index(&opts) {
            Ok(s) => {
                if std::io::stderr().is_terminal() {
                    eprintln!("{}", summary_line(&s));
                }
            }
            // Another process is indexing: answer from the last commit.
            Err(e) if has_index && e.downcast_ref::<indexer::IndexLocked>().is_some() => {
                if std::io::stderr().is_terminal() {
                    eprintln!("fixdex: another fixdex is indexing; answering from the last complete index");
                }
            }
            Err(e) if e.downcast_ref::<indexer::IndexLocked>().is_some() => {
                indexer::run_index(&IndexOptions { wait: true, ..opts })?;
            }
            Err(e) => return Err(e),
        }
        open = indexer::open_index(&cli.index);
    }
    if !cli.index.join(fixdex::index::manifest::FILE_NAME).exists() && !corpus_exists {
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

fn search_options(a: &QueryArgs) -> SearchOptions {
    SearchOptions {
        limit: usize::from(a.limit),
        tags: a.tags.clone(),
        categories: a.categories.clone(),
        all_sections: a.all_sections,
        explain: a.explain,
        min_confidence: a.min_confidence.clamp(0.0, 1.0),
    }
}

fn cmd_query(cli: &Cli, a: &QueryArgs) -> Result<u8> {
    let engine = open_engine(cli, a.no_refresh)?;
    let opts = search_options(a);
    if a.stdin {
        return query_stream(engine, opts);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let text = a.text.join(" ");
    let answer = engine.search(&text, &opts)?;
    if a.json {
        serde_json::to_writer_pretty(&mut out, &answer)?;
        writeln!(out)?;
    } else if a.jsonl {
        serde_json::to_writer(&mut out, &answer)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, cli, &engine, &answer)?;
    }
    out.flush()?;
    Ok(if answer.hits.is_empty() { 1 } else { 0 })
}

/// `query --stdin`: answers one query per input line, one JSON line each,
/// in input order. Queries are answered on all cores; each answer is written
/// as soon as the ones before it are, and output is flushed whenever the
/// workers are idle, so a script can send a query and wait for its answer.
fn query_stream(mut engine: Engine, opts: SearchOptions) -> Result<u8> {
    use std::sync::{Arc, Mutex, mpsc};
    type Answered = Result<(bool, String)>;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    // One query per core already: no segment threads on top.
    engine.set_segment_threads(1);
    let engine = Arc::new(engine);
    let opts = Arc::new(opts);
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, String)>(workers * 8);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::channel::<(usize, Answered)>();
    // The reader and the workers are detached: if writing fails (a closed
    // pipe), the process ends without waiting for more input.
    {
        let res_tx = res_tx.clone();
        std::thread::spawn(move || {
            for (i, line) in std::io::stdin().lock().lines().enumerate() {
                match line {
                    Ok(l) => {
                        if job_tx.send((i, l)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = res_tx.send((
                            i,
                            Err(anyhow::Error::new(e).context("cannot read standard input")),
                        ));
                        break;
                    }
                }
            }
        });
    }
    for _ in 0..workers {
        let (engine, opts, job_rx, res_tx) = (engine.clone(), opts.clone(), job_rx.clone(), res_tx.clone());
        std::thread::spawn(move || {
            loop {
                let job = job_rx
                    .lock()
                    .map_err(|_| ())
                    .and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok((i, line)) = job else { break };
                let answered = engine
                    .search(&line, &opts)
                    .and_then(|a| Ok((!a.hits.is_empty(), serde_json::to_string(&a)?)));
                if res_tx.send((i, answered)).is_err() {
                    break;
                }
            }
        });
    }
    drop(res_tx);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut pending: std::collections::BTreeMap<usize, Answered> = std::collections::BTreeMap::new();
    let mut next = 0;
    let mut any = false;
    loop {
        let (i, answered) = match res_rx.try_recv() {
            Ok(m) => m,
            Err(mpsc::TryRecvError::Empty) => {
                out.flush()?;
                match res_rx.recv() {
                    Ok(m) => m,
                    Err(_) => break,
                }
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
        };
        pending.insert(i, answered);
        while let Some(answered) = pending.remove(&next) {
            let (hit, line) = answered?;
            any |= hit;
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
            next += 1;
        }
    }
    out.flush()?;
    Ok(if any { 0 } else { 1 })
}

fn write_text(out: &mut impl Write, cli: &Cli, engine: &Engine, answer: &Answer) -> Result<()> {
    let width = terminal_size::terminal_size_of(std::io::stdout())
        .map_or(100, |(w, _)| usize::from(w.0))
        .clamp(40, 160);
    let style = Style {
        color: color_on(cli),
        width,
    };
    let ranges = |line: &str| engine.match_ranges(line, &answer.highlight);
    out.write_all(render::render_answer(answer, display_corpus(cli), style, &ranges).as_bytes())?;
    Ok(())
}

/// The corpus path to show in `path:line` locations: as the user gave it.
fn display_corpus(cli: &Cli) -> &Path {
    &cli.corpus
}

fn cmd_show(cli: &Cli, a: &ShowArgs) -> Result<u8> {
    let open = indexer::open_index(&cli.index)?;
    let engine = Engine::new(open, None)?;
    let Some(s) = engine.show(&a.id)? else {
        eprintln!(
            "fixdex: no section with id {:?}; ids come from `fixdex query --json`",
            a.id
        );
        return Ok(1);
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", s.breadcrumb.join(" › "))?;
        writeln!(out, "{}", render::location(display_corpus(cli), &s.path, s.line))?;
        if !s.steps.is_empty() {
            writeln!(out, "\nSteps")?;
            for st in &s.steps {
                writeln!(out, "  • {st}")?;
            }
        }
        writeln!(out)?;
        for l in s.text.lines() {
            writeln!(out, "  {l}")?;
        }
    }
    Ok(0)
}

fn cmd_stats(cli: &Cli, a: &StatsArgs) -> Result<u8> {
    let open = indexer::open_index(&cli.index)?;
    let stats = fixdex::index::indexer::stats(&open, &cli.index)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
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
    }
    Ok(0)
}

fn cmd_eval(cli: &Cli, a: &EvalArgs) -> Result<u8> {
    let text = std::fs::read_to_string(&a.queries)
        .with_context(|| format!("cannot read queries file {}", a.queries.display()))?;
    let cases = fixdex::eval::parse_cases(&text).with_context(|| format!("in {}", a.queries.display()))?;
    let mut engine = open_engine(cli, a.no_refresh)?;
    if a.ablate {
        let rows = fixdex::eval::ablate(&mut engine, &cases)?;
        let mut out = std::io::stdout().lock();
        if a.json {
            let v: Vec<_> = rows
                .iter()
                .map(|(n, r)| serde_json::json!({"ranking": n, "report": r}))
                .collect();
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        } else {
            out.write_all(fixdex::eval::render_ablation(&rows).as_bytes())?;
        }
        return Ok(0);
    }
    let report = fixdex::eval::evaluate(&engine, &cases)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        out.write_all(fixdex::eval::render(&report).as_bytes())?;
    }
    Ok(match a.min_success {
        Some(min) if report.success_at_1 < min => 1,
        _ => 0,
    })
}
