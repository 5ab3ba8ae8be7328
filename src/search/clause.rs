//! A scoring query kept as a tree of term and phrase leaves, so that a few
//! chosen sections can be scored on it without a search. A tantivy union
//! seeked to a section scores every section of a 4,096-document window
//! first; the leaves seek through their postings' skip lists instead. The
//! scores are the ones the tantivy query built from the same tree gives:
//! boosts are passed down to the leaves as tantivy passes them, sums add
//! the children in order, and a maximum takes the best child.

use super::rerank::by_segment;
use anyhow::Result;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{DocAddress, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// A node of a scoring query.
pub(super) enum Clause {
    /// A term or phrase query.
    Leaf(Box<dyn Query>),
    /// The sum of the children that match (a boolean query of optional
    /// clauses).
    Sum(Vec<Clause>),
    /// The best child that matches (a disjunction-max query).
    Max(Vec<Clause>),
    /// The child's score times a factor.
    Boost(Box<Clause>, Score),
}

impl Clause {
    /// The tantivy query of the tree.
    pub fn query(&self) -> Box<dyn Query> {
        match self {
            Clause::Leaf(q) => q.box_clone(),
            Clause::Sum(children) => Box::new(BooleanQuery::new(
                children.iter().map(|c| (Occur::Should, c.query())).collect(),
            )),
            Clause::Max(children) => Box::new(DisjunctionMaxQuery::new(
                children.iter().map(Clause::query).collect(),
            )),
            Clause::Boost(child, boost) => Box::new(BoostQuery::new(child.query(), *boost)),
        }
    }

    /// The score of each of `addrs` on the tree (`None` where it does not
    /// match), leaf by leaf.
    pub fn scores(&self, searcher: &Searcher, addrs: &[DocAddress]) -> Result<Vec<Option<Score>>> {
        let mut out = vec![None; addrs.len()];
        let weights = self.weights(searcher)?;
        for (seg, docs) in by_segment(addrs) {
            let ids: Vec<u32> = docs.iter().map(|(d, _)| *d).collect();
            let scores = weights.segment_scores(searcher.segment_reader(seg), &ids, 1.0)?;
            for ((_, i), s) in docs.iter().zip(scores) {
                out[*i] = s;
            }
        }
        Ok(out)
    }

    /// The tree with each leaf's weight, built once from the searcher's
    /// statistics (a weight looks its terms up in every segment, so one
    /// per segment cost a lookup per segment pair).
    fn weights(&self, searcher: &Searcher) -> Result<Weighted> {
        let all = |children: &[Clause]| -> Result<Vec<Weighted>> {
            children.iter().map(|c| c.weights(searcher)).collect()
        };
        Ok(match self {
            Clause::Leaf(q) => Weighted::Leaf(q.weight(EnableScoring::enabled_from_searcher(searcher))?),
            Clause::Sum(children) => Weighted::Sum(all(children)?),
            Clause::Max(children) => Weighted::Max(all(children)?),
            Clause::Boost(child, b) => Weighted::Boost(Box::new(child.weights(searcher)?), *b),
        })
    }
}

/// A [`Clause`] tree whose leaves hold their weights.
enum Weighted {
    Leaf(Box<dyn Weight>),
    Sum(Vec<Weighted>),
    Max(Vec<Weighted>),
    Boost(Box<Weighted>, Score),
}

impl Weighted {
    /// Scores of the sorted `docs` of one segment, with `boost` from above.
    fn segment_scores(
        &self,
        reader: &SegmentReader,
        docs: &[u32],
        boost: Score,
    ) -> Result<Vec<Option<Score>>> {
        Ok(match self {
            Weighted::Leaf(weight) => {
                let mut scorer = weight.scorer(reader, boost)?;
                docs.iter()
                    .map(|&d| {
                        let at = if scorer.doc() < d {
                            scorer.seek(d)
                        } else {
                            scorer.doc()
                        };
                        (at == d && at != TERMINATED).then(|| scorer.score())
                    })
                    .collect()
            }
            Weighted::Boost(child, b) => child.segment_scores(reader, docs, boost * b)?,
            Weighted::Sum(children) | Weighted::Max(children) => {
                let max = matches!(self, Weighted::Max(_));
                let mut acc: Vec<Option<Score>> = vec![None; docs.len()];
                for child in children {
                    let scores = child.segment_scores(reader, docs, boost)?;
                    for (a, s) in acc.iter_mut().zip(scores) {
                        *a = match (*a, s) {
                            (a, None) => a,
                            (None, s) => s,
                            (Some(a), Some(s)) if max => Some(a.max(s)),
                            (Some(a), Some(s)) => Some(a + s),
                        };
                    }
                }
                acc
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{PhraseQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, Term};

    #[test]
    fn scores_are_those_of_the_tantivy_query_on_every_document() {
        let mut b = Schema::builder();
        let (head, body) = (b.add_text_field("head", TEXT), b.add_text_field("body", TEXT));
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer(15_000_000).unwrap();
        let words = ["wifi", "drops", "reset", "router", "phone", "cable", "slow"];
        for i in 0..6000usize {
            let mut d = TantivyDocument::default();
            // Matches spread over more than one 4,096-document window.
            let pick = |k: usize| words[(i * (k + 3) + k * k) % words.len()];
            if i % 11 == 5 {
                // Matches nothing.
                d.add_text(head, "slow phone");
                d.add_text(body, "drops phone");
            } else if i % 7 == 0 {
                // Both branches of the maximum, and the phrase.
                d.add_text(head, "wifi drops");
                d.add_text(body, "reset router then wifi cable");
            } else {
                d.add_text(head, format!("{} {}", pick(1), pick(2)));
                d.add_text(body, format!("{} {} {} {}", pick(3), pick(4), pick(5), pick(6)));
            }
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |f, s: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        let phrase = |f, a: &str, b: &str| -> Box<dyn Query> {
            let t = vec![(0, Term::from_field_text(f, a)), (1, Term::from_field_text(f, b))];
            Box::new(PhraseQuery::new_with_offset_and_slop(t, 0))
        };
        let tree = Clause::Sum(vec![
            Clause::Boost(
                Box::new(Clause::Max(vec![
                    Clause::Sum(vec![
                        Clause::Boost(Box::new(Clause::Leaf(term(head, "wifi"))), 2.5),
                        Clause::Leaf(term(body, "wifi")),
                    ]),
                    Clause::Boost(Box::new(Clause::Leaf(phrase(body, "reset", "router"))), 1.5),
                ])),
                0.4,
            ),
            Clause::Leaf(term(body, "cable")),
        ]);
        let all = searcher
            .search(&tree.query(), &TopDocs::with_limit(10_000).order_by_score())
            .unwrap();
        assert!(all.len() > 1000, "{}", all.len());
        // Every matching document, plus ones that match nothing.
        let mut addrs: Vec<DocAddress> = all.iter().map(|(_, a)| *a).collect();
        let missing: Vec<DocAddress> = (0..6000)
            .map(|d| DocAddress::new(0, d))
            .filter(|a| !addrs.contains(a))
            .take(50)
            .collect();
        assert!(!missing.is_empty());
        addrs.extend(&missing);
        let got = tree.scores(&searcher, &addrs).unwrap();
        for ((score, _), g) in all.iter().zip(&got) {
            assert_eq!(Some(*score), *g);
        }
        assert!(got[all.len()..].iter().all(Option::is_none));
    }
}
