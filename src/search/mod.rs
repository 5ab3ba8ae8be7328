//! Answering a problem description: query analysis, the tantivy query,
//! ranking, near-duplicate collapse and per-article grouping.
//!
//! Query pipeline:
//! 1. the query is split into words with the indexer's tokenizer (so
//!    contractions expand the same way), stop words are dropped unless
//!    nothing else is left;
//! 2. each word not in the index vocabulary is corrected to the nearest
//!    vocabulary word (edit distance 1, 2 for words of 8+ letters), and a
//!    `suggestion` records the corrected query;
//! 3. each word becomes BM25 term clauses over heading, title, text and tags
//!    with the field weights below; synonyms from the thesaurus add clauses
//!    at a lower weight; adjacent word pairs add sloppy phrase clauses
//!    (proximity);
//! 4. the best candidates are re-ranked by how much of the query they cover,
//!    near-duplicates are folded into `also_in`, and at most
//!    [`PER_ARTICLE`] sections of one article are listed.

pub mod distinct;
pub mod synonyms;

use crate::index::indexer::OpenIndex;
use crate::index::schema::{Fields, facet_key};
use crate::ingest::sections::Section;
use crate::text::analyzer::{self, is_stop_word};
use crate::text::fingerprint;
use anyhow::{Context, Result};
use distinct::DistinctTop;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use synonyms::Thesaurus;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::postings::Postings;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Executor, IndexReader, Searcher, TantivyDocument, Term};

/// The ranking knobs. [`Ranking::default`] holds the tuned values; the
/// other constructors switch one piece off for the ablation table of
/// `fixdex eval --ablate`.
///
/// Field weights: the heading names the problem or the fix, so it counts
/// most; the title is next but weaker than the heading because scraped sites
/// re-title copied articles (and a title is shared by every section of its
/// article); body text is the baseline; tags are coarse labels. Values were
/// tuned on the dev relevance set; see the README's ranking section.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Heading weight.
    pub heading: f32,
    /// Title weight.
    pub title: f32,
    /// Body text weight.
    pub text: f32,
    /// Tags and categories weight.
    pub tags: f32,
    /// Weight of a synonym relative to the user's own word (0 = off).
    pub synonym: f32,
    /// Weight of a typo correction relative to an exact word (0 = off).
    pub fuzzy: f32,
    /// Score bonus for sections where adjacent query words stand close
    /// together: the score is multiplied by `1 + proximity × share of close
    /// pairs` (0 = off).
    pub proximity: f32,
    /// Re-rank candidates by the share of the query they cover.
    pub coverage: bool,
    /// Share of the score kept by a candidate that covers nothing.
    pub coverage_floor: f32,
    /// How strongly a word's rarity weighs in coverage: each query word
    /// counts `idf ^ coverage_idf` (1 = by rarity, 0 = every word alike).
    pub coverage_idf: f32,
    /// Drop stop words from the query (unless nothing else is left).
    pub stop_words: bool,
    /// Fold near-duplicate sections into one hit.
    pub collapse: bool,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            heading: 2.5,
            title: 1.2,
            text: 1.0,
            tags: 0.3,
            synonym: 0.4,
            fuzzy: 0.8,
            proximity: 0.1,
            coverage: true,
            coverage_floor: 0.35,
            coverage_idf: 0.0,
            stop_words: true,
            collapse: true,
        }
    }
}

impl Ranking {
    /// How much of its score a candidate keeps for a given coverage:
    /// `floor + (1 - floor) × coverage²`.
    pub fn coverage_factor(&self, coverage: f32) -> f32 {
        self.coverage_floor + (1.0 - self.coverage_floor) * coverage * coverage
    }

