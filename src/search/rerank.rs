//! Stage 3, candidates → [`Ranked`]: each candidate's BM25 score is
//! multiplied by how much of the query it covers (coverage) and by how close
//! together adjacent query words stand in it (proximity). Both are read from
//! the postings of the candidates only, never from every matching section.

use super::Engine;
use super::distinct::Distinct;
use super::plan::{Concept, Plan};
use anyhow::Result;
use std::collections::HashMap;
use tantivy::postings::Postings;
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
    /// Copies of the same text found by the collector.
    pub copies: Vec<DocAddress>,
    /// Tie-break key (see [`Distinct::key`]).
    pub key: u64,
}

impl Engine {
    /// Re-scores the candidates by coverage and proximity, best first.
    pub(super) fn rerank(&self, searcher: &Searcher, plan: &Plan, top: Vec<Distinct>) -> Result<Vec<Ranked>> {
        let addrs: Vec<DocAddress> = top.iter().map(|d| d.addr).collect();
        let coverages = self.coverage(searcher, &addrs, &plan.concepts, plan.total_weight())?;
        let pairs = plan.pairs();
        let closeness = if self.ranking.proximity > 0.0 && !pairs.is_empty() {
            self.proximity(searcher, &addrs, &pairs)?
        } else {
            vec![0.0; addrs.len()]
        };
        let mut ranked: Vec<Ranked> = top
            .into_iter()
            .zip(coverages.iter().zip(&closeness))
            .map(|(d, (cov, close))| {
                let boost = if self.ranking.coverage {
                    self.ranking.coverage_factor(*cov)
                } else {
                    1.0
                };
                let near = 1.0 + self.ranking.proximity * close;
                Ranked {
                    score: d.score * boost * near,
                    coverage: *cov,
                    addr: d.addr,
                    copies: {
                        let mut copies = d.copies;
                        copies.sort_unstable_by_key(|c| c.0);
                        copies.into_iter().map(|(_, a)| a).collect()
                    },
                    key: d.key,
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        Ok(ranked)
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

    /// Coverage of the query by each candidate, from the postings lists (no
    /// re-analysis of stored text): a word found in the heading or title
    /// counts 1, in the body 0.8, only as a correction or synonym 0.5.
    fn coverage(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        concepts: &[(usize, Concept)],
        total_weight: f32,
    ) -> Result<Vec<f32>> {
        let by_seg = by_segment(addrs);
        let f = &self.fields;
        let mut got = vec![0f32; addrs.len()];
        for (_, c) in concepts {
            let mut best = vec![0f32; addrs.len()];
            let mut probe = |stem: &str, head: f32, body: f32| -> Result<()> {
                for (&seg_ord, docs) in &by_seg {
                    let seg = searcher.segment_reader(seg_ord);
                    for (field, m) in [(f.heading, head), (f.title, head), (f.text, body)] {
                        if m <= 0.0 {
                            continue;
                        }
                        let inv = seg.inverted_index(field)?;
                        let term = Term::from_field_text(field, stem);
                        let Some(mut postings) = inv.read_postings(&term, IndexRecordOption::Basic)? else {
                            continue;
                        };
                        for &(doc, i) in docs {
                            if best[i] >= m {
                                continue;
                            }
                            if postings.doc() <= doc && postings.seek(doc) == doc {
                                best[i] = m;
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
            for (g, b) in got.iter_mut().zip(best) {
                *g += c.weight * b;
            }
        }
        Ok(got
            .into_iter()
            .map(|g| (g / total_weight).clamp(0.0, 1.0))
            .collect())
    }
}

/// Candidate docs grouped by segment, sorted by doc id, each with its index
/// in `addrs` (postings are read forward, one segment at a time).
fn by_segment(addrs: &[DocAddress]) -> HashMap<u32, Vec<(u32, usize)>> {
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
