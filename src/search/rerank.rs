//! Stage 3, candidates → [`Ranked`]: each candidate's BM25 score, plus its
//! score on its article's tags, is multiplied by how much of the query it
//! covers (coverage) and by how close together adjacent query words stand
//! in it (proximity); tags, coverage and
//! proximity are read from the postings of the candidates only, never from
//! every matching section. The scores are then shared out among the
//! sections of each article (see [`super::article`]).

use super::Engine;
use super::clause::Clause;
use super::distinct::Distinct;
use super::plan::{Concept, Plan};
use crate::index::schema::pack_lang;
use anyhow::Result;
use std::collections::HashMap;
use tantivy::postings::Postings;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Scorer};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

/// Slop of proximity clauses: the pair may be this many positions apart.
pub const PROXIMITY_SLOP: u32 = 3;

/// A candidate with its final score, best first after [`Engine::rerank`].
pub(super) struct Ranked {
    /// Score after the re-rank factors.
    pub score: f32,
    /// Share of the query's weight the section matches, in [0, 1].
    pub coverage: f32,
    /// Where the section is.
    pub addr: DocAddress,
    /// Tie-break key (see [`Distinct::key`]).
    pub key: u64,
    /// Cosine of the query's and the section's sentence vectors, when the
    /// semantic step scored it.
    pub cosine: Option<f32>,
}

