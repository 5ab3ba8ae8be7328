//! Stage 3b, two-level ranking inside [`super::rerank`]: which *article*
//! answers is decided by its best section's score (title, lead and body
//! all count there), but which *section of that article* answers is
//! decided by the query words that tell its sections apart.
//!
//! A word found in most sections of an article (its topic: "chair" in a
//! chair review, "god mode" in a God Mode how-to) says nothing about which
//! of them answers; a word found in one ("hex key" under Assembly) says a
//! lot. So within an article each query word is weighted by its rarity
//! among the article's sections (a BM25-style inverse section frequency
//! over the article's own headings and bodies), and each section's share
//! of that weight decides how much of the article's score it inherits:
//!
//! `score' = (1 - β) × score + β × best × own / best_own`
//!
//! where `best` is the article's best score among the candidates, `own` the
//! section's weighted match and `best_own` the article's best; β is
//! [`super::Ranking::article`]. Sections of articles with one candidate
//! keep their score.
//!
//! In `own`, a heading match weighs what the heading field weighs against
//! the body, except in the article's first section: its heading is the
//! title or the original title a scraped site kept, so it names the
//! article, not a part of it. A heading answering the query's question form
//! ("About X" for "what is X") counts as one more word.

use super::Engine;
use super::plan::{Concept, Plan};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use tantivy::InvertedIndexReader;
use tantivy::postings::SegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED, Term};

/// How a candidate matches each concept in its own heading and body, as
/// levels (1 heading, 0.8 body, 0.5 only through an alternative, 0 none);
/// indexed `[concept][candidate]`.
pub(super) type OwnLevels = [Vec<f32>];

