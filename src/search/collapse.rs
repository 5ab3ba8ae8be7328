//! Stage 4, [`Ranked`] → the [`Candidate`]s to show: near-duplicates of a
//! section already chosen are folded into its `also_in` (the same SimHash,
//! or a close one with most word shingles shared), and at most
//! [`PER_ARTICLE`] sections of one article are listed unless the list would
//! otherwise stay short. When the best section of an article is not its
//! introduction (the query is about a part of the article, not the article),
//! up to `Ranking::article_run` more of its sections are listed while they
//! outscore the next article's best: the fix may be an article's third
//! section, behind an overview that only names it and the introduction.

use super::rerank::Ranked;
use super::{Engine, SearchOptions};
use crate::ingest::sections::Section;
use crate::text::fingerprint;
use anyhow::Result;
use std::cell::OnceCell;
use std::collections::HashMap;
use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher};

/// Near-duplicate ids listed per hit at most.
pub const MAX_ALSO_IN: usize = 20;
/// Sections of one article listed at most (unless `all_sections`).
pub const PER_ARTICLE: usize = 2;

/// A ranked section on its way to becoming a hit.
pub(super) struct Candidate {
    pub score: f32,
    pub coverage: f32,
    /// Cosine with the query, when the semantic step scored it.
    pub cosine: Option<f32>,
    pub addr: DocAddress,
    pub section: Section,
    sim: u64,
    /// Word shingles of the text, computed when a near-duplicate check needs them.
    shingles: OnceCell<Vec<u64>>,
    pub also_in: Vec<Copy>,
}

/// A near-duplicate folded into a hit: its id, or where to read it.
pub(super) enum Copy {
    Id(String),
    At(DocAddress),
}

/// Fast-field columns of one segment.
struct SegmentColumns {
    sim: Option<Column<u64>>,
    article: Option<Column<u64>>,
    order: Option<Column<u64>>,
}

impl Engine {
    /// Folds near-duplicates and caps sections per article, best first.
    pub(super) fn collapse(
        &self,
        searcher: &Searcher,
        ranked: Vec<Ranked>,
        opts: &SearchOptions,
    ) -> Result<Vec<Candidate>> {
        let mut g = Grouping {
            engine: self,
            searcher,
            opts,
            columns: HashMap::new(),
            kept: Vec::new(),
            deferred: Vec::new(),
            per_article: HashMap::new(),
            latest: None,
        };
        for r in ranked {
            g.offer(r)?;
        }
        let room = opts.limit.saturating_sub(g.kept.len());
        g.kept.extend(g.deferred.into_iter().take(room));
        Ok(g.kept)
    }
}

/// The hits being chosen.
struct Grouping<'a> {
    engine: &'a Engine,
    searcher: &'a Searcher,
    opts: &'a SearchOptions,
    columns: HashMap<u32, SegmentColumns>,
    kept: Vec<Candidate>,
    /// Sections held back by the per-article cap; they fill the list when
    /// no other article has enough hits.
    deferred: Vec<Candidate>,
    per_article: HashMap<u64, usize>,
    /// The article whose first listed section came last, if that section
    /// was not its introduction: until another article's first section
    /// comes, its further sections outscore the next article's best.
    latest: Option<u64>,
}

impl Grouping<'_> {
    /// Considers the next candidate: a copy of a chosen one, a new hit, held
    /// back, or dropped. Candidates are still scanned once the list is full,
    /// to find copies of the kept hits.
    fn offer(&mut self, r: Ranked) -> Result<()> {
        let (sim, art, lead) = self.fast_values(r.addr);
        let full = self.kept.len() >= self.opts.limit;
        let mut section: Option<Section> = None;
        let mut shingles: Option<Vec<u64>> = None;
        if let Some(i) = self.copy_of(r.addr, sim, &mut section, &mut shingles)? {
            self.fold(i, section, r.addr, r.copies);
            return Ok(());
        }
        if full || r.coverage < self.opts.min_confidence {
            return Ok(());
        }
        let n = *self.per_article.entry(art).or_default();
        let run = self.latest == Some(art) && n < PER_ARTICLE + self.engine.ranking.article_run;
        let defer = !self.opts.all_sections && n >= PER_ARTICLE && !run;
        if defer && self.deferred.len() >= self.opts.limit {
            return Ok(());
        }
        let section = match section {
            Some(s) => s,
            None => match self.engine.load(self.searcher, r.addr)? {
                Some(s) => s,
                None => return Ok(()),
            },
        };
        let cand = Candidate {
            score: r.score,
            coverage: r.coverage,
            cosine: r.cosine,
            addr: r.addr,
            section,
            sim,
            shingles: shingles.map_or_else(OnceCell::new, OnceCell::from),
            also_in: r.copies.into_iter().map(Copy::At).collect(),
        };
        if defer {
            self.deferred.push(cand);
        } else {
            if n == 0 {
                self.latest = (!lead).then_some(art);
            }
            *self.per_article.entry(art).or_default() += 1;
            self.kept.push(cand);
        }
        Ok(())
    }

    /// SimHash and article hash of a section, and whether it is its
    /// article's first, from the fast fields.
    fn fast_values(&mut self, addr: DocAddress) -> (u64, u64, bool) {
        let searcher = self.searcher;
        let cols = self.columns.entry(addr.segment_ord).or_insert_with(|| {
            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
            SegmentColumns {
                sim: ff.u64("simhash").ok(),
                article: ff.u64("article").ok(),
                order: ff.u64("order").ok(),
            }
        });
        let sim = cols.sim.as_ref().and_then(|c| c.first(addr.doc_id)).unwrap_or(0);
        let art = cols
            .article
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0);
        let lead = cols.order.as_ref().and_then(|c| c.first(addr.doc_id)) == Some(0);
        (sim, art, lead)
    }

    /// The chosen hit (index into kept, then deferred) that the section at
    /// `addr` is a copy of. The section and its shingles are read only when
    /// a SimHash is close but not equal, and kept for the caller.
    fn copy_of(
        &self,
        addr: DocAddress,
        sim: u64,
        section: &mut Option<Section>,
        shingles: &mut Option<Vec<u64>>,
    ) -> Result<Option<usize>> {
        if !self.engine.ranking.collapse {
            return Ok(None);
        }
        for (i, c) in self.kept.iter().chain(self.deferred.iter()).enumerate() {
            if c.sim == sim {
                // Same text (the usual re-published copy): no need to read it.
                return Ok(Some(i));
            }
            if !fingerprint::maybe_near(c.sim, sim) {
                continue;
            }
            if section.is_none() {
                *section = self.engine.load(self.searcher, addr)?;
            }
            let Some(sec) = section.as_ref() else {
                return Ok(None);
            };
            let sh = shingles.get_or_insert_with(|| fingerprint::shingles(&sec.text));
            let theirs = c.shingles.get_or_init(|| fingerprint::shingles(&c.section.text));
            if fingerprint::near_texts(c.sim, theirs, sim, sh) {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// Adds a copy (and the copies the collector found with it) to hit `i`.
    fn fold(&mut self, i: usize, section: Option<Section>, addr: DocAddress, copies: Vec<DocAddress>) {
        let kept = self.kept.len();
        let c = if i < kept {
            &mut self.kept[i]
        } else {
            &mut self.deferred[i - kept]
        };
        let copy = match section {
            Some(s) => Copy::Id(s.id),
            None => Copy::At(addr),
        };
        for extra in std::iter::once(copy).chain(copies.into_iter().map(Copy::At)) {
            if c.also_in.len() < MAX_ALSO_IN {
                c.also_in.push(extra);
            }
        }
    }
}
