//! Stage 2, [`Plan`] → [`Retrieved`] candidates: each concept becomes BM25
//! term clauses over heading, title and text with the field weights of
//! [`super::Ranking`]; synonyms add clauses at a lower weight (multi-word
//! alternatives as exact phrases); tag and category filters must match. The
//! [`DistinctTop`] collector keeps the best [`CANDIDATES`] distinct texts;
//! `rechoose` then picks the copy standing for each of the best with the
//! synonyms. A common word's text clause is left to the re-rank when the
//! rarer words fill the pool. The search itself runs term at a time in
//! `sweep` when the query's shape allows (every word one spelling, no
//! filter), else through tantivy's scorers; the answers are the same.

use super::clause::Clause;
use super::distinct::{Distinct, DistinctTop};
use super::plan::{Concept, Plan};
use super::{Engine, SearchOptions};
use crate::index::schema::facet_key;
use anyhow::{Context, Result};
use std::sync::mpsc;
use tantivy::collector::Count;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Executor, Searcher, Term};

/// Candidates fetched from tantivy before re-ranking and collapse.
pub const CANDIDATES: usize = 100;

/// What the index returned for a plan.
pub(super) struct Retrieved {
    /// Sections matching any query word.
    pub total: usize,
    /// The best distinct texts, best first.
    pub top: Vec<Distinct>,
    /// The common words' text clauses, which the search left to the
    /// re-rank ([`Engine::common_clause`]), if it did.
    pub spared: Option<Clause>,
}

/// A count (of the sections matching a query) taken on a thread of the
/// segment pool while the caller searches, or on the caller's thread when
/// it asks for it (an engine answering many queries at once has no pool).
pub(super) enum OffThread<T> {
    Later(Box<dyn FnOnce() -> Result<T> + Send>),
    Begun(mpsc::Receiver<Result<T>>),
}

impl<T: Send + 'static> OffThread<T> {
    pub(super) fn begin(executor: &Executor, job: impl FnOnce() -> Result<T> + Send + 'static) -> Self {
        match executor {
            Executor::ThreadPool(pool) => {
                let (tx, rx) = mpsc::channel();
                pool.spawn(move || {
                    let _ = tx.send(job());
                });
                OffThread::Begun(rx)
            }
            Executor::SingleThread => OffThread::Later(Box::new(job)),
        }
    }

    pub(super) fn finish(self) -> Result<T> {
        match self {
            OffThread::Later(job) => job(),
            OffThread::Begun(rx) => rx.recv().context("the count of matching sections was lost")?,
        }
    }
}

/// One term clause of the words query: `stem` in `field`, its BM25 score
/// scaled by `boost`.
#[derive(Debug, Clone)]
pub(super) struct TermClause {
    pub field: Field,
    pub stem: String,
    pub boost: f32,
}

impl TermClause {
    /// The clause as a tantivy query.
    fn query(&self) -> Box<dyn Query> {
        boosted_term(self.field, &self.stem, self.boost)
    }
}

/// What the search for the query's own words found.
struct Found {
    total: usize,
    top: Vec<Distinct>,
    /// The word clauses searched.
    words: Vec<(Occur, Box<dyn Query>)>,
    /// The text clauses they leave to the re-rank.
    spared: Option<Clause>,
}

