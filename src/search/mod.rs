//! Answering a problem description, one stage per module:
//!
//! query → [`plan`] (words, stop words, corrections, synonyms → weighted
//! concepts) → [`retrieve`] (the tantivy query, the best distinct texts) →
//! [`rerank`] (coverage and proximity) → [`semantic`] (by meaning, in an
//! index with sentence vectors) → [`collapse`] (near-duplicates,
//! sections per article) → [`answer`] (hits, snippets, explanations).
//! [`ranking`] holds the knobs every stage reads.

mod answer;
mod article;
mod clause;
mod collapse;
mod distinct;
mod forms;
mod language;
mod plan;
mod ranking;
mod rechoose;
mod rerank;
mod retrieve;
mod semantic;
mod sweep;
pub mod synonyms;

pub use answer::{Answer, Hit};
pub use collapse::{MAX_ALSO_IN, PER_ARTICLE};
pub use plan::{MAX_CORRECTIONS, MAX_QUERY_WORDS};
pub use ranking::Ranking;
pub use rerank::PROXIMITY_SLOP;
pub use retrieve::CANDIDATES;

use crate::index::OpenIndex;
use crate::index::schema::Fields;
use crate::ingest::sections::Section;
use crate::text::analyzer;
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Instant;
use synonyms::Thesaurus;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Executor, IndexReader, Searcher, TantivyDocument, Term};

/// Query options.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Hits to return (1–100).
    pub limit: usize,
    /// Only articles with one of these tags.
    pub tags: Vec<String>,
    /// Only articles with one of these categories.
    pub categories: Vec<String>,
    /// Only articles in one of these languages (codes).
    pub langs: Vec<String>,
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
            langs: Vec::new(),
            all_sections: false,
            explain: false,
            min_confidence: 0.0,
        }
    }
}

