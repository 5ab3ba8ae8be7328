//! `fixdex eval`: the relevance check. Reads `query<TAB>file[|file]<TAB>heading[|heading]`
//! lines, answers each query and reports success@1, success@3 and MRR@10,
//! listing the misses.

use crate::ingest::sections::{fold, slug};
use crate::search::{Engine, Hit, Ranking, SearchOptions};
use anyhow::{Result, bail};
use serde::Serialize;

/// One relevance case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The problem description.
    pub query: String,
    /// Accepted files (relative path or file name); empty accepts any.
    pub files: Vec<String>,
    /// Accepted headings.
    pub headings: Vec<String>,
}

/// A query whose expected section was not first.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// The query.
    pub query: String,
    /// Expected heading(s), `|`-joined.
    pub expected: String,
    /// Rank of the expected section within the top 10, if there.
    pub rank: Option<usize>,
    /// Heading and location of what came first.
    pub got: Option<String>,
}

/// Result of an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Number of queries.
    pub queries: usize,
    /// Share with an expected section at rank 1.
    pub success_at_1: f64,
    /// Share with an expected section in the top 3.
    pub success_at_3: f64,
    /// Mean reciprocal rank over the top 10.
    pub mrr_at_10: f64,
    /// Median time per query, milliseconds.
    pub median_ms: f64,
    /// Queries not answered at rank 1.
    pub misses: Vec<Miss>,
    /// Why the queries were ranked by words only in a semantic index, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Parses a queries file.
pub fn parse_cases(text: &str) -> Result<Vec<Case>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            bail!(
                "line {}: expected `query<TAB>file(s)<TAB>heading(s)`, found {} column(s)",
                n + 1,
                cols.len()
            );
        }
        let files = if cols[1].trim() == "*" {
            Vec::new()
        } else {
            cols[1]
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        out.push(Case {
            query: cols[0].trim().to_string(),
            files,
            headings: cols[2].split('|').map(|s| s.trim().to_string()).collect(),
        });
    }
    Ok(out)
}

fn file_matches(files: &[String], path: &str) -> bool {
    files.is_empty()
        || files.iter().any(|f| {
            path == f || path.rsplit('/').next() == Some(f.as_str()) || path.ends_with(&format!("/{f}"))
        })
}

/// Whether a hit (or one of the copies folded into it) is an expected section.
pub fn hit_matches(case: &Case, hit: &Hit) -> bool {
    let wanted: Vec<String> = case.headings.iter().map(|h| fold(h)).collect();
    if file_matches(&case.files, &hit.path) && wanted.contains(&fold(&hit.heading)) {
        return true;
    }
    // A copy listed in also_in: compare by path and anchor slug.
    let slugs: Vec<String> = case.headings.iter().map(|h| slug(h)).collect();
    hit.also_in.iter().any(|id| {
        let (path, anchor) = id.rsplit_once('#').unwrap_or((id, ""));
        file_matches(&case.files, path)
            && slugs.iter().any(|s| {
                !s.is_empty()
                    && (anchor == s
                        || anchor.strip_prefix(s.as_str()).is_some_and(|r| {
                            r.strip_prefix('-')
                                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
                        }))
            })
    })
}

/// Runs every case against the engine.
pub fn evaluate(engine: &Engine, cases: &[Case]) -> Result<Report> {
    let opts = SearchOptions {
        limit: 10,
        ..Default::default()
    };
    let (mut s1, mut s3, mut rr) = (0usize, 0usize, 0f64);
    let mut misses = Vec::new();
    let mut times = Vec::new();
    let mut note = None;
    for case in cases {
        let answer = engine.search(&case.query, &opts)?;
        times.push(answer.took_ms);
        note = note.or(answer.note);
        let rank = answer
            .hits
            .iter()
            .position(|h| hit_matches(case, h))
            .map(|i| i + 1);
        if rank == Some(1) {
            s1 += 1;
        } else {
            misses.push(Miss {
                query: case.query.clone(),
                expected: case.headings.join(" | "),
                rank,
                got: answer
                    .hits
                    .first()
                    .map(|h| format!("{} ({}:{})", h.heading, h.path, h.line)),
            });
        }
        if rank.is_some_and(|r| r <= 3) {
            s3 += 1;
        }
        if let Some(r) = rank {
            rr += 1.0 / r as f64;
        }
    }
    times.sort_by(f64::total_cmp);
    let n = cases.len().max(1) as f64;
    Ok(Report {
        queries: cases.len(),
        success_at_1: s1 as f64 / n,
        success_at_3: s3 as f64 / n,
        mrr_at_10: rr / n,
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        misses,
        note,
    })
}

/// Runs the cases once per ranking variant of [`Ranking::ablations`].
pub fn ablate(engine: &mut Engine, cases: &[Case]) -> Result<Vec<(String, Report)>> {
    let mut out = Vec::new();
    for (name, ranking) in Ranking::ablations() {
        engine.set_ranking(ranking);
        out.push((name.to_string(), evaluate(engine, cases)?));
    }
    engine.set_ranking(Ranking::default());
    Ok(out)
}

/// Text table of an ablation run.
pub fn render_ablation(rows: &[(String, Report)]) -> String {
    let w = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut s = format!(
        "{:<w$} {:>9} {:>9} {:>7} {:>9}\n",
        "ranking", "success@1", "success@3", "MRR@10", "median ms"
    );
    for (name, r) in rows {
        s.push_str(&format!(
            "{:<w$} {:>9.3} {:>9.3} {:>7.3} {:>9.2}\n",
            name, r.success_at_1, r.success_at_3, r.mrr_at_10, r.median_ms
        ));
    }
    s
}

/// Text form of a report.
pub fn render(report: &Report) -> String {
    let mut s = format!(
        "queries {}  success@1 {:.3}  success@3 {:.3}  MRR@10 {:.3}  median {:.2} ms\n",
        report.queries, report.success_at_1, report.success_at_3, report.mrr_at_10, report.median_ms
    );
    if let Some(note) = &report.note {
        s.push_str(&format!("note: {note}\n"));
    }
    if !report.misses.is_empty() {
        s.push_str("\nmisses:\n");
        for m in &report.misses {
            s.push_str(&format!(
                "  {:?}\n    expected: {} (rank {})\n    first:    {}\n",
                m.query,
                m.expected,
                m.rank.map_or("not in top 10".to_string(), |r| r.to_string()),
                m.got.as_deref().unwrap_or("nothing")
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cases_and_comments() {
        let c = parse_cases("# c\nwhy\ta.md|b.md\tH1|H2\nany\t*\tX\n\n").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].files, vec!["a.md", "b.md"]);
        assert_eq!(c[0].headings, vec!["H1", "H2"]);
        assert!(c[1].files.is_empty());
        assert!(parse_cases("only one column\n").is_err());
    }

    #[test]
    fn files_match_by_path_or_name() {
        assert!(file_matches(&["x.md".into()], "dir/x.md"));
        assert!(file_matches(&["dir/x.md".into()], "dir/x.md"));
        assert!(!file_matches(&["x.md".into()], "dir/yx.md"));
        assert!(file_matches(&[], "anything"));
    }
}