impl Engine {
    /// Re-scores the candidates by coverage and proximity, best first.
    pub(super) fn rerank(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        top: Vec<Distinct>,
        spared: Option<Clause>,
    ) -> Result<Vec<Ranked>> {
        let addrs: Vec<DocAddress> = top.iter().map(|d| d.addr).collect();
        let matches = self.matches(searcher, &addrs, &plan.concepts)?;
        let total_weight = plan.total_weight();
        let coverages: Vec<f32> = (0..addrs.len())
            .map(|i| matches.coverage(&plan.concepts, total_weight, i))
            .collect();
        let specific: Vec<f32> = (0..addrs.len())
            .map(|i| matches.specificity(&plan.concepts, i))
            .collect();
        let pairs = plan.pairs();
        let closeness = if self.ranking.proximity > 0.0 && !pairs.is_empty() {
            self.proximity(searcher, &addrs, &pairs)?
        } else {
            vec![0.0; addrs.len()]
        };
        let same_lang = self.same_language(searcher, plan, &addrs);
        let mut tag_scores = self.tag_scores(searcher, &addrs, &plan.concepts)?;
        for extra in [spared, self.synonym_clause(plan)].into_iter().flatten() {
            let extra = extra.scores(searcher, &addrs)?;
            tag_scores
                .iter_mut()
                .zip(extra)
                .for_each(|(t, s)| *t += s.unwrap_or(0.0));
        }
        let scores: Vec<f32> = top
            .iter()
            .zip(coverages.iter().zip(&closeness).zip(&specific))
            .zip(same_lang.into_iter().zip(tag_scores))
            .map(|((d, ((cov, close), spec)), (same, tags))| {
                let boost = if self.ranking.coverage {
                    self.ranking.coverage_factor(*cov)
                } else {
                    1.0
                };
                let near = 1.0 + self.ranking.proximity * close;
                let own = 1.0 + self.ranking.specific * spec;
                let tongue = if same { 1.0 + self.ranking.language } else { 1.0 };
                (d.score + tags) * boost * near * own * tongue
            })
            .collect();
        let scores = self.within_articles(searcher, plan, &addrs, &scores, &matches.own)?;
        let mut ranked: Vec<Ranked> = top
            .into_iter()
            .zip(coverages.iter().zip(scores))
            .map(|(d, (cov, score))| Ranked {
                score,
                coverage: *cov,
                addr: d.addr,
                key: d.key,
                cosine: None,
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        Ok(ranked)
    }

    /// For each candidate, whether it is in the query's language (all false
    /// when the index has one language, or the bonus is off).
    fn same_language(&self, searcher: &Searcher, plan: &Plan, addrs: &[DocAddress]) -> Vec<bool> {
        if !plan.multilingual || self.ranking.language == 0.0 {
            return vec![false; addrs.len()];
        }
        let want = pack_lang(&plan.lang);
        (self.fast_u64(searcher, addrs, "lang_id").into_iter())
            .map(|v| v == Some(want))
            .collect()
    }

    /// A u64 fast field of each candidate (its column opened once per
    /// segment).
    pub(super) fn fast_u64(&self, searcher: &Searcher, addrs: &[DocAddress], name: &str) -> Vec<Option<u64>> {
        let columns: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|seg| seg.fast_fields().u64(name).ok())
            .collect();
        addrs
            .iter()
            .map(|a| columns[a.segment_ord as usize].as_ref()?.first(a.doc_id))
            .collect()
    }

    /// For each candidate, the share of adjacent query-word pairs that stand
    /// within [`PROXIMITY_SLOP`] positions of each other in its heading or
    /// text. Read from the positions of the candidates only, not of every
    /// matching section.
    fn proximity(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        pairs: &[(String, String)],
    ) -> Result<Vec<f32>> {
        let by_seg = by_segment(addrs);
        let mut close = vec![0f32; addrs.len()];
        let (mut pa, mut pb) = (Vec::new(), Vec::new());
        for (&seg_ord, docs) in &by_seg {
            let seg = searcher.segment_reader(seg_ord);
            for field in [self.fields.heading, self.fields.text] {
                let inv = seg.inverted_index(field)?;
                for (a, b) in pairs {
                    let read = |t: &str| {
                        inv.read_postings(
                            &Term::from_field_text(field, t),
                            IndexRecordOption::WithFreqsAndPositions,
                        )
                    };
                    let (Some(mut post_a), Some(mut post_b)) = (read(a)?, read(b)?) else {
                        continue;
                    };
                    let mut found = vec![false; docs.len()];
                    for (k, &(doc, _)) in docs.iter().enumerate() {
                        if post_a.doc() > doc || post_a.seek(doc) != doc {
                            continue;
                        }
                        if post_b.doc() > doc || post_b.seek(doc) != doc {
                            continue;
                        }
                        post_a.positions(&mut pa);
                        post_b.positions(&mut pb);
                        found[k] = within(&pa, &pb, PROXIMITY_SLOP);
                    }
                    for (k, &(_, i)) in docs.iter().enumerate() {
                        if found[k] {
                            close[i] += 1.0 / (2 * pairs.len()) as f32;
                        }
                    }
                }
            }
        }
        Ok(close.into_iter().map(|c| c.min(1.0)).collect())
    }

    /// Each candidate's score on `query`, exactly as a search would score
    /// it (0 where it does not match). The query's union scores every
    /// section of a 4,096-document window around each candidate: for a
    /// few candidates, or a query that is not a [`super::clause::Clause`].
    pub(super) fn query_scores(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        query: &dyn Query,
    ) -> Result<Vec<f32>> {
        let mut scores = vec![0f32; addrs.len()];
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        for (seg_ord, docs) in by_segment(addrs) {
            let mut scorer = weight.scorer(searcher.segment_reader(seg_ord), 1.0)?;
            for (doc, i) in docs {
                if scorer.doc() <= doc && scorer.seek(doc) == doc {
                    scores[i] = scorer.score();
                }
            }
        }
        Ok(scores)
    }

    /// Each candidate's BM25 score on its article's tags and categories:
    /// per concept the best of its words, weighted like the other fields
    /// (`Ranking::tags` times the word's weight). Retrieval leaves tags out
    /// of its clauses (see `retrieve.rs`), which costs nothing on the dev
    /// sets and saves a tenth of the time of a query; sections matching
    /// only by their tags join the candidates when few others match.
    fn tag_scores(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        concepts: &[(usize, Concept)],
    ) -> Result<Vec<f32>> {
        let mut scores = vec![0f32; addrs.len()];
        if self.ranking.tags <= 0.0 {
            return Ok(scores);
        }
        let field = self.fields.tags;
        let by_seg = by_segment(addrs);
        for (_, c) in concepts {
            let mut best = vec![0f32; addrs.len()];
            for (stem, w) in c.stems.iter().filter(|(_, w)| *w > 0.0) {
                let term = Term::from_field_text(field, stem);
                let bm25 = Bm25Weight::for_terms(searcher, std::slice::from_ref(&term))?
                    .boost_by(self.ranking.tags * w);
                for (&seg_ord, docs) in &by_seg {
                    let seg = searcher.segment_reader(seg_ord);
                    let Some(mut postings) = seg
                        .inverted_index(field)?
                        .read_postings(&term, IndexRecordOption::WithFreqs)?
                    else {
                        continue;
                    };
                    let norms = seg.get_fieldnorms_reader(field)?;
                    for &(doc, i) in docs {
                        if postings.doc() <= doc && postings.seek(doc) == doc {
                            let s = bm25.score(norms.fieldnorm_id(doc), postings.term_freq());
                            best[i] = best[i].max(s);
                        }
                    }
                }
            }
            scores.iter_mut().zip(best).for_each(|(s, b)| *s += b);
        }
        Ok(scores)
    }

    /// How each candidate matches each concept, from the postings lists (no
    /// re-analysis of stored text): in the article title, and in the
    /// section's own heading or body. A word counts 1 in a heading or title,
    /// 0.8 in the body, 0.5 only as a correction or synonym.
    fn matches(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        concepts: &[(usize, Concept)],
    ) -> Result<Matches> {
        let by_seg = by_segment(addrs);
        let f = &self.fields;
        let mut m = Matches {
            title: vec![vec![0f32; addrs.len()]; concepts.len()],
            own: vec![vec![0f32; addrs.len()]; concepts.len()],
        };
        for (ci, (_, c)) in concepts.iter().enumerate() {
            let (title, own) = (&mut m.title[ci], &mut m.own[ci]);
            let mut probe = |stem: &str, head: f32, body: f32| -> Result<()> {
                for (&seg_ord, docs) in &by_seg {
                    let seg = searcher.segment_reader(seg_ord);
                    for (field, level, in_title) in [
                        (f.heading, head, false),
                        (f.title, head, true),
                        (f.text, body, false),
                    ] {
                        let best: &mut Vec<f32> = if in_title { &mut *title } else { &mut *own };
                        let inv = seg.inverted_index(field)?;
                        let term = Term::from_field_text(field, stem);
                        let Some(mut postings) = inv.read_postings(&term, IndexRecordOption::Basic)? else {
                            continue;
                        };
                        for &(doc, i) in docs {
                            if best[i] >= level {
                                continue;
                            }
                            if postings.doc() <= doc && postings.seek(doc) == doc {
                                best[i] = level;
                            } else if postings.doc() == tantivy::TERMINATED {
                                break;
                            }
                        }
                    }
                }
                Ok(())
            };
            for (stem, w) in &c.stems {
                let exact = *w >= 1.0;
                probe(stem, if exact { 1.0 } else { 0.5 }, if exact { 0.8 } else { 0.5 })?;
            }
            for syn in &c.synonyms {
                probe(syn, 0.5, 0.5)?;
            }
        }
        Ok(m)
    }
}

/// Match levels per concept and candidate (see [`Engine::matches`]).
struct Matches {
    /// In the article title.
    title: Vec<Vec<f32>>,
    /// In the section's own heading or body.
    own: Vec<Vec<f32>>,
}

impl Matches {
    /// The share of the query's weight candidate `i` matches anywhere.
    fn coverage(&self, concepts: &[(usize, Concept)], total_weight: f32, i: usize) -> f32 {
        let got: f32 = concepts
            .iter()
            .enumerate()
            .map(|(ci, (_, c))| c.weight * self.title[ci][i].max(self.own[ci][i]))
            .sum();
        (got / total_weight).clamp(0.0, 1.0)
    }

