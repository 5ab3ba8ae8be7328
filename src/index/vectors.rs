//! Sentence vectors of a semantic index (`fixdex index --semantic`): which
//! model a run uses, what text of a section is embedded, and embedding each
//! distinct text once.
//!
//! The vectors live in the section documents themselves (a bytes fast
//! field), so they are committed, merged and deleted with the sections: a
//! killed run can never leave vectors that disagree with the index. The
//! manifest records the model, and it is tied to the commit like the rest
//! of the manifest.

use super::schema::{Fields, Vector};
use crate::ingest::sections::Section;
use crate::text::encoder::{self, Encoder, MAX_TOKENS, ModelId};
use crate::text::fingerprint;
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::columnar::BytesColumn;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, Searcher, Term};

/// The model an index's vectors need cannot be used (exit 2 for `index`; a
/// query's refresh answers from the last commit instead).
#[derive(Debug)]
pub struct ModelUnavailable(pub String);

impl std::fmt::Display for ModelUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelUnavailable {}

/// The text of a section that is embedded: its breadcrumb down to its
/// heading, then its text (the encoder keeps the first [`MAX_TOKENS`]
/// tokens, so only the start of a long text counts). The article's title
/// is left out below the lead: scraped sites re-publish articles under new
/// titles, and their copies should share one vector (the lexical ranking
/// already weighs the title).
pub fn embed_input(s: &Section) -> String {
    let skip = usize::from(s.level > 0 && s.breadcrumb.len() > 1);
    let mut path: Vec<&str> = s.breadcrumb.iter().skip(skip).map(String::as_str).collect();
    if path.last() != Some(&s.heading.as_str()) && !s.heading.is_empty() {
        path.push(&s.heading);
    }
    let mut input = path.join(" > ");
    input.push_str(": ");
    // A text is cut long before the token cap would bite, so that
    // tokenizing a very long section costs nothing.
    let cut = s
        .text
        .char_indices()
        .nth(MAX_TOKENS * 8)
        .map_or(s.text.len(), |(i, _)| i);
    input.push_str(&s.text[..cut]);
    input
}

/// The vectors of one indexing run.
pub struct Vectors {
    /// Which model makes the vectors.
    id: ModelId,
    /// The model, loaded when a text needs embedding: a run that finds
    /// nothing new never loads the model its index already proved.
    encoder: Option<Encoder>,
    /// The last commit's sections when they were embedded by the same model,
    /// with their vector columns: their vectors are reused.
    previous: Option<(Searcher, VectorColumns)>,
    /// Vectors made in this run, by the hash of their text.
    made: HashMap<u64, Vec<u8>>,
    /// Texts embedded in this run.
    pub embedded: usize,
}

/// What a run does about vectors.
pub struct Plan {
    /// The run's vectors, when the index is (or becomes) semantic.
    pub vectors: Option<Vectors>,
    /// Why every section must be re-embedded (the index is rebuilt), if so.
    pub rebuild: Option<String>,
}

impl Plan {
    /// Decides from the model asked for (`--model`), else the one the index
    /// was last built with (`recorded`, also across a rebuild for a new
    /// schema), and the prepared index (`reusable`: its sections stay). A
    /// model that cannot be loaded is an error.
    pub fn new(
        asked: Option<&Path>,
        recorded: Option<&ModelId>,
        index: &Index,
        reusable: bool,
    ) -> Result<Plan> {
        let dir: Option<PathBuf> = asked.map(Path::to_path_buf).or(recorded.map(|m| m.dir.clone()));
        let Some(dir) = dir else {
            return Ok(Plan {
                vectors: None,
                rebuild: None,
            });
        };
        // The model that made the index's vectors is not loaded until a
        // text needs it; any other is loaded (and tried) now, before the
        // run changes anything.
        let proven = recorded.filter(|_| reusable).and_then(|r| {
            let id = Encoder::identify(&dir, MAX_TOKENS).ok()?;
            same_model(r, &id).then_some(ModelId { dims: r.dims, ..id })
        });
        let (id, encoder) = match proven {
            Some(id) => (id, None),
            None => {
                let e = Encoder::load(&dir, MAX_TOKENS).map_err(|e| ModelUnavailable(e.0))?;
                (e.id().clone(), Some(e))
            }
        };
        let same = reusable && recorded.is_some_and(|r| same_model(r, &id));
        let searcher = index.reader()?.searcher();
        let has_sections = reusable && searcher.num_docs() > 0;
        let rebuild = match recorded {
            _ if !has_sections || same => None,
            None => Some("sentence vectors were asked for".to_string()),
            Some(_) => Some("the semantic model changed".to_string()),
        };
        let previous = same.then(|| {
            let columns = VectorColumns::new(&searcher);
            (searcher, columns)
        });
        Ok(Plan {
            vectors: Some(Vectors {
                id,
                encoder,
                previous,
                made: HashMap::new(),
                embedded: 0,
            }),
            rebuild,
        })
    }
}