    /// Applies `name=value` overrides such as `heading=3,proximity=0`
    /// (used for tuning through the `FIXDEX_RANKING` environment variable).
    pub fn with_overrides(mut self, spec: &str) -> Ranking {
        for part in spec.split(',') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            let Ok(x) = v.trim().parse::<f32>() else { continue };
            match k.trim() {
                "heading" => self.heading = x,
                "title" => self.title = x,
                "text" => self.text = x,
                "tags" => self.tags = x,
                "synonym" => self.synonym = x,
                "fuzzy" => self.fuzzy = x,
                "proximity" => self.proximity = x,
                "coverage" => self.coverage = x != 0.0,
                "coverage_floor" => self.coverage_floor = x,
                "coverage_idf" => self.coverage_idf = x,
                "stop_words" => self.stop_words = x != 0.0,
                "collapse" => self.collapse = x != 0.0,
                _ => {}
            }
        }
        self
    }

    /// The tuned ranking and one variant per piece switched off, named.
    pub fn ablations() -> Vec<(&'static str, Ranking)> {
        let full = Ranking::default();
        vec![
            ("full ranking", full.clone()),
            (
                "flat field weights",
                Ranking {
                    heading: 1.0,
                    title: 1.0,
                    text: 1.0,
                    tags: 1.0,
                    ..full.clone()
                },
            ),
            (
                "no synonyms",
                Ranking {
                    synonym: 0.0,
                    ..full.clone()
                },
            ),
            (
                "no typo correction",
                Ranking {
                    fuzzy: 0.0,
                    ..full.clone()
                },
            ),
            (
                "no proximity",
                Ranking {
                    proximity: 0.0,
                    ..full.clone()
                },
            ),
            (
                "no coverage re-rank",
                Ranking {
                    coverage: false,
                    ..full.clone()
                },
            ),
            (
                "coverage weighted by rarity",
                Ranking {
                    coverage_idf: 1.0,
                    ..full.clone()
                },
            ),
            (
                "no stop-word removal",
                Ranking {
                    stop_words: false,
                    ..full.clone()
                },
            ),
            (
                "no near-duplicate collapse",
                Ranking {
                    collapse: false,
                    ..full.clone()
                },
            ),
            (
                "plain BM25 (all off)",
                Ranking {
                    heading: 1.0,
                    title: 1.0,
                    text: 1.0,
                    tags: 1.0,
                    synonym: 0.0,
                    fuzzy: 0.0,
                    proximity: 0.0,
                    coverage: false,
                    coverage_floor: 0.35,
                    coverage_idf: 1.0,
                    stop_words: false,
                    collapse: false,
                },
            ),
        ]
    }
}

/// Slop of proximity clauses: the pair may be this many positions apart.
pub const PROXIMITY_SLOP: u32 = 3;
/// At most this many query words are used (longer input is cut).
pub const MAX_QUERY_WORDS: usize = 32;
/// At most this many words are typo-corrected per query.
pub const MAX_CORRECTIONS: usize = 8;
/// Candidates fetched from tantivy before re-ranking and collapse.
pub const CANDIDATES: usize = 100;
/// Near-duplicate ids listed per hit at most.
pub const MAX_ALSO_IN: usize = 20;
/// Sections of one article listed at most (unless `all_sections`).
pub const PER_ARTICLE: usize = 2;

/// Query options.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Hits to return (1–100).
    pub limit: usize,
    /// Only articles with one of these tags.
    pub tags: Vec<String>,
    /// Only articles with one of these categories.
    pub categories: Vec<String>,
    /// Lift the per-article cap.
    pub all_sections: bool,
    /// Attach score explanations.
    pub explain: bool,
    /// Drop hits below this confidence.
    pub min_confidence: f32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 5,
            tags: Vec::new(),
            categories: Vec::new(),
            all_sections: false,
            explain: false,
            min_confidence: 0.0,
        }
    }
}

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
    /// Tags.
    pub tags: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Share of the query's weight this section matches, in [0, 1]; see
    /// [`Engine::search`].
    pub confidence: f32,
    /// Ids of near-duplicate sections folded into this hit.
    pub also_in: Vec<String>,
    /// Score explanation, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<serde_json::Value>,
}

