//! Is the tuned ranking a local optimum of its knobs? Evaluates relevance
//! files at the tuned knobs and at random points around them, in process,
//! and says whether any point answers more queries first.
//!
//! ```sh
//! cargo bench --bench knobs -- [--points N] [--sigma S] [--seed K] QUERIES.tsv INDEX [QUERIES.tsv INDEX ...]
//! ```
//!
//! Each point moves every numeric knob ([`Ranking::knobs`]) with
//! probability ½, multiplying it by e^g for g drawn from N(0, σ). A point
//! *beats* the tuned ranking when it answers more queries first over all
//! the files and no file loses more than one: the rule a ranking change
//! must pass. The indexes are used as they are (semantic ones with their
//! model), so build them first, each on the corpus its file names.

use anyhow::{Context, Result, bail};
use fixdex::eval::{Case, evaluate, parse_cases};
use fixdex::index::open_index;
use fixdex::search::{Engine, Ranking};
use std::path::Path;

/// One relevance file on its index.
struct Set {
    name: String,
    cases: Vec<Case>,
    engine: Engine,
}

/// Queries answered first and MRR@10, per file.
type Scores = Vec<(usize, f64)>;

/// splitmix64: reproducible from the seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

fn scores(sets: &mut [Set], ranking: &Ranking) -> Result<Scores> {
    sets.iter_mut()
        .map(|s| {
            s.engine.set_ranking(ranking.clone());
            let r = evaluate(&s.engine, &s.cases)?;
            Ok(((r.success_at_1 * r.queries as f64).round() as usize, r.mrr_at_10))
        })
        .collect()
}

/// A random point around `tuned`, as the override spec and the ranking.
fn around(tuned: &Ranking, sigma: f64, rng: &mut Rng) -> (String, Ranking) {
    let mut spec = Vec::new();
    for (name, value) in tuned.knobs() {
        if rng.unit() < 0.5 {
            let moved = f64::from(value) * (sigma * rng.normal()).exp();
            spec.push(format!("{name}={moved:.4}"));
        }
    }
    let spec = spec.join(",");
    let ranking = tuned.clone().with_overrides(&spec);
    (spec, ranking)
}

fn total(s: &Scores) -> usize {
    s.iter().map(|(first, _)| first).sum()
}

fn mrr_sum(s: &Scores) -> f64 {
    s.iter().map(|(_, mrr)| mrr).sum()
}

fn row(s: &Scores) -> String {
    let firsts: Vec<String> = s.iter().map(|(f, _)| f.to_string()).collect();
    format!(
        "{} (total {}, MRR sum {:.3})",
        firsts.join(" / "),
        total(s),
        mrr_sum(s)
    )
}

/// Each relevance file with an engine on its index.
fn load(args: &[String]) -> Result<Vec<Set>> {
    let mut sets = Vec::new();
    for pair in args.chunks(2) {
        let (queries, index) = (Path::new(&pair[0]), Path::new(&pair[1]));
        let text =
            std::fs::read_to_string(queries).with_context(|| format!("cannot read {}", queries.display()))?;
        let open = open_index(index)?;
        let corpus = open.header.corpus.clone();
        sets.push(Set {
            name: queries
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().to_string()),
            cases: parse_cases(&text)?,
            engine: Engine::new(open, Some(&corpus))?,
        });
    }
    Ok(sets)
}

/// What the points reached, file by file, and the points that beat the tuned ranking.
fn report(
    names: &[String],
    base: &Scores,
    seen: &[(Scores, String)],
    (points, sigma, seed): (usize, f64, u64),
) {
    let mut totals: Vec<usize> = seen.iter().map(|(s, _)| total(s)).collect();
    totals.sort_unstable();
    if let (Some(lo), Some(hi)) = (totals.first(), totals.last()) {
        println!(
            "{points} points (sigma {sigma}, seed {seed}): total first {lo} .. {} .. {hi}",
            totals[totals.len() / 2]
        );
    }
    for (i, name) in names.iter().enumerate() {
        let best = seen.iter().map(|(s, _)| s[i].0).max().unwrap_or(0);
        let at = seen.iter().filter(|(s, _)| s[i].0 == best).count();
        println!("  {name}: tuned {}, best {best} (at {at} points)", base[i].0);
    }
    let beats = |s: &Scores| total(s) > total(base) && s.iter().zip(base).all(|(a, b)| a.0 + 1 >= b.0);
    let mut winners: Vec<&(Scores, String)> = seen.iter().filter(|(s, _)| beats(s)).collect();
    winners.sort_by(|a, b| {
        total(&b.0)
            .cmp(&total(&a.0))
            .then(mrr_sum(&b.0).total_cmp(&mrr_sum(&a.0)))
    });
    if winners.is_empty() {
        println!("no point beats the tuned ranking");
    }
    for (s, spec) in winners.iter().take(5) {
        println!("beats: first {} at {spec}", row(s));
    }
}

/// The value of `flag` in `args` (removed from them), else `default`.
fn take<T: std::str::FromStr>(args: &mut Vec<String>, flag: &str, default: T) -> Result<T> {
    let Some(i) = args.iter().position(|a| a == flag) else {
        return Ok(default);
    };
    let Some(value) = args.get(i + 1).and_then(|v| v.parse().ok()) else {
        bail!("{flag} takes a number");
    };
    args.drain(i..=i + 1);
    Ok(value)
}

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let points: usize = take(&mut args, "--points", 200)?;
    let sigma: f64 = take(&mut args, "--sigma", 0.3)?;
    let seed: u64 = take(&mut args, "--seed", 1)?;
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!(
            "usage: cargo bench --bench knobs -- [--points N] [--sigma S] [--seed K] QUERIES.tsv INDEX [QUERIES.tsv INDEX ...]"
        );
        return Ok(());
    }
    let mut sets = load(&args)?;
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    println!("files: {}", names.join(" / "));
    let tuned = Ranking::default();
    let base = scores(&mut sets, &tuned)?;
    println!("tuned: first {}", row(&base));

    let mut rng = Rng(seed);
    let mut seen: Vec<(Scores, String)> = Vec::new();
    for _ in 0..points {
        let (spec, ranking) = around(&tuned, sigma, &mut rng);
        seen.push((scores(&mut sets, &ranking)?, spec));
    }
    report(&names, &base, &seen, (points, sigma, seed));
    Ok(())
}