/// Whether vectors made by `recorded` can stand beside those of `model`.
pub fn same_model(recorded: &ModelId, model: &ModelId) -> bool {
    recorded.fingerprint == model.fingerprint && recorded.max_tokens == model.max_tokens
}

impl Vectors {
    /// Which model makes the vectors.
    pub fn model(&self) -> &ModelId {
        &self.id
    }

    /// The vectors of `sections`, in order: each distinct text embedded
    /// once per run, and not at all when the last commit holds its vector.
    pub fn for_sections(&mut self, fields: &Fields, sections: &[&Section]) -> Result<Vec<Vector>> {
        let inputs: Vec<String> = sections.iter().map(|s| embed_input(s)).collect();
        let keys: Vec<u64> = inputs.iter().map(|i| fingerprint::hash_str(i)).collect();
        let mut todo: Vec<usize> = Vec::new();
        let mut pending = HashSet::new();
        for (i, key) in keys.iter().enumerate() {
            if self.made.contains_key(key) || !pending.insert(*key) {
                continue;
            }
            match self.previous_vector(fields, *key) {
                Some(v) => {
                    self.made.insert(*key, v);
                }
                None => todo.push(i),
            }
        }
        let texts: Vec<&str> = todo.iter().map(|&i| inputs[i].as_str()).collect();
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 4);
        if texts.is_empty() {
            return Ok(self.vectors_of(&keys));
        }
        if self.encoder.is_none() {
            let e = Encoder::load_recorded(&self.id.dir, &self.id).map_err(|e| ModelUnavailable(e.0))?;
            self.encoder = Some(e);
        }
        let encoder = self.encoder.as_ref().expect("loaded above");
        let made = encoder.embed(&texts, threads)?;
        self.embedded += made.len();
        for (&i, v) in todo.iter().zip(made) {
            self.made.insert(keys[i], encoder::quantize(&v));
        }
        Ok(self.vectors_of(&keys))
    }

    /// The vectors made or reused for texts with hashes `keys`.
    fn vectors_of(&self, keys: &[u64]) -> Vec<Vector> {
        keys.iter()
            .map(|k| Vector {
                bytes: self.made[k].clone(),
                key: *k,
            })
            .collect()
    }

    /// The vector the last commit holds for the text with hash `key`.
    fn previous_vector(&self, fields: &Fields, key: u64) -> Option<Vec<u8>> {
        let (searcher, columns) = self.previous.as_ref()?;
        let q = TermQuery::new(
            Term::from_field_u64(fields.vector_key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .ok()?;
        let (_, addr) = top.first()?;
        columns.get(*addr)
    }
}

/// The stored-vector column of each segment of a searcher, opened once.
pub struct VectorColumns(Vec<Option<BytesColumn>>);

impl VectorColumns {
    /// Opens the columns of `searcher`'s segments.
    pub fn new(searcher: &Searcher) -> VectorColumns {
        VectorColumns(
            searcher
                .segment_readers()
                .iter()
                .map(|seg| seg.fast_fields().bytes("vector").ok().flatten())
                .collect(),
        )
    }

    /// The stored vector of a document.
    pub fn get(&self, addr: DocAddress) -> Option<Vec<u8>> {
        let column = self.0.get(addr.segment_ord as usize)?.as_ref()?;
        let ord = column.term_ords(addr.doc_id).next()?;
        let mut out = Vec::new();
        column.ord_to_bytes(ord, &mut out).ok()?.then_some(out)
    }
}
