//! Stage 4, [`Ranked`] → the [`Candidate`]s to show: near-duplicates of a
//! section already chosen are folded into it (the search kept one copy of
//! each text family already; here a close SimHash with most word shingles
//! shared). Leading articles come first: those whose best section scores
//! at least `Ranking::leading` of the top hit's list all their sections,
//! best first, before any other article's (so scores need not fall along
//! the list): when one or two articles clearly answer, the fix is likelier
//! a further section of theirs (behind an overview that only names it and
//! the introduction) than a distant article's best. Every other article
//! lists at most [`PER_ARTICLE`] sections unless the list would otherwise
//! stay short.
//! Once the hits are chosen, each lists in `also_in` the other sections
//! of its family or a folded near-duplicate's: one lookup of the families
//! in the index, so the list is complete (up to
//! [`MAX_ALSO_IN`], those with the smallest keys) and the same in every
//! build, whatever the copies scored.

use super::rerank::Ranked;
use super::{Engine, SearchOptions};
use crate::ingest::sections::Section;
use crate::text::fingerprint;
use anyhow::Result;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use tantivy::collector::DocSetCollector;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

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
    /// Whether its article leads the answer (listed first, uncapped).
    pub leading: bool,
    pub addr: DocAddress,
    pub section: Section,
    sim: u64,
    /// Its family (`fingerprint::family`).
    family: u64,
    /// Word shingles of the text, computed when a near-duplicate check needs them.
    shingles: OnceCell<Vec<u64>>,
    /// Families of the near-duplicates folded into it.
    folded: Vec<u64>,
    /// Where the other sections with its text (or a folded one's) are,
    /// filled once the hits are chosen.
    pub also_in: Vec<DocAddress>,
}

/// What grouping reads of a section from the fast fields.
#[derive(Clone, Copy)]
struct FastValues {
    /// SimHash of its text.
    sim: u64,
    /// Its text's family.
    family: u64,
    /// Hash of its article's path.
    article: u64,
}

/// Fast-field columns of one segment.
struct SegmentColumns {
    sim: Option<Column<u64>>,
    family: Option<Column<u64>>,
    article: Option<Column<u64>>,
    key: Option<Column<u64>>,
}

impl Engine {
    /// Folds near-duplicates and caps sections per article; the leading articles' sections come first.
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
            leading: HashSet::new(),
        };
        let ranked: Vec<(Ranked, FastValues)> = (ranked.into_iter())
            .map(|r| {
                let values = g.fast_values(r.addr);
                (r, values)
            })
            .collect();
        for (r, values) in g.leading_first(ranked) {
            g.offer(r, values)?;
        }
        let room = opts.limit.saturating_sub(g.kept.len());
        let deferred = std::mem::take(&mut g.deferred);
        g.kept.extend(deferred.into_iter().take(room));
        let mut kept = std::mem::take(&mut g.kept);
        if self.ranking.collapse {
            for c in &mut kept {
                c.also_in = g.copies(c)?;
            }
        }
        Ok(kept)
    }
}