impl Engine {
    /// Runs the plan's query and collects the best distinct texts.
    pub(super) fn retrieve(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        opts: &SearchOptions,
    ) -> Result<Retrieved> {
        let collector = DistinctTop {
            limit: CANDIDATES,
            collapse: self.ranking.collapse,
        };
        let found = self.search_words(searcher, plan, opts, &collector)?;
        let Found {
            mut total,
            mut top,
            words,
            spared,
        } = found;
        let others: Vec<(Occur, Box<dyn Query>)> = [
            self.tag_clauses(plan),
            self.synonym_clause(plan).map(|c| c.query()),
        ]
        .into_iter()
        .flatten()
        .map(|q| (Occur::Should, q))
        .collect();
        if top.len() < CANDIDATES && !others.is_empty() {
            // Few matches: sections whose article is only tagged with a
            // query word, or that hold only a synonym, fill the pool, as
            // they would if tags and synonyms were clauses.
            let others: Box<dyn Query> = Box::new(BooleanQuery::new(others));
            let mut only: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, others)];
            if !words.is_empty() {
                only.push((Occur::MustNot, Box::new(BooleanQuery::new(words))));
            }
            only.extend(self.filters(opts));
            let rest = DistinctTop {
                limit: CANDIDATES - top.len(),
                ..collector
            };
            let (more, extra) = searcher.search_with_executor(
                &BooleanQuery::new(only),
                &rest,
                self.executor(searcher),
                EnableScoring::enabled_from_searcher(searcher),
            )?;
            total += more;
            // The re-rank adds every candidate's tag and synonym scores.
            top.extend(extra.into_iter().map(|d| Distinct { score: 0.0, ..d }));
        }
        Ok(Retrieved { total, top, spared })
    }

    /// The index-wide search for the query's own words. A common word's
    /// text clause is left to the re-rank when the rarer words find a full
    /// pool of candidates; the sections matching any word are then counted
    /// apart, without scoring (tantivy counts a union block by block).
    fn search_words(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        opts: &SearchOptions,
        collector: &DistinctTop,
    ) -> Result<Found> {
        let mut found = Found {
            total: 0,
            top: Vec::new(),
            words: self.word_clauses(plan, true),
            spared: self.common_clause(plan),
        };
        if found.words.is_empty() {
            return Ok(found);
        }
        let spare = found.spared.is_some();
        (found.total, found.top) = self.search_once(searcher, plan, opts, collector, &found.words, spare)?;
        if spare && found.top.len() < CANDIDATES {
            // Few sections hold the rarer words: the common ones find
            // candidates too.
            found.spared = None;
            found.words = self.word_clauses(plan, false);
            (found.total, found.top) =
                self.search_once(searcher, plan, opts, collector, &found.words, false)?;
        }
        if let Some(syn) = self.synonym_clause(plan) {
            let query = self.words_query(plan, opts, &found.words);
            self.rechoose(searcher, opts, &query, &syn, &mut found.top)?;
        }
        Ok(found)
    }

    /// One search for the `words` (the clauses of
    /// [`Engine::word_clauses`] with `spare_common`), term at a time
    /// ([`Engine::sweep_words`]) when the query's shape allows, else through
    /// tantivy's scorers: the matches' count and the best texts. With
    /// `spare_common`, the common words' text clauses only count; when the
    /// rarer words then fill the pool, the count covers every word (else
    /// the caller searches again).
    fn search_once(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        opts: &SearchOptions,
        collector: &DistinctTop,
        words: &[(Occur, Box<dyn Query>)],
        spare_common: bool,
    ) -> Result<(usize, Vec<Distinct>)> {
        if let Some(swept) = self.sweep_words(searcher, plan, opts, collector, spare_common)? {
            return Ok((swept.total, swept.top));
        }
        let query = self.words_query(plan, opts, words);
        // Begun before the search, on a spare thread when there is one.
        let count = spare_common.then(|| {
            let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                Box::new(BooleanQuery::new(self.word_clauses(plan, false))),
            )];
            all.extend(self.filters(opts));
            let (searcher, all) = (searcher.clone(), BooleanQuery::new(all));
            OffThread::begin(&self.executor, move || Ok(searcher.search(&all, &Count)?))
        });
        let (matched, top) = self.collect_top(searcher, &query, collector)?;
        match count {
            Some(count) if top.len() >= CANDIDATES => Ok((count.finish()?, top)),
            _ => Ok((matched, top)),
        }
    }

    /// Runs a words query with the candidate collector.
    fn collect_top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &DistinctTop,
    ) -> Result<(usize, Vec<Distinct>)> {
        Ok(searcher.search_with_executor(
            query,
            collector,
            self.executor(searcher),
            EnableScoring::enabled_from_searcher(searcher),
        )?)
    }

    /// The index-wide search: sections holding a query word (within the
    /// filters), headings answering the question form raised.
    fn words_query(
        &self,
        plan: &Plan,
        opts: &SearchOptions,
        words: &[(Occur, Box<dyn Query>)],
    ) -> BooleanQuery {
        let words: Box<dyn Query> = Box::new(BooleanQuery::new(
            words.iter().map(|(o, q)| (*o, q.box_clone())).collect(),
        ));
        let mut musts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
        musts.extend(self.filters(opts));
        if let Some(forms) = self.forms_query(plan) {
            musts.push((Occur::Should, forms));
        }
        BooleanQuery::new(musts)
    }

    /// The optional clause that raises sections headed the way the
    /// question is answered; it never makes one match.
    pub(super) fn forms_query(&self, plan: &Plan) -> Option<Box<dyn Query>> {
        if plan.form_stems.is_empty() {
            return None;
        }
        let weight = self.ranking.heading * self.ranking.question;
        let forms: Vec<Box<dyn Query>> = (plan.form_stems.iter())
            .map(|stems| {
                let all: Vec<(Occur, Box<dyn Query>)> = (stems.iter())
                    .map(|stem| {
                        let t = Term::from_field_text(self.fields.heading, stem);
                        let q: Box<dyn Query> = Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
                        (Occur::Must, q)
                    })
                    .collect();
                let per_word = weight / stems.len() as f32;
                Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), per_word)) as Box<dyn Query>
            })
            .collect();
        Some(Box::new(DisjunctionMaxQuery::new(forms)))
    }

    /// Each concept's words over the tags, when tags are weighed.
    fn tag_clauses(&self, plan: &Plan) -> Option<Box<dyn Query>> {
        if self.ranking.tags <= 0.0 {
            return None;
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = (plan.concepts.iter())
            .flat_map(|(_, c)| c.stems.iter())
            .filter(|(_, w)| *w > 0.0)
            .map(|(stem, w)| {
                (
                    Occur::Should,
                    boosted_term(self.fields.tags, stem, self.ranking.tags * w),
                )
            })
            .collect();
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// The `--tag`, `--category` and `--lang` filters: each given one is a
    /// must clause matching any of its values.
    pub(super) fn filters(&self, opts: &SearchOptions) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let tags: Vec<Term> = (opts.tags.iter())
            .map(|v| Term::from_field_text(f.facet, &format!("t:{}", facet_key(v))))
            .collect();
        let categories: Vec<Term> = (opts.categories.iter())
            .map(|v| Term::from_field_text(f.facet, &format!("c:{}", facet_key(v))))
            .collect();
        let langs: Vec<Term> = (opts.langs.iter())
            .map(|code| Term::from_field_text(f.lang, code))
            .collect();
        [tags, categories, langs]
            .into_iter()
            .filter(|terms| !terms.is_empty())
            .map(|terms| {
                let any: Vec<(Occur, Box<dyn Query>)> = terms
                    .into_iter()
                    .map(|t| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(t, IndexRecordOption::Basic));
                        (Occur::Should, q)
                    })
                    .collect();
                let q: Box<dyn Query> = Box::new(BooleanQuery::new(any));
                (Occur::Must, q)
            })
            .collect()
    }

    /// The text clauses of the query's common words
    /// ([`super::plan::Plan::is_common`]), which the index-wide search
    /// leaves out: the re-rank adds them to every candidate.
    pub(super) fn common_clause(&self, plan: &Plan) -> Option<Clause> {
        let leaves: Vec<Clause> = (self.common_terms(plan).iter())
            .map(|t| Clause::Leaf(t.query()))
            .collect();
        (!leaves.is_empty()).then_some(Clause::Sum(leaves))
    }

    /// The common words' text clauses ([`Engine::common_clause`]).
    pub(super) fn common_terms(&self, plan: &Plan) -> Vec<TermClause> {
        (plan.concepts.iter())
            .filter(|(_, c)| self.spares_text(plan, c))
            .map(|(_, c)| {
                let (stem, w) = &c.stems[0];
                TermClause {
                    field: self.fields.text,
                    stem: stem.clone(),
                    boost: self.ranking.text * w,
                }
            })
            .collect()
    }

    /// Whether concept `c`'s text clause is left to the re-rank: a common
    /// word, with the text weighed.
    pub(super) fn spares_text(&self, plan: &Plan, c: &Concept) -> bool {
        self.ranking.text > 0.0 && plan.is_common(c, self.ranking.common)
    }

    /// The thesaurus alternatives, one optional clause per group: the best
    /// alternative of a group counts, at the synonym weight. They are not
    /// part of the index-wide search: common alternatives ("device" for
    /// "phone") have postings as long as the words' and took 45% of a
    /// query's time on the 14k corpus, while they only nudge the order; the
    /// re-rank adds this query's score on every candidate
    /// ([`Clause::scores`], leaf by leaf), and sections matching only an
    /// alternative become candidates when few others match.
    pub(super) fn synonym_clause(&self, plan: &Plan) -> Option<Clause> {
        if self.ranking.synonym <= 0.0 || plan.synonym_groups.is_empty() {
            return None;
        }
        let groups = (plan.synonym_groups.iter())
            .map(|group| {
                let alts = group.iter().map(|stems| self.alternative_clause(stems)).collect();
                Clause::Boost(Box::new(Clause::Max(alts)), self.ranking.synonym)
            })
            .collect();
        Some(Clause::Sum(groups))
    }

    /// One thesaurus alternative: a word's field clauses, or a phrase over
    /// heading and text.
    fn alternative_clause(&self, stems: &[String]) -> Clause {
        if let [one] = stems {
            let fields = self.field_clauses(one, 1.0).into_iter();
            return Clause::Sum(fields.map(|(_, q)| Clause::Leaf(q)).collect());
        }
        let f = &self.fields;
        let phrases = [(f.heading, self.ranking.heading), (f.text, self.ranking.text)]
            .into_iter()
            .map(|(field, w)| {
                let terms: Vec<(usize, Term)> = (stems.iter().enumerate())
                    .map(|(i, s)| (i, Term::from_field_text(field, s)))
                    .collect();
                let phrase = PhraseQuery::new_with_offset_and_slop(terms, 0);
                Clause::Boost(Box::new(Clause::Leaf(Box::new(phrase))), w)
            });
        Clause::Sum(phrases.collect())
    }

    /// The scoring clauses of the query's own words: one group per concept.
    /// With `spare_common`, a common word's text clause is left to the
    /// re-rank ([`Engine::common_clause`]).
    fn word_clauses(&self, plan: &Plan, spare_common: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (_, c) in &plan.concepts {
            if c.stems.len() == 1 {
                // One word: its field clauses go straight into the top-level
                // disjunction (a flatter query scores faster).
                let terms = self.one_spelling_terms(plan, c, spare_common);
                shoulds.extend(terms.iter().map(|t| (Occur::Should, t.query())));
            } else {
                let alts: Vec<Box<dyn Query>> =
                    c.stems.iter().map(|(s, w)| self.term_clauses(s, *w)).collect();
                shoulds.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(alts))));
            }
        }
        shoulds
    }

    /// BM25 term clauses for one stem over the weighted fields.
    fn term_clauses(&self, stem: &str, weight: f32) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(self.field_clauses(stem, weight)))
    }

    /// One boosted term clause per weighted field. Tags are not among them:
    /// they label whole articles, so their postings are as long as the
    /// text's for a common word while they only nudge the order; the
    /// re-rank adds them to the candidates ([`Engine::tag_scores`]).
    fn field_clauses(&self, stem: &str, weight: f32) -> Vec<(Occur, Box<dyn Query>)> {
        (self.field_terms(stem, weight).iter())
            .map(|t| (Occur::Should, t.query()))
            .collect()
    }

    /// [`Engine::field_clauses`] as term clauses, in the same order.
    fn field_terms(&self, stem: &str, weight: f32) -> Vec<TermClause> {
        let f = &self.fields;
        [
            (f.heading, self.ranking.heading),
            (f.title, self.ranking.title),
            (f.text, self.ranking.text),
        ]
        .into_iter()
        .filter(|&(_, w)| weight > 0.0 && w > 0.0)
        .map(|(field, w)| TermClause {
            field,
            stem: stem.to_string(),
            boost: w * weight,
        })
        .collect()
    }

    /// The term clauses of a word with one spelling: its field clauses,
    /// without the text clause (the last) when `spare_common` leaves a
    /// common word's text to the re-rank.
    pub(super) fn one_spelling_terms(&self, plan: &Plan, c: &Concept, spare_common: bool) -> Vec<TermClause> {
        let mut terms = self.field_terms(&c.stems[0].0, c.stems[0].1);
        if spare_common && self.spares_text(plan, c) {
            terms.pop();
        }
        terms
    }
}

/// A BM25 term clause for `stem` in `field`, scaled by `boost`.
fn boosted_term(field: Field, stem: &str, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(field, stem),
            IndexRecordOption::WithFreqs,
        )),
        boost,
    ))
}

/// An executor for `threads` threads (0 = one per core); a single thread
/// when a pool cannot be made.
pub(super) fn segment_executor(threads: usize) -> Executor {
    let n = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
        n => n,
    };
    if n <= 1 {
        return Executor::single_thread();
    }
    Executor::multi_thread(n, "fixdex-search-").unwrap_or_else(|_| Executor::single_thread())
}