/// The answer to one query (the `query --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The query as given.
    pub query: String,
    /// Sections matching any query word.
    pub total: usize,
    /// Time spent answering, in milliseconds.
    pub took_ms: f64,
    /// Ranked hits.
    pub hits: Vec<Hit>,
    /// The query with unknown words corrected, when any was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Analysed terms that matched, for highlighting (not part of the JSON).
    #[serde(skip)]
    pub highlight: HashSet<String>,
}

/// A query word after analysis.
#[derive(Debug, Clone)]
struct Word {
    surface: String,
    from: usize,
    to: usize,
    stop: bool,
}

/// One weighted unit of the query: a user word with its alternatives.
#[derive(Debug, Clone)]
struct Concept {
    /// (stem, relative weight) — the word itself at 1.0, corrections lower.
    stems: Vec<(String, f32)>,
    /// Stems of synonyms (weight [`Ranking::synonym`]).
    synonyms: Vec<String>,
    /// IDF-like importance.
    weight: f32,
}

/// Fast-field columns of one segment.
struct SegmentColumns {
    sim: Option<Column<u64>>,
    article: Option<Column<u64>>,
}

/// A ranked section on its way to becoming a [`Hit`].
struct Candidate {
    score: f32,
    coverage: f32,
    addr: DocAddress,
    section: Section,
    sim: u64,
    /// Word shingles of the text, computed when a near-duplicate check needs them.
    shingles: std::cell::OnceCell<Vec<u64>>,
    also_in: Vec<Copy>,
}

/// A near-duplicate folded into a hit: its id, or where to read it.
enum Copy {
    Id(String),
    At(DocAddress),
}

/// A searcher over one fixdex index.
pub struct Engine {
    fields: Fields,
    reader: IndexReader,
    thesaurus: Thesaurus,
    en: TextAnalyzer,
    surface: TextAnalyzer,
    ranking: Ranking,
    /// Runs the segments of one query side by side.
    executor: Executor,
}

impl Engine {
    /// Wraps an open index; `corpus` locates an optional `synonyms.txt`.
    pub fn new(open: OpenIndex, corpus: Option<&Path>) -> Result<Engine> {
        let reader = open
            .index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(256)
            .try_into()
            .context("cannot open the index for reading; run `fixdex index --rebuild`")?;
        let thesaurus = match corpus {
            Some(c) => Thesaurus::for_corpus(c),
            None => Thesaurus::built_in(),
        };
        Ok(Engine {
            fields: open.fields,
            reader,
            thesaurus,
            en: analyzer::english(),
            surface: analyzer::surface(),
            ranking: match std::env::var("FIXDEX_RANKING") {
                Ok(spec) => Ranking::default().with_overrides(&spec),
                Err(_) => Ranking::default(),
            },
            executor: segment_executor(0),
        })
    }

    /// Searches the segments of one query on up to `threads` threads (0 =
    /// one per core, 1 = on the caller's thread). Side by side segments
    /// shorten one answer; a caller answering many queries at once already
    /// keeps the cores busy and should pass 1.
    pub fn set_segment_threads(&mut self, threads: usize) {
        self.executor = segment_executor(threads);
    }

