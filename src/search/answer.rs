//! Stage 5, candidates → the [`Answer`]: each kept section becomes a
//! [`Hit`] with its snippet (the line with the most matched words), its
//! confidence, the ids of its near-duplicates and, with `--explain`, the
//! per-field, per-term score contributions.

use super::collapse::Candidate;
use super::plan::Plan;
use super::{Engine, SearchOptions};
use crate::ingest::sections::Child;
use crate::text::highlight::{self, Highlighter};
use crate::text::lang::ENGLISH;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashSet;
use tantivy::query::{BoostQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

/// One ranked section.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Ranking score (higher is better; comparable within one query only).
    pub score: f32,
    /// Section id.
    pub id: String,
    /// Corpus-relative path.
    pub path: String,
    /// Absolute path of the file.
    pub file: String,
    /// Line of the heading.
    pub line: usize,
    /// Article title.
    pub title: String,
    /// Section heading.
    pub heading: String,
    /// Breadcrumb.
    pub breadcrumb: Vec<String>,
    /// Best matching passage of the text.
    pub snippet: String,
    /// Full section text.
    pub text: String,
    /// Actionable steps.
    pub steps: Vec<String>,
    /// Warnings the section gives (its warning, caution and danger callouts).
    pub cautions: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Language of the article (a code: `en`, `de`, `ja`).
    pub lang: String,
    /// Share of the query's weight this section matches, in [0, 1]; see
    /// [`Engine::search`].
    pub confidence: f32,
    /// Ids of near-duplicate sections folded into this hit.
    pub also_in: Vec<String>,
    /// The sections directly under this one's heading.
    pub children: Vec<Child>,
    /// Score explanation, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<serde_json::Value>,
}

/// The answer to one query (the `query --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The query as given.
    pub query: String,
    /// The corpus root the index was built from.
    pub corpus: String,
    /// The language the query was read in.
    pub lang: String,
    /// Sections matching any query word.
    pub total: usize,
    /// Time spent answering, in milliseconds.
    pub took_ms: f64,
    /// Ranked hits.
    pub hits: Vec<Hit>,
    /// The query with unknown words corrected, when any was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Why the answer is ranked by words only although the index holds
    /// sentence vectors (the model is missing or another), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Analysed terms that matched, for highlighting (not part of the JSON).
    #[serde(skip)]
    pub highlight: HashSet<String>,
}

/// One term clause of the query, for `--explain`: its kind (`word`,
/// `correction`, `synonym`), stem and weight.
struct Probe {
    kind: &'static str,
    stem: String,
    weight: f32,
}

impl Engine {
    /// Turns the kept candidates into hits.
    pub(super) fn answer(
        &self,
        searcher: &Searcher,
        query: &str,
        plan: &Plan,
        total: usize,
        kept: Vec<Candidate>,
        opts: &SearchOptions,
    ) -> Answer {
        let highlight = plan.highlight();
        let probes = if opts.explain {
            self.probes(plan)
        } else {
            Vec::new()
        };
        let copies: Vec<&[DocAddress]> = kept.iter().map(|c| c.also_in.as_slice()).collect();
        let also_in = self.load_ids(searcher, &copies);
        let hits: Vec<Hit> = (kept.into_iter().zip(also_in).enumerate())
            .map(|(i, (c, ids))| self.make_hit(searcher, &probes, opts, &highlight, (i + 1, ids), c))
            .collect();
        let suggestion = self.suggestion(query, plan, &hits);
        Answer {
            query: query.to_string(),
            corpus: self.corpus.display().to_string(),
            lang: plan.lang.clone(),
            total,
            took_ms: 0.0,
            hits,
            suggestion,
            note: None,
            highlight,
        }
    }

    /// Every term clause of the plan, for `--explain`.
    fn probes(&self, plan: &Plan) -> Vec<Probe> {
        let mut probes = Vec::new();
        for (_, c) in &plan.concepts {
            for (stem, w) in &c.stems {
                let kind = if *w >= 1.0 { "word" } else { "correction" };
                probes.push(Probe {
                    kind,
                    stem: stem.clone(),
                    weight: *w,
                });
            }
            for syn in &c.synonyms {
                probes.push(Probe {
                    kind: "synonym",
                    stem: syn.clone(),
                    weight: self.ranking.synonym,
                });
            }
        }
        probes
    }