impl Engine {
    /// The scores after the article-context step (see the module docs).
    pub(super) fn within_articles(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        addrs: &[DocAddress],
        scores: &[f32],
        own: &OwnLevels,
    ) -> Result<Vec<f32>> {
        let beta = self.ranking.article;
        let concepts = &plan.concepts;
        if beta <= 0.0 || addrs.len() < 2 || concepts.is_empty() {
            return Ok(scores.to_vec());
        }
        // The question form counts as one more word, matched in headings
        // only, as heavy as the query's average word.
        let form_weight = match plan.form_stems.is_empty() {
            true => 0.0,
            false => self.ranking.question * plan.total_weight() / concepts.len() as f32,
        };
        let articles = self.fast_u64(searcher, addrs, "article");
        let order = self.fast_u64(searcher, addrs, "order");
        let mut groups: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            groups.entry(a.unwrap_or(0)).or_default().push(i);
        }
        groups.retain(|_, members| members.len() > 1);
        let groups: Vec<(u64, Vec<usize>)> = groups.into_iter().collect();
        let ids: Vec<u64> = groups.iter().map(|(a, _)| *a).collect();
        let spreads = self.spreads(searcher, &ids, concepts, &plan.form_stems)?;
        let mut out = scores.to_vec();
        for ((_, members), spread) in groups.into_iter().zip(spreads) {
            let floor = self.ranking.article_floor;
            let weights: Vec<f32> = (concepts.iter())
                .zip(&spread.concepts)
                .map(|((_, c), s)| c.weight * (s.rarity() + floor))
                .collect();
            let form = form_weight * (spread.form.rarity() + floor) * self.level_weight(1.0, false);
            let owns: Vec<f32> = members
                .iter()
                .map(|&i| {
                    let lead = order[i] == Some(0);
                    let words: f32 = (weights.iter().enumerate())
                        .map(|(ci, w)| w * self.level_weight(own[ci][i], lead))
                        .sum();
                    let answers_form = !lead && spread.form_headings.contains(&addrs[i]);
                    words + if answers_form { form } else { 0.0 }
                })
                .collect();
            let best_own = owns.iter().copied().fold(0f32, f32::max);
            if best_own <= 0.0 {
                continue;
            }
            let best = members.iter().map(|&i| scores[i]).fold(0f32, f32::max);
            for (&i, o) in members.iter().zip(&owns) {
                out[i] = (1.0 - beta) * scores[i] + beta * best * o / best_own;
            }
        }
        Ok(out)
    }

    /// What a match at `level` (see [`OwnLevels`]) counts within an article:
    /// a heading match weighs what the heading weighs against the body,
    /// except in the article's first section, whose heading names the
    /// article's topic (the title, or the re-titled original scraped sites
    /// keep) rather than a part of it, and counts like its body.
    fn level_weight(&self, level: f32, lead: bool) -> f32 {
        if level >= 1.0 && lead && self.ranking.lead_topic {
            1.0
        } else if level >= 1.0 {
            self.ranking.heading / self.ranking.text.max(1e-3)
        } else {
            level / 0.8
        }
    }

    /// For each of `articles`: for each concept, in how many of the
    /// article's live sections its own heading or body holds one of the
    /// concept's words; for the question form's heading words, in how many
    /// headings and which ones. One pass over each term's postings per
    /// segment serves every article.
    fn spreads(
        &self,
        searcher: &Searcher,
        articles: &[u64],
        concepts: &[(usize, Concept)],
        forms: &[Vec<String>],
    ) -> Result<Vec<ArticleSpread>> {
        let f = &self.fields;
        let mut out: Vec<ArticleSpread> = articles
            .iter()
            .map(|_| ArticleSpread {
                concepts: vec![Spread::default(); concepts.len()],
                form: Spread::default(),
                form_headings: HashSet::new(),
            })
            .collect();
        for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
            // The live sections of every article in this segment, by doc id,
            // each with the index of its article.
            let by_article = seg.inverted_index(f.article)?;
            let alive = seg.alive_bitset();
            let mut docs: Vec<(DocId, usize)> = Vec::new();
            for (a, &article) in articles.iter().enumerate() {
                let term = Term::from_field_u64(f.article, article);
                let Some(mut post) = by_article.read_postings(&term, IndexRecordOption::Basic)? else {
                    continue;
                };
                while post.doc() != TERMINATED {
                    if alive.is_none_or(|b| b.is_alive(post.doc())) {
                        docs.push((post.doc(), a));
                    }
                    post.advance();
                }
            }
            if docs.is_empty() {
                continue;
            }
            docs.sort_unstable();
            for &(_, a) in &docs {
                let spread = &mut out[a];
                for s in spread.concepts.iter_mut().chain([&mut spread.form]) {
                    s.sections += 1;
                }
            }
            let ids: Vec<DocId> = docs.iter().map(|(d, _)| *d).collect();
            let (heading, text) = (seg.inverted_index(f.heading)?, seg.inverted_index(f.text)?);
            let hit = self.form_headings(&heading, forms, &ids)?;
            for (&(d, a), _) in docs.iter().zip(&hit).filter(|(_, h)| **h) {
                out[a].form.with += 1;
                out[a].form_headings.insert(DocAddress::new(seg_ord as u32, d));
            }
            for (ci, (_, c)) in concepts.iter().enumerate() {
                let mut hit = vec![false; ids.len()];
                for stem in c.stems.iter().map(|(s, _)| s).chain(&c.synonyms) {
                    for (field, inv) in [(f.heading, &heading), (f.text, &text)] {
                        let t = Term::from_field_text(field, stem);
                        if let Some(p) = inv.read_postings(&t, IndexRecordOption::Basic)? {
                            mark(p, &ids, &mut hit);
                        }
                    }
                }
                for (&(_, a), _) in docs.iter().zip(&hit).filter(|(_, h)| **h) {
                    out[a].concepts[ci].with += 1;
                }
            }
        }
        Ok(out)
    }

    /// Which of the sorted `docs` have a heading answering the question
    /// form: one holding every stem of one of the `forms` entries.
    fn form_headings(
        &self,
        heading: &InvertedIndexReader,
        forms: &[Vec<String>],
        docs: &[DocId],
    ) -> Result<Vec<bool>> {
        let mut hit = vec![false; docs.len()];
        for stems in forms {
            let mut all = vec![true; docs.len()];
            for stem in stems {
                let mut has = vec![false; docs.len()];
                let t = Term::from_field_text(self.fields.heading, stem);
                if let Some(p) = heading.read_postings(&t, IndexRecordOption::Basic)? {
                    mark(p, docs, &mut has);
                }
                all.iter_mut().zip(&has).for_each(|(a, h)| *a &= *h);
            }
            hit.iter_mut().zip(&all).for_each(|(h, a)| *h |= *a);
        }
        Ok(hit)
    }
}

/// Sets `hit[k]` for each of the sorted `docs` the postings hold.
fn mark(mut p: SegmentPostings, docs: &[DocId], hit: &mut [bool]) {
    for (k, &d) in docs.iter().enumerate() {
        if p.doc() == TERMINATED {
            break;
        }
        if !hit[k] && p.doc() <= d && p.seek(d) == d {
            hit[k] = true;
        }
    }
}

/// What [`Engine::spreads`] finds in one article.
struct ArticleSpread {
    concepts: Vec<Spread>,
    form: Spread,
    form_headings: HashSet<DocAddress>,
}

/// How many of an article's sections hold a concept.
#[derive(Debug, Clone, Copy, Default)]
struct Spread {
    sections: usize,
    with: usize,
}

impl Spread {
    /// BM25's inverse document frequency over the article's sections: near
    /// 0 for a word every section holds, highest for a word only one holds.
    fn rarity(self) -> f32 {
        let n = self.with as f32;
        let total = self.sections.max(self.with) as f32;
        (1.0 + (total - n + 0.5) / (n + 0.5)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarity_falls_as_more_sections_hold_the_word() {
        let r = |with| Spread { sections: 10, with }.rarity();
        assert!(r(1) > r(5));
        assert!(r(5) > r(10));
        assert!(r(10) > 0.0, "a word in every section still counts a little");
        assert!(r(10) < 0.1);
    }
}