    /// Replaces the ranking knobs (for ablation and tuning).
    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    /// The searcher of the last commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Looks a section up by id.
    pub fn show(&self, id: &str) -> Result<Option<Section>> {
        let searcher = self.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => {
                let doc: TantivyDocument = searcher.doc(*addr)?;
                Ok(self.fields.section(&doc))
            }
            None => Ok(None),
        }
    }

    fn stem(&self, word: &str) -> Option<String> {
        let mut en = self.en.clone();
        analyzer::tokens(&mut en, word).into_iter().next().map(|t| t.text)
    }

    fn words(&self, query: &str) -> Vec<Word> {
        let mut an = self.surface.clone();
        let mut out: Vec<Word> = Vec::new();
        let mut last_pos = usize::MAX;
        for t in analyzer::tokens(&mut an, query) {
            if t.position == last_pos {
                continue; // joined hyphen compound: the parts are enough
            }
            last_pos = t.position;
            out.push(Word {
                stop: self.ranking.stop_words && is_stop_word(&t.text),
                surface: t.text,
                from: t.offset_from,
                to: t.offset_to,
            });
            if out.len() >= MAX_QUERY_WORDS * 2 {
                break;
            }
        }
        out
    }

    fn doc_freq(&self, searcher: &Searcher, field: tantivy::schema::Field, text: &str) -> u64 {
        searcher
            .doc_freq(&Term::from_field_text(field, text))
            .unwrap_or(0)
    }

    /// The most frequent indexed stem within edit distance of the stem of
    /// `word` (1, or 2 for words of 8 letters or more), searched in the
    /// body and heading vocabularies.
    fn correct(&self, searcher: &Searcher, word: &str, stem: &str) -> Option<(String, u64)> {
        let len = word.chars().count();
        if len < 4 || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let distance = if len >= 8 { 2 } else { 1 };
        let mut found: HashMap<String, u64> = HashMap::new();
        for field in [self.fields.text, self.fields.heading] {
            let q = FuzzyTermQuery::new(Term::from_field_text(field, stem), distance, true);
            let automaton = q.automaton().ok()?;
            for seg in searcher.segment_readers() {
                let Ok(inv) = seg.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(k) = std::str::from_utf8(stream.key()) {
                        let e = found.entry(k.to_string()).or_default();
                        *e = (*e).max(u64::from(stream.value().doc_freq));
                    }
                }
            }
        }
        found
            .into_iter()
            .filter(|(w, _)| w != stem && !is_stop_word(w))
            .map(|(w, df)| (levenshtein(stem, &w), df, w))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)))
            .map(|(_, df, w)| (w, df))
    }

    /// The query with corrected words put back as words, when any could be.
    fn suggestion(
        &self,
        query: &str,
        corrections: &[(usize, usize, String)],
        hits: &[Hit],
    ) -> Option<String> {
        let mut s = String::new();
        let mut last = 0;
        let mut any = false;
        for (from, to, stem) in corrections {
            let Some(word) = self.surface_for(stem, hits) else {
                continue;
            };
            s.push_str(&query[last..*from]);
            s.push_str(&word);
            last = *to;
            any = true;
        }
        s.push_str(&query[last..]);
        any.then(|| s.to_lowercase())
    }

    /// The most common word of the hits whose stem is `stem`: turns a
    /// corrected stem back into a word for the suggestion.
    fn surface_for(&self, stem: &str, hits: &[Hit]) -> Option<String> {
        let mut an = self.surface.clone();
        let mut counts: HashMap<String, usize> = HashMap::new();
        let first = stem.chars().next()?;
        for h in hits {
            for text in [&h.heading, &h.title, &h.text] {
                for t in analyzer::tokens(&mut an, text) {
                    if t.text.starts_with(first)
                        && t.text.len() >= stem.len()
                        && self.stem(&t.text).as_deref() == Some(stem)
                    {
                        *counts.entry(t.text).or_default() += 1;
                    }
                }
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(w, _)| w)
    }

    /// Answers a query. A hit's `confidence` is the share of the query's
    /// content words that the section matches (each word weighted by
    /// `idf ^ coverage_idf`, by default all alike; BM25 already rewards
    /// rare words): a word in the heading or title counts fully, in the
    /// body 0.8, only through a synonym or a typo correction 0.5.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Answer> {
        let start = Instant::now();
        let searcher = self.searcher();
        let num_docs = searcher.num_docs().max(1) as f32;
        let words = self.words(query);
        let mut content: Vec<usize> = (0..words.len()).filter(|&i| !words[i].stop).collect();
        if content.is_empty() {
            content = (0..words.len()).collect();
        }
        content.truncate(MAX_QUERY_WORDS);

        // Build concepts, correcting unknown words.
        let mut concepts: Vec<(usize, Concept)> = Vec::new();
        let mut corrections: Vec<(usize, usize, String)> = Vec::new();
        let mut seen_stems = HashSet::new();
        // Words found nowhere (not even by correction) still count against
        // confidence, at the weight of the rarest possible word.
        let mut unknown_weight = 0.0f32;
        let idf_power = self.ranking.coverage_idf;
        let max_weight = (1.0 + (num_docs + 0.5) / 0.5).ln().powf(idf_power);
        for &i in &content {
            let w = &words[i];
            let Some(stem) = self.stem(&w.surface) else {
                continue;
            };
            let stem_df = self
                .doc_freq(&searcher, self.fields.text, &stem)
                .max(self.doc_freq(&searcher, self.fields.heading, &stem))
                .max(self.doc_freq(&searcher, self.fields.title, &stem));
            let mut stems = Vec::new();
            let known = stem_df > 0;
            if known {
                stems.push((stem.clone(), 1.0));
            }
            let fuzzy = self.ranking.fuzzy;
            if fuzzy > 0.0
                && corrections.len() < MAX_CORRECTIONS
                && stem_df <= 2
                && let Some((fixed, df)) = self.correct(&searcher, &w.surface, &stem)
            {
                // A rare word is also matched as its far more common neighbour.
                if !known || df >= 20 * stem_df.max(1) {
                    if !stems.iter().any(|(s, _)| *s == fixed) {
                        stems.push((fixed.clone(), if known { fuzzy * 0.5 } else { fuzzy }));
                    }
                    if !known {
                        corrections.push((w.from, w.to, fixed));
                    }
                }
            }
            if stems.is_empty() {
                unknown_weight += max_weight;
                continue;
            }
            if !seen_stems.insert(stems[0].0.clone()) {
                continue;
            }
            let df = stems
                .iter()
                .map(|(s, _)| self.doc_freq(&searcher, self.fields.text, s))
                .max()
                .unwrap_or(0) as f32;
            let weight = (1.0 + (num_docs - df + 0.5) / (df + 0.5))
                .ln()
                .max(0.05)
                .powf(idf_power);
            concepts.push((
                i,
                Concept {
                    stems,
                    synonyms: Vec::new(),
                    weight,
                },
            ));
        }

        // Synonyms, matched on the surface words (phrases may span stop words).
        let surface: Vec<String> = words.iter().map(|w| w.surface.clone()).collect();
        let mut synonym_clauses: Vec<Box<dyn Query>> = Vec::new();
        let mut at = 0;
        while self.ranking.synonym > 0.0 && at < surface.len() {
            match self.thesaurus.alternatives(&surface, at) {
                Some((n, alts)) => {
                    let own: Vec<String> = (at..at + n).filter_map(|k| self.stem(&surface[k])).collect();
                    let mut alt_queries: Vec<Box<dyn Query>> = Vec::new();
                    for alt in alts {
                        let stems: Vec<String> = alt.iter().filter_map(|w| self.stem(w)).collect();
                        if stems.is_empty() || stems == own {
                            continue;
                        }
                        if stems.len() == 1 {
                            if let Some((_, c)) = concepts.iter_mut().find(|(i, _)| *i >= at && *i < at + n)
                                && !c.synonyms.contains(&stems[0])
                            {
                                c.synonyms.push(stems[0].clone());
                            }
                            alt_queries.push(self.term_clauses(&stems[0], 1.0));
                        } else {
                            alt_queries.push(self.phrase_clauses(&stems, 0, 1.0));
                        }
                    }
                    if !alt_queries.is_empty() {
                        synonym_clauses.push(Box::new(BoostQuery::new(
                            Box::new(DisjunctionMaxQuery::new(alt_queries)),
                            self.ranking.synonym,
                        )));
                    }
                    at += n;
                }
                None => at += 1,
            }
        }

        let mut highlight = HashSet::new();
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (_, c) in &concepts {
            if c.stems.len() == 1 {
                // One word: its field clauses go straight into the top-level
                // disjunction (a flatter query scores faster).
                shoulds.extend(self.field_clauses(&c.stems[0].0, c.stems[0].1));
            } else {
                let alts: Vec<Box<dyn Query>> =
                    c.stems.iter().map(|(s, w)| self.term_clauses(s, *w)).collect();
                shoulds.push((Occur::Should, Box::new(DisjunctionMaxQuery::new(alts))));
            }
            for (s, _) in &c.stems {
                highlight.insert(s.clone());
            }
        }
        for q in synonym_clauses {
            shoulds.push((Occur::Should, q));
        }
        if shoulds.is_empty() {
            return Ok(Answer {
                query: query.to_string(),
                total: 0,
                took_ms: start.elapsed().as_secs_f64() * 1000.0,
                hits: Vec::new(),
                suggestion: None,
                highlight,
            });
        }
        let mut musts: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(shoulds)))];
        for (prefix, values) in [("t:", &opts.tags), ("c:", &opts.categories)] {
            if !values.is_empty() {
                let any: Vec<(Occur, Box<dyn Query>)> = values
                    .iter()
                    .map(|v| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.facet, &format!("{prefix}{}", facet_key(v))),
                            IndexRecordOption::Basic,
                        ));
                        (Occur::Should, q)
                    })
                    .collect();
                musts.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        let query_obj = BooleanQuery::new(musts);
        let collector = DistinctTop {
            limit: CANDIDATES,
            max_copies: MAX_ALSO_IN,
            collapse: self.ranking.collapse,
        };
        let (total, top) = searcher.search_with_executor(
            &query_obj,
            &collector,
            &self.executor,
            EnableScoring::enabled_from_searcher(&searcher),
        )?;

        // Re-rank the candidates by query coverage, then collapse.
        let total_weight: f32 =
            (concepts.iter().map(|(_, c)| c.weight).sum::<f32>() + unknown_weight).max(1e-6);
        let addrs: Vec<DocAddress> = top.iter().map(|d| d.addr).collect();
        let coverages = self.coverage(&searcher, &addrs, &concepts, total_weight)?;
        let pairs: Vec<(String, String)> = concepts
            .windows(2)
            .map(|w| (w[0].1.stems[0].0.clone(), w[1].1.stems[0].0.clone()))
            .filter(|(a, b)| a != b)
            .collect();
        let closeness = if self.ranking.proximity > 0.0 && !pairs.is_empty() {
            self.proximity(&searcher, &addrs, &pairs)?
        } else {
            vec![0.0; addrs.len()]
        };
        let mut scored: Vec<(f32, f32, DocAddress, Vec<DocAddress>)> = top
            .into_iter()
            .zip(coverages.iter().zip(&closeness))
            .map(|(d, (cov, close))| {
                let boost = if self.ranking.coverage {
                    self.ranking.coverage_factor(*cov)
                } else {
                    1.0
                };
                let near = 1.0 + self.ranking.proximity * close;
                (d.score * boost * near, *cov, d.addr, d.copies)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));

        // (kind, stem, weight) of every term clause, for --explain.
        let mut probes: Vec<(&'static str, String, f32)> = Vec::new();
        if opts.explain {
            for (_, c) in &concepts {
                for (stem, w) in &c.stems {
                    probes.push((if *w >= 1.0 { "word" } else { "correction" }, stem.clone(), *w));
                }
                for syn in &c.synonyms {
                    probes.push(("synonym", syn.clone(), self.ranking.synonym));
                }
            }
        }
        let mut columns: HashMap<u32, SegmentColumns> = HashMap::new();
        let mut kept: Vec<Candidate> = Vec::new();
        let mut per_article: HashMap<u64, usize> = HashMap::new();
        // Sections held back by the per-article cap; they fill the list when
        // no other article has enough hits.
        let mut deferred: Vec<Candidate> = Vec::new();
        for (score, coverage, addr, copies) in scored {
            let cols = columns.entry(addr.segment_ord).or_insert_with(|| {
                let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
                SegmentColumns {
                    sim: ff.u64("simhash").ok(),
                    article: ff.u64("article").ok(),
                }
            });
            let sim = cols.sim.as_ref().and_then(|c| c.first(addr.doc_id)).unwrap_or(0);
            let art = cols
                .article
                .as_ref()
                .and_then(|c| c.first(addr.doc_id))
                .unwrap_or(0);
            let full = kept.len() >= opts.limit;
            let mut section: Option<Section> = None;
            let mut shingles: Option<Vec<u64>> = None;
            let mut dup_of = None;
            for (i, c) in kept.iter().chain(deferred.iter()).enumerate() {
                if !self.ranking.collapse {
                    break;
                }
                if c.sim == sim {
                    // Same text (the usual re-published copy): no need to read it.
                    dup_of = Some(i);
                    break;
                }
                if !fingerprint::maybe_near(c.sim, sim) {
                    continue;
                }
                if section.is_none() {
                    section = self.load(&searcher, addr)?;
                }
                let Some(sec) = &section else { break };
                let sh = shingles.get_or_insert_with(|| fingerprint::shingles(&sec.text));
                let theirs = c.shingles.get_or_init(|| fingerprint::shingles(&c.section.text));
                if fingerprint::near_texts(c.sim, theirs, sim, sh) {
                    dup_of = Some(i);
                    break;
                }
            }
            if let Some(i) = dup_of {
                let c = if i < kept.len() {
                    &mut kept[i]
                } else {
                    &mut deferred[i - kept.len()]
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
                continue;
            }
            if full || coverage < opts.min_confidence {
                continue; // still scanning for copies of the kept hits
            }
            let n = per_article.entry(art).or_default();
            let defer = !opts.all_sections && *n >= PER_ARTICLE;
            if defer && deferred.len() >= opts.limit {
                continue;
            }
            let section = match section {
                Some(s) => s,
                None => match self.load(&searcher, addr)? {
                    Some(s) => s,
                    None => continue,
                },
            };
            let shingles = shingles.map_or_else(std::cell::OnceCell::new, std::cell::OnceCell::from);
            let cand = Candidate {
                score,
                coverage,
                addr,
                section,
                sim,
                shingles,
                also_in: copies.into_iter().map(Copy::At).collect(),
            };
            if defer {
                deferred.push(cand);
            } else {
                *n += 1;
                kept.push(cand);
            }
        }
        let room = opts.limit.saturating_sub(kept.len());
        kept.extend(deferred.into_iter().take(room));
        let hits: Vec<Hit> = kept
            .into_iter()
            .enumerate()
            .map(|(i, c)| self.make_hit(&searcher, &probes, opts, &highlight, i + 1, c))
            .collect();
        let suggestion = self.suggestion(query, &corrections, &hits);
        Ok(Answer {
            query: query.to_string(),
            total,
            took_ms: start.elapsed().as_secs_f64() * 1000.0,
            hits,
            suggestion,
            highlight,
        })
    }

    fn make_hit(
        &self,
        searcher: &Searcher,
        probes: &[(&'static str, String, f32)],
        opts: &SearchOptions,
        highlight: &HashSet<String>,
        rank: usize,
        c: Candidate,
    ) -> Hit {
        let Candidate {
            score,
            coverage,
            addr,
            section,
            also_in,
            ..
        } = c;
        let also_in: Vec<String> = also_in
            .into_iter()
            .filter_map(|copy| match copy {
                Copy::Id(id) => Some(id),
                Copy::At(a) => self.load_id(searcher, a),
            })
            .collect();
        let explain = if opts.explain {
            Some(self.explain(searcher, addr, probes, score, coverage))
        } else {
            None
        };
        Hit {
            rank,
            score,
            snippet: self.snippet(&section.text, highlight),
            id: section.id,
            path: section.path,
            line: section.line,
            title: section.title,
            heading: section.heading,
            breadcrumb: section.breadcrumb,
            text: section.text,
            steps: section.steps,
            tags: section.tags,
            categories: section.categories,
            confidence: (coverage * 100.0).round() / 100.0,
            also_in,
            explain,
        }
    }

    /// BM25 term clauses for one stem over the weighted fields.
    fn term_clauses(&self, stem: &str, weight: f32) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(self.field_clauses(stem, weight)))
    }

    /// One boosted term clause per weighted field.
    fn field_clauses(&self, stem: &str, weight: f32) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        [
            (f.heading, self.ranking.heading),
            (f.title, self.ranking.title),
            (f.text, self.ranking.text),
            (f.tags, self.ranking.tags),
        ]
        .into_iter()
        .map(|(field, w)| {
            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, stem),
                    IndexRecordOption::WithFreqs,
                )),
                w * weight,
            ));
            (Occur::Should, q)
        })
        .filter(|_| weight > 0.0)
        .collect()
    }

    /// Sloppy phrase clauses for stems over heading and text.
    fn phrase_clauses(&self, stems: &[String], slop: u32, weight: f32) -> Box<dyn Query> {
        let f = &self.fields;
        let clauses: Vec<(Occur, Box<dyn Query>)> =
            [(f.heading, self.ranking.heading), (f.text, self.ranking.text)]
                .into_iter()
                .map(|(field, w)| {
                    let terms: Vec<(usize, Term)> = stems
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (i, Term::from_field_text(field, s)))
                        .collect();
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)),
                        w * weight,
                    ));
                    (Occur::Should, q)
                })
                .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// Per-field, per-term BM25 contributions of one section, and how the
    /// coverage re-rank changed its score.
    fn explain(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        probes: &[(&'static str, String, f32)],
        final_score: f32,
        coverage: f32,
    ) -> serde_json::Value {
        let f = &self.fields;
        let r = &self.ranking;
        let mut terms = Vec::new();
        let mut bm25 = 0.0;
        for (kind, stem, w) in probes {
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

    /// The id of a section, without parsing the rest of it.
    fn load_id(&self, searcher: &Searcher, addr: DocAddress) -> Option<String> {
        let doc: TantivyDocument = searcher.doc(addr).ok()?;
        doc.get_first(self.fields.id)?.as_str().map(str::to_string)
    }

    fn load(&self, searcher: &Searcher, addr: DocAddress) -> Result<Option<Section>> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(self.fields.section(&doc))
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

    /// Byte ranges of the words of `text` whose stems are in `stems`.
    pub fn match_ranges(&self, text: &str, stems: &HashSet<String>) -> Vec<(usize, usize)> {
        let mut en = self.en.clone();
        let mut out: Vec<(usize, usize)> = analyzer::tokens(&mut en, text)
            .into_iter()
            .filter(|t| stems.contains(&t.text))
            .map(|t| (t.offset_from, t.offset_to))
            .collect();
        out.dedup();
        out
    }

    /// The line of `text` with the most matched words, cut to about 240 characters.
    fn snippet(&self, text: &str, stems: &HashSet<String>) -> String {
        let mut best = ("", 0usize);
        for line in text.lines() {
            let n = self.match_ranges(line, stems).len();
            if n > best.1 || best.0.is_empty() {
                best = (line, n);
            }
        }
        let line = best.0.trim();
        let first = self.match_ranges(line, stems).first().map_or(0, |r| r.0);
        cut_around(line, first, 240)
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

/// An executor for `threads` threads (0 = one per core); a single thread
/// when a pool cannot be made.
fn segment_executor(threads: usize) -> Executor {
    let n = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
        n => n,
    };
    if n <= 1 {
        return Executor::single_thread();
    }
    Executor::multi_thread(n, "fixdex-search-").unwrap_or_else(|_| Executor::single_thread())
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

/// Edit distance between two short words.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
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

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("delivred", "delivered"), 1);
        assert_eq!(levenshtein("imesage", "imessage"), 1);
        assert_eq!(levenshtein("abc", "abc"), 0);
    }

    #[test]
    fn cut_keeps_the_match_visible() {
        let line = format!("{} needle {}", "a ".repeat(300), "b ".repeat(300));
        let at = line.find("needle").unwrap();
        let s = cut_around(&line, at, 100);
        assert!(s.contains("needle") && s.starts_with('…') && s.ends_with('…'));
    }
}