    /// How much of what the article title does not already say candidate
    /// `i`'s own heading and body match: siblings share their title, so this
    /// is what tells them apart. 1 when the title says it all.
    fn specificity(&self, concepts: &[(usize, Concept)], i: usize) -> f32 {
        let (mut want, mut got) = (0f32, 0f32);
        for (ci, (_, c)) in concepts.iter().enumerate() {
            if self.title[ci][i] == 0.0 {
                want += c.weight;
                got += c.weight * self.own[ci][i];
            }
        }
        if want > 0.0 { got / want } else { 1.0 }
    }
}

/// Candidate docs grouped by segment, sorted by doc id, each with its index
/// in `addrs` (postings are read forward, one segment at a time).
pub(super) fn by_segment(addrs: &[DocAddress]) -> HashMap<u32, Vec<(u32, usize)>> {
    let mut by_seg: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for (i, a) in addrs.iter().enumerate() {
        by_seg.entry(a.segment_ord).or_default().push((a.doc_id, i));
    }
    for v in by_seg.values_mut() {
        v.sort_unstable();
    }
    by_seg
}

/// Whether two sorted position lists hold a pair at most `slop` apart
/// (linear merge: a section can hold millions of positions).
fn within(a: &[u32], b: &[u32], slop: u32) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x != y && x.abs_diff(y) <= slop {
            return true;
        }
        if x <= y {
            i += 1;
        } else {
            j += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_within_slop() {
        assert!(within(&[1, 10, 20], &[14, 40], 4));
        assert!(!within(&[1, 10, 20], &[15, 40], 4));
        assert!(!within(&[5], &[5], 3));
        let big: Vec<u32> = (0..2_000_000).map(|x| x * 10).collect();
        let other: Vec<u32> = (0..2_000_000).map(|x| x * 10 + 5).collect();
        assert!(!within(&big, &other, 4));
    }
}