    fn make_hit(
        &self,
        searcher: &Searcher,
        probes: &[Probe],
        opts: &SearchOptions,
        highlight: &HashSet<String>,
        (rank, mut also_in): (usize, Vec<String>),
        c: Candidate,
    ) -> Hit {
        let Candidate {
            score,
            coverage,
            addr,
            section,
            cosine,
            leading,
            ..
        } = c;
        also_in.sort_unstable();
        let explain = if opts.explain {
            let mut e = self.explain(searcher, addr, probes, score, coverage);
            e["leading_article"] = serde_json::json!(leading);
            if let Some(cos) = cosine {
                e["cosine"] = serde_json::json!(cos);
            }
            Some(e)
        } else {
            None
        };
        Hit {
            rank,
            score,
            snippet: self.snippet(&section.text, &section.lang, highlight),
            id: section.id,
            file: self.file_of(&section.path).display().to_string(),
            path: section.path,
            line: section.line,
            title: section.title,
            heading: section.heading,
            breadcrumb: section.breadcrumb,
            text: section.text,
            steps: section.steps,
            cautions: section.cautions,
            tags: section.tags,
            categories: section.categories,
            lang: section.lang,
            confidence: (coverage * 100.0).round() / 100.0,
            also_in,
            children: section.children,
            explain,
        }
    }

    /// coverage re-rank changed its score.
    fn explain(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        probes: &[Probe],
        final_score: f32,
        coverage: f32,
    ) -> serde_json::Value {
        let f = &self.fields;
        let r = &self.ranking;
        let mut terms = Vec::new();
        let mut bm25 = 0.0;
        for Probe {
            kind,
            stem,
            weight: w,
        } in probes
        {
            for (name, field, fw) in [
                ("heading", f.heading, r.heading),
                ("title", f.title, r.title),
                ("text", f.text, r.text),
                ("tags", f.tags, r.tags),
            ] {
                let q = BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, stem),
                        IndexRecordOption::WithFreqs,
                    )),
                    fw * w,
                );
                if let Ok(e) = q.explain(searcher, addr) {
                    bm25 += e.value();
                    terms.push(serde_json::json!({
                        "field": name, "term": stem, "kind": kind, "score": e.value(),
                    }));
                }
            }
        }
        let factor = if r.coverage {
            r.coverage_factor(coverage)
        } else {
            1.0
        };
        serde_json::json!({
            "terms": terms,
            "term_score": bm25,
            "coverage": coverage,
            "coverage_factor": factor,
            "score": final_score,
        })
    }

    /// Byte ranges of the words of `text` whose stems in language `lang`
    /// are in `stems` (English text through [`Highlighter`], which skips
    /// the words that cannot match).
    pub fn match_ranges(&self, text: &str, lang: &str, stems: &HashSet<String>) -> Vec<(usize, usize)> {
        if lang == ENGLISH {
            thread_local! {
                static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::default());
            }
            return HIGHLIGHTER.with(|h| h.borrow_mut().ranges(text, stems));
        }
        super::with_analyzer(lang, |an| highlight::ranges_with(an, text, stems))
    }

    /// The line of `text` with the most matched words (the first of equals),
    /// cut to about 240 characters around its first match. The text is
    /// analysed once, not line by line.
    fn snippet(&self, text: &str, lang: &str, stems: &HashSet<String>) -> String {
        let matches = self.match_ranges(text, lang, stems);
        let mut best: Option<(usize, &str, usize)> = None;
        let mut start = 0;
        // Matches are in text order: one pass over lines and matches.
        let mut next = 0;
        for piece in text.split_inclusive('\n') {
            let line = piece.strip_suffix('\n').unwrap_or(piece);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let end = start + line.len();
            while next < matches.len() && matches[next].0 < start {
                next += 1;
            }
            let n = matches[next..].iter().take_while(|r| r.1 <= end).count();
            next += n;
            if best.is_none_or(|(_, b, m)| n > m || b.is_empty()) {
                best = Some((start, line, n));
            }
            start += piece.len();
        }
        let Some((at, line, _)) = best else {
            return String::new();
        };
        let trimmed = line.trim();
        let from = at + (line.len() - line.trim_start().len());
        let to = from + trimmed.len();
        let first = (matches.iter())
            .find(|r| r.0 >= from && r.1 <= to)
            .map_or(0, |r| r.0 - from);
        cut_around(trimmed, first, 240)
    }
}

/// About `max` characters of `line` around byte `at`, with ellipses.
fn cut_around(line: &str, at: usize, max: usize) -> String {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    if chars.len() <= max {
        return line.to_string();
    }
    let center = chars.iter().position(|(i, _)| *i >= at).unwrap_or(0);
    let start = center.saturating_sub(max / 3);
    let end = (start + max).min(chars.len());
    let start = end.saturating_sub(max);
    let mut s: String = chars[start..end].iter().map(|(_, c)| c).collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_the_match_visible() {
        let line = format!("{} needle {}", "a ".repeat(300), "b ".repeat(300));
        let at = line.find("needle").unwrap();
        let s = cut_around(&line, at, 100);
        assert!(s.contains("needle") && s.starts_with('…') && s.ends_with('…'));
    }
}
