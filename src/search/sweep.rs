//! Retrieval's index-wide pass, term at a time: each term clause of the
//! words query adds its BM25 score into one array per segment, block of
//! postings by block, and the candidate collector then takes the matches
//! best first until it holds the texts it keeps ([`best_first`]).
//!
//! A query matches about a third of the sections of a large index, so the
//! search visits most of them whatever the order. tantivy's union scorer
//! does that through a scorer per clause, a few calls per posting; here a
//! posting costs a fieldnorm lookup, the BM25 formula and an addition.
//! The scores are the same to the bit: the same BM25 weights
//! (`Bm25Weight`, from the searcher's statistics, with the clause's
//! boost), added in clause order from 0, as tantivy's sum combiner does,
//! and the question form's optional clause added last through tantivy's
//! own scorer. A query of another shape (a word with a correction, a
//! filter) goes through tantivy.

use super::distinct::{Distinct, DistinctSegment, DistinctTop};
use super::plan::Plan;
use super::retrieve::{OffThread, TermClause};
use super::{Engine, SearchOptions};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

/// What a sweep found.
pub(super) struct Swept {
    /// Sections matching a scored or a counted clause.
    pub total: usize,
    /// The collector's best distinct texts.
    pub top: Vec<Distinct>,
}

/// One segment's scores and matches.
struct Sums {
    scores: Vec<f32>,
    /// Bit `d` set when doc `d` matches a scored clause.
    scored: Vec<u64>,
}

impl Engine {
    /// The words query of `clauses` (in the order the tantivy query lists
    /// them), plus the optional question-form query `forms`, collected by
    /// `collector`; the sections matching `counted` (scored by the re-rank)
    /// count towards `total` only.
    pub(super) fn sweep(
        &self,
        searcher: &Searcher,
        clauses: &[TermClause],
        forms: Option<&dyn Query>,
        counted: &[TermClause],
        collector: &DistinctTop,
    ) -> Result<Swept> {
        // The counted words' matches, on a spare thread when there is one.
        let counting = (!counted.is_empty()).then(|| {
            let (searcher, counted) = (searcher.clone(), counted.to_vec());
            OffThread::begin(&self.executor, move || count(&searcher, &counted))
        });
        let weights: Vec<Bm25Weight> = (clauses.iter())
            .map(|c| {
                let term = Term::from_field_text(c.field, &c.stem);
                Ok(Bm25Weight::for_terms(searcher, std::slice::from_ref(&term))?.boost_by(c.boost))
            })
            .collect::<Result<_>>()?;
        let forms = match forms {
            Some(q) => Some(q.weight(EnableScoring::enabled_from_searcher(searcher))?),
            None => None,
        };
        let mut sums = Vec::new();
        for seg in searcher.segment_readers() {
            let mut s = Sums::new(seg.max_doc());
            for (c, w) in clauses.iter().zip(&weights) {
                s.score(seg, c, w)?;
            }
            if let Some(forms) = &forms {
                s.add_forms(seg, forms.as_ref())?;
            }
            sums.push(s);
        }
        let counted = counting.map(OffThread::finish).transpose()?.unwrap_or_default();
        let mut swept = Swept {
            total: 0,
            top: Vec::new(),
        };
        let mut fruits = Vec::new();
        for (ord, (seg, mut s)) in searcher.segment_readers().iter().zip(sums).enumerate() {
            let alive = self.alive.of(seg);
            if let Some(alive) = &alive {
                s.scored.iter_mut().zip(alive.iter()).for_each(|(w, a)| *w &= a);
            }
            let mut scored: Vec<(DocId, f32)> = Vec::with_capacity(seg.max_doc() as usize / 2);
            let mut hist = vec![0usize; BUCKETS];
            for_each_bit(&s.scored, |d| {
                let score = s.scores[d as usize];
                hist[bucket(score)] += 1;
                scored.push((d, score));
            });
            if let Some(counted) = counted.get(ord) {
                let live = |i: usize| alive.as_ref().map_or(u64::MAX, |a| a[i]);
                swept.total += (counted.iter().zip(&s.scored).enumerate())
                    .map(|(i, (c, s))| (c & !s & live(i)).count_ones() as usize)
                    .sum::<usize>();
            }
            swept.total += scored.len();
            let mut child = collector.for_segment(ord as u32, seg)?;
            best_first(&mut child, &scored, &hist, collector.limit);
            fruits.push(child.harvest());
        }
        swept.top = collector.merge_fruits(fruits)?.1;
        Ok(swept)
    }
}

impl Engine {
    /// The words query searched term at a time ([`Engine::sweep`]), when
    /// its shape allows: every word one spelling, no filter.
    pub(super) fn sweep_words(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        opts: &SearchOptions,
        collector: &DistinctTop,
        spare: bool,
    ) -> Result<Option<Swept>> {
        if !self.ranking.sweep || !self.filters(opts).is_empty() {
            return Ok(None);
        }
        let Some(scored) = self.word_terms(plan, spare) else {
            return Ok(None);
        };
        let counted = match spare {
            true => self.common_terms(plan),
            false => Vec::new(),
        };
        let forms = self.forms_query(plan);
        let swept = self.sweep(searcher, &scored, forms.as_deref(), &counted, collector)?;
        Ok(Some(swept))
    }

    /// [`Engine::word_clauses`] as term clauses, in the same order; `None`
    /// when a word has several spellings (a correction).
    fn word_terms(&self, plan: &Plan, spare_common: bool) -> Option<Vec<TermClause>> {
        let mut out = Vec::new();
        for (_, c) in &plan.concepts {
            if c.stems.len() != 1 {
                return None;
            }
            out.extend(self.one_spelling_terms(plan, c, spare_common));
        }
        Some(out)
    }
}

