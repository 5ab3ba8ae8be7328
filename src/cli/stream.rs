//! `query --stdin`: one query per input line, one JSON line per answer, in
//! input order, with the index opened once.
//!
//! Queries are answered on all cores; each answer is written as soon as the
//! ones before it are, and output is flushed whenever the workers are idle,
//! so a script can send a query and wait for its answer. The reader and the
//! workers are detached threads: if writing fails (a closed pipe), the
//! process ends without waiting for more input.

use crate::search::{Engine, SearchOptions};
use anyhow::Result;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex, mpsc};

/// An answer as (found anything, its JSON line).
type Answered = Result<(bool, String)>;
/// Numbered input lines, shared by the workers.
type Jobs = Arc<Mutex<mpsc::Receiver<(usize, String)>>>;

/// Answers every line of standard input; exit code 0 when any query found
/// something, 1 otherwise.
pub(super) fn answer_lines(mut engine: Engine, opts: SearchOptions) -> Result<u8> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    // One query per core already: no segment threads on top.
    engine.set_segment_threads(1);
    let engine = Arc::new(engine);
    let opts = Arc::new(opts);
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, String)>(workers * 8);
    let jobs: Jobs = Arc::new(Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::channel::<(usize, Answered)>();
    spawn_reader(job_tx, res_tx.clone());
    for _ in 0..workers {
        spawn_worker(engine.clone(), opts.clone(), jobs.clone(), res_tx.clone());
    }
    drop(res_tx);
    write_in_order(res_rx)
}

/// Reads standard input into numbered jobs; a read error is reported as the
/// answer of the line it stopped at.
fn spawn_reader(jobs: mpsc::SyncSender<(usize, String)>, results: mpsc::Sender<(usize, Answered)>) {
    std::thread::spawn(move || {
        for (i, line) in std::io::stdin().lock().lines().enumerate() {
            match line {
                Ok(l) => {
                    if jobs.send((i, l)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = results.send((
                        i,
                        Err(anyhow::Error::new(e).context("cannot read standard input")),
                    ));
                    break;
                }
            }
        }
    });
}

/// Answers jobs until there are no more.
fn spawn_worker(
    engine: Arc<Engine>,
    opts: Arc<SearchOptions>,
    jobs: Jobs,
    results: mpsc::Sender<(usize, Answered)>,
) {
    std::thread::spawn(move || {
        loop {
            let job = jobs
                .lock()
                .map_err(|_| ())
                .and_then(|rx| rx.recv().map_err(|_| ()));
            let Ok((i, line)) = job else { break };
            let answered = engine
                .search(&line, &opts)
                .and_then(|a| Ok((!a.hits.is_empty(), serde_json::to_string(&a)?)));
            if results.send((i, answered)).is_err() {
                break;
            }
        }
    });
}

/// Writes the answers in input order, flushing whenever none is waiting.
fn write_in_order(results: mpsc::Receiver<(usize, Answered)>) -> Result<u8> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut pending: BTreeMap<usize, Answered> = BTreeMap::new();
    let mut next = 0;
    let mut any = false;
    loop {
        let (i, answered) = match results.try_recv() {
            Ok(m) => m,
            Err(mpsc::TryRecvError::Empty) => {
                out.flush()?;
                match results.recv() {
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