/// A searcher over one fixdex index.
pub struct Engine {
    fields: Fields,
    reader: IndexReader,
    thesaurus: Thesaurus,
    surface: TextAnalyzer,
    ranking: Ranking,
    /// Runs the segments of one query side by side.
    executor: Executor,
    /// The corpus root the index was built from (a file for a one-file corpus).
    corpus: PathBuf,
    corpus_is_file: bool,
    /// The sentence encoder of a semantic index.
    model: semantic::Model,
    /// The live documents of the segments with deletions, as words.
    alive: sweep::AliveWords,
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
            surface: analyzer::surface(),
            ranking: match std::env::var("FIXDEX_RANKING") {
                Ok(spec) => Ranking::default().with_overrides(&spec),
                Err(_) => Ranking::default(),
            },
            executor: retrieve::segment_executor(0),
            corpus_is_file: open.header.corpus.is_file(),
            model: semantic::Model::new(open.header.semantic.clone(), None),
            corpus: open.header.corpus,
            alive: sweep::AliveWords::default(),
        })
    }

    /// Loads the sentence encoder from `dir` instead of the directory the
    /// index recorded (it must be the same model).
    pub fn set_model_dir(&mut self, dir: Option<PathBuf>) {
        if dir.is_some() {
            self.model = semantic::Model::new(self.model.recorded().cloned(), dir);
        }
    }

    /// The corpus root the index was built from.
    pub fn corpus(&self) -> &Path {
        &self.corpus
    }

    /// The absolute path of the file a section's corpus-relative `path` names.
    pub fn file_of(&self, path: &str) -> PathBuf {
        if self.corpus_is_file {
            self.corpus.clone()
        } else {
            self.corpus.join(path)
        }
    }

    /// Searches the segments of one query on up to `threads` threads (0 =
    /// one per core, 1 = on the caller's thread). Side by side segments
    /// shorten one answer; a caller answering many queries at once already
    /// keeps the cores busy and should pass 1.
    pub fn set_segment_threads(&mut self, threads: usize) {
        self.executor = retrieve::segment_executor(threads);
    }

    /// The executor for a search of `searcher`: the segment threads when
    /// it has several segments, else the caller's thread. Handing the one
    /// segment of a merged index to a pool thread made an answer slower
    /// (median in-process time of 120 queries on the 14k corpus, 4.80 ms
    /// against 3.95 ms on the caller's thread).
    fn executor(&self, searcher: &Searcher) -> &Executor {
        static CALLER: Executor = Executor::SingleThread;
        match searcher.segment_readers().len() {
            0 | 1 => &CALLER,
            _ => &self.executor,
        }
    }

    /// Replaces the ranking knobs (for ablation and tuning).
    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    /// Swaps to the index's newest commit (after a re-index, or one made by
    /// another process).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().context("cannot reload the index")
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

    /// Answers a query. A hit's `confidence` is the share of the query's
    /// content words that the section matches (each word weighted by
    /// `idf ^ coverage_idf`, by default all alike; BM25 already rewards
    /// rare words): a word in the heading or title counts fully, in the
    /// body 0.8, only through a synonym or a typo correction 0.5.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Answer> {
        let start = Instant::now();
        let searcher = self.searcher();
        let plan = self.plan(&searcher, query);
        let found = self.retrieve(&searcher, &plan, opts)?;
        let mut ranked = self.rerank(&searcher, &plan, found.top, found.spared)?;
        let note = self.by_meaning(&searcher, query, &plan, &mut ranked);
        let kept = self.collapse(&searcher, ranked, opts)?;
        let mut answer = self.answer(&searcher, query, &plan, found.total, kept, opts);
        answer.note = note;
        answer.took_ms = start.elapsed().as_secs_f64() * 1000.0;
        Ok(answer)
    }

    /// The ids of each list of sections, read from the `id` column (a
    /// stored document is a block of the doc store to decompress: reading
    /// the copies of ten hits that way was a sixth of a query on the 14k
    /// corpus). Each segment's column is opened once for all the lists,
    /// and its ids are read in dictionary order, so ids in one block of the
    /// dictionary (the copies of a re-published article, whose file names
    /// differ in a product name) are decoded in one pass.
    fn load_ids(&self, searcher: &Searcher, lists: &[&[DocAddress]]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = lists.iter().map(|l| Vec::with_capacity(l.len())).collect();
        let owners: Vec<usize> = (lists.iter().enumerate())
            .flat_map(|(i, l)| std::iter::repeat_n(i, l.len()))
            .collect();
        let all: Vec<DocAddress> = lists.iter().flat_map(|l| l.iter().copied()).collect();
        for (segment, docs) in rerank::by_segment(&all) {
            let reader = searcher.segment_reader(segment);
            let Ok(Some(column)) = reader.fast_fields().str("id") else {
                continue;
            };
            let mut wanted: Vec<(u64, usize)> = (docs.iter())
                .filter_map(|&(doc, i)| column.term_ords(doc).next().map(|ord| (ord, owners[i])))
                .collect();
            wanted.sort_unstable();
            let mut ords: Vec<u64> = wanted.iter().map(|w| w.0).collect();
            ords.dedup();
            let mut next = 0;
            // An unreadable dictionary leaves the ids out, as a missing
            // column does.
            let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                // Called once per distinct ord, in order: every hit
                // listing this section gets its id.
                let ord = wanted[next].0;
                let id = String::from_utf8_lossy(bytes);
                while next < wanted.len() && wanted[next].0 == ord {
                    out[wanted[next].1].push(id.to_string());
                    next += 1;
                }
            });
        }
        out
    }

    fn load(&self, searcher: &Searcher, addr: DocAddress) -> Result<Option<Section>> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(self.fields.section(&doc))
    }
}

/// Runs `f` with this thread's analyzer for language `code`. It is kept
/// between calls, and with it the memo of the words it has stemmed: a fresh
/// analyzer per call stemmed every word of every hit's text again. `f` must
/// not ask for an analyzer itself.
fn with_analyzer<R>(code: &str, f: impl FnOnce(&mut TextAnalyzer) -> R) -> R {
    thread_local! {
        static ANALYZERS: RefCell<analyzer::Tagged> = RefCell::new(analyzer::Tagged::default());
    }
    ANALYZERS.with(|cell| f(cell.borrow_mut().analyzer(code)))
}