impl Engine {
    /// Every section whose text is of one of the `families` (0, the key
    /// of an empty text, is left out), within the query's filters.
    pub(super) fn sections_with_texts(
        &self,
        searcher: &Searcher,
        families: &[u64],
        opts: &SearchOptions,
    ) -> Result<HashSet<DocAddress>> {
        let terms: Vec<(Occur, Box<dyn Query>)> = (families.iter())
            .filter(|&&f| f != 0)
            .map(|&f| {
                let t = Term::from_field_u64(self.fields.family, f);
                let q: Box<dyn Query> = Box::new(TermQuery::new(t, IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect();
        if terms.is_empty() {
            return Ok(HashSet::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(terms)))];
        clauses.extend(self.filters(opts));
        Ok(searcher.search_with_executor(
            &BooleanQuery::new(clauses),
            &DocSetCollector,
            self.executor(searcher),
            EnableScoring::disabled_from_searcher(searcher),
        )?)
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
    /// The leading articles, whose sections are not capped.
    leading: HashSet<u64>,
}

impl Grouping<'_> {
    /// `ranked` (best first) with the leading articles' sections moved
    /// ahead of the others, each part still best first; notes the leading
    /// articles.
    fn leading_first(&mut self, ranked: Vec<(Ranked, FastValues)>) -> Vec<(Ranked, FastValues)> {
        let share = self.engine.ranking.leading;
        let top = ranked.iter().map(|(r, _)| r.score).fold(0f32, f32::max);
        if share <= 0.0 || top <= 0.0 || self.opts.all_sections {
            return ranked;
        }
        self.leading = (ranked.iter())
            .filter(|(r, _)| r.score >= share * top)
            .map(|(_, v)| v.article)
            .collect();
        let (mut first, rest): (Vec<_>, Vec<_>) =
            (ranked.into_iter()).partition(|(_, v)| self.leading.contains(&v.article));
        first.extend(rest);
        first
    }

    /// Considers the next candidate: a copy of a chosen one, a new hit, held
    /// back, or dropped. Candidates are still scanned once the list is full,
    /// to find copies of the kept hits.
    fn offer(&mut self, r: Ranked, values: FastValues) -> Result<()> {
        let FastValues {
            sim,
            family,
            article: art,
        } = values;
        let full = self.kept.len() >= self.opts.limit;
        let mut section: Option<Section> = None;
        let mut shingles: Option<Vec<u64>> = None;
        if let Some(i) = self.copy_of(r.addr, sim, &mut section, &mut shingles)? {
            self.fold(i, family);
            return Ok(());
        }
        if full || r.coverage < self.opts.min_confidence {
            return Ok(());
        }
        let n = *self.per_article.entry(art).or_default();
        let leading = self.leading.contains(&art);
        let defer = !self.opts.all_sections && n >= PER_ARTICLE && !leading;
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
            leading,
            addr: r.addr,
            section,
            sim,
            family,
            shingles: shingles.map_or_else(OnceCell::new, OnceCell::from),
            folded: Vec::new(),
            also_in: Vec::new(),
        };
        if defer {
            self.deferred.push(cand);
        } else {
            *self.per_article.entry(art).or_default() += 1;
            self.kept.push(cand);
        }
        Ok(())
    }

    /// The fast-field values of a section.
    fn fast_values(&mut self, addr: DocAddress) -> FastValues {
        let cols = self.columns(addr.segment_ord);
        let sim = cols.sim.as_ref().and_then(|c| c.first(addr.doc_id)).unwrap_or(0);
        let family = cols
            .family
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(sim);
        let art = cols
            .article
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .unwrap_or(0);
        FastValues {
            sim,
            family,
            article: art,
        }
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

    /// Notes a near-duplicate of family `family` as folded into hit `i`
    /// (kept, then deferred).
    fn fold(&mut self, i: usize, family: u64) {
        let kept = self.kept.len();
        let c = if i < kept {
            &mut self.kept[i]
        } else {
            &mut self.deferred[i - kept]
        };
        if family != c.family && !c.folded.contains(&family) {
            c.folded.push(family);
        }
    }

    /// The other sections holding the text of hit `c` or of a near-duplicate
    /// folded into it, within the query's filters: those with the smallest
    /// keys, so every build lists the same ones.
    fn copies(&mut self, c: &Candidate) -> Result<Vec<DocAddress>> {
        let families: Vec<u64> = std::iter::once(c.family)
            .chain(c.folded.iter().copied())
            .collect();
        let found = self
            .engine
            .sections_with_texts(self.searcher, &families, self.opts)?;
        let mut keyed: Vec<(u64, DocAddress)> = (found.into_iter())
            .filter(|&a| a != c.addr)
            .map(|a| (self.key_of(a), a))
            .collect();
        keyed.sort_unstable();
        keyed.truncate(MAX_ALSO_IN);
        Ok(keyed.into_iter().map(|(_, a)| a).collect())
    }

    /// The tie-break key of a section (a hash of its id).
    fn key_of(&mut self, addr: DocAddress) -> u64 {
        let cols = self.columns(addr.segment_ord);
        cols.key.as_ref().and_then(|k| k.first(addr.doc_id)).unwrap_or(0)
    }

    /// The fast-field columns of a segment, opened once.
    fn columns(&mut self, seg: u32) -> &SegmentColumns {
        let searcher = self.searcher;
        self.columns.entry(seg).or_insert_with(|| {
            let ff = searcher.segment_reader(seg).fast_fields();
            SegmentColumns {
                sim: ff.u64("simhash").ok(),
                family: ff.u64("family").ok(),
                article: ff.u64("article").ok(),
                key: ff.u64("key").ok(),
            }
        })
    }
}