impl Sums {
    fn new(max_doc: u32) -> Sums {
        Sums {
            scores: vec![0.0; max_doc as usize],
            scored: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    /// Adds clause `c`'s score (weighed by `w`) to every doc it matches.
    fn score(&mut self, seg: &SegmentReader, c: &TermClause, w: &Bm25Weight) -> Result<()> {
        let term = Term::from_field_text(c.field, &c.stem);
        let inv = seg.inverted_index(c.field)?;
        let Some(mut block) = inv.read_block_postings(&term, IndexRecordOption::WithFreqs)? else {
            return Ok(());
        };
        let norms = seg.get_fieldnorms_reader(c.field)?;
        while !block.docs().is_empty() {
            for (&d, &tf) in block.docs().iter().zip(block.freqs()) {
                self.scores[d as usize] += w.score(norms.fieldnorm_id(d), tf);
                set_bit(&mut self.scored, d);
            }
            block.advance();
        }
        Ok(())
    }

    /// Adds the question form's score to the docs that match a word, the
    /// last addend, as tantivy's optional clause is.
    fn add_forms(&mut self, seg: &SegmentReader, forms: &dyn Weight) -> Result<()> {
        let mut scorer = forms.scorer(seg, 1.0)?;
        while scorer.doc() != TERMINATED {
            let d = scorer.doc();
            if self.scored[d as usize / 64] & bit(d) != 0 {
                self.scores[d as usize] += scorer.score();
            }
            scorer.advance();
        }
        Ok(())
    }
}

/// The live documents of segments with deletions, one bit per document,
/// kept per segment and count of deletions (a segment's deletions only
/// grow, so the two name one set): checking tantivy's bitset per matching
/// section cost 2% of a query on an index after an update.
#[derive(Default)]
pub(super) struct AliveWords(Mutex<HashMap<(SegmentId, u32), Words>>);

/// One bit per document of a segment.
type Words = Arc<Vec<u64>>;

impl AliveWords {
    /// The live documents of `seg`; `None` when none is deleted.
    fn of(&self, seg: &SegmentReader) -> Option<Words> {
        let alive = seg.alive_bitset()?;
        let key = (seg.segment_id(), seg.num_deleted_docs());
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(words) = cache.get(&key) {
            return Some(words.clone());
        }
        let mut words = vec![0u64; (seg.max_doc() as usize).div_ceil(64)];
        for d in alive.iter_alive() {
            set_bit(&mut words, d);
        }
        // Segments come and go with merges: keep the cache small.
        if cache.len() >= 16 {
            cache.clear();
        }
        let words = Arc::new(words);
        cache.insert(key, words.clone());
        Some(words)
    }
}

/// For each segment, the bitset of the docs matching one of `clauses`.
fn count(searcher: &Searcher, clauses: &[TermClause]) -> Result<Vec<Vec<u64>>> {
    let mut out = Vec::new();
    for seg in searcher.segment_readers() {
        let mut bits = vec![0u64; (seg.max_doc() as usize).div_ceil(64)];
        for c in clauses {
            let term = Term::from_field_text(c.field, &c.stem);
            let inv = seg.inverted_index(c.field)?;
            let Some(mut block) = inv.read_block_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            while !block.docs().is_empty() {
                for &d in block.docs() {
                    set_bit(&mut bits, d);
                }
                block.advance();
            }
        }
        out.push(bits);
    }
    Ok(out)
}

/// Doc `d`'s bit within its word of a bitset.
fn bit(d: DocId) -> u64 {
    1 << (d % 64)
}

/// Sets doc `d`'s bit in `bits`.
fn set_bit(bits: &mut [u64], d: DocId) {
    bits[d as usize / 64] |= bit(d);
}

/// Calls `f` with each doc whose bit is set, in order.
fn for_each_bit(bits: &[u64], mut f: impl FnMut(DocId)) {
    for (i, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            f((i * 64) as DocId + word.trailing_zeros());
            word &= word - 1;
        }
    }
}

/// Hands `scored` to the collector, the best-scoring sections first: the
/// top buckets of the score histogram, four times as many sections each
/// round, until the collector holds `limit` texts. Every section left
/// scores less than those texts, so none can be a candidate; and the
/// collector's choice does not depend on the order it sees sections in,
/// so it is the choice it makes from all of them in doc order. Re-published
/// guides put thousands of copies of a few texts at the top; the sections
/// further down then cost a comparison, not a lookup of their text.
fn best_first(child: &mut DistinctSegment, scored: &[(DocId, f32)], hist: &[usize], limit: usize) {
    let (mut top, mut have, mut want) = (BUCKETS, 0, limit.max(1) * 4);
    while top > 0 && child.texts() < limit {
        let mut cut = top;
        while cut > 0 && have < want {
            cut -= 1;
            have += hist[cut];
        }
        let (lo, hi) = (lowest(cut), lowest(top));
        for &(d, s) in scored.iter().filter(|(_, s)| *s >= lo && *s < hi) {
            child.collect(d, s);
        }
        (top, want) = (cut, want * 4);
    }
}

/// Buckets of a score histogram: the top bits of a score's bit pattern,
/// which for a positive or zero float order like its value.
const BUCKETS: usize = 1 << 11;

/// The bucket of `score` (BM25 scores are positive).
fn bucket(score: f32) -> usize {
    (score.to_bits() >> 20) as usize & (BUCKETS - 1)
}

/// The lowest score of bucket `b` (`f32::INFINITY` past the last).
fn lowest(b: usize) -> f32 {
    if b >= BUCKETS {
        return f32::INFINITY;
    }
    f32::from_bits((b as u32) << 20)
}
