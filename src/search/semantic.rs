//! Stage 3b, [`Ranked`] → [`Ranked`], in a semantic index only: the best
//! candidates are re-scored by meaning as well as by words. Each of the top
//! `semantic_k` gets `(1 − w) × score / best score + w × cosine`, the cosine
//! of the query's sentence vector with the section's stored one (`w` is the
//! `semantic` knob); the rest keep their order below them.
//!
//! The model is loaded on the first query that needs it. It must be the
//! one the index's vectors were made with; otherwise, or when it cannot be
//! loaded, the answer is lexical and says why in its `note`.

use super::Engine;
use super::plan::Plan;
use super::rerank::Ranked;
use crate::index::vectors::{VectorColumns, same_model};
use crate::text::encoder::{Encoder, ModelId, cosine};
use std::path::PathBuf;
use std::sync::OnceLock;
use tantivy::{DocAddress, Searcher};

/// The query side's model: which one the index recorded, where to load it
/// from, and the loaded encoder (or why there is none).
pub(super) struct Model {
    recorded: Option<ModelId>,
    dir: Option<PathBuf>,
    loaded: OnceLock<Result<Encoder, String>>,
}

impl Model {
    /// The model an index recorded, to be loaded from its recorded
    /// directory unless `dir` names another.
    pub(super) fn new(recorded: Option<ModelId>, dir: Option<PathBuf>) -> Model {
        Model {
            recorded,
            dir,
            loaded: OnceLock::new(),
        }
    }

    /// The model the index recorded.
    pub(super) fn recorded(&self) -> Option<&ModelId> {
        self.recorded.as_ref()
    }

    /// Whether the index holds sentence vectors.
    pub(super) fn indexed(&self) -> bool {
        self.recorded.is_some()
    }

    /// The encoder, or the one-line reason the answer stays lexical.
    fn encoder(&self) -> Result<&Encoder, &str> {
        let recorded = self.recorded.as_ref().ok_or("")?;
        let loaded = self.loaded.get_or_init(|| {
            let dir = self.dir.clone().unwrap_or_else(|| recorded.dir.clone());
            let encoder = Encoder::load_recorded(&dir, recorded)
                .map_err(|e| format!("ranked by words only: {e}"))?;
            if !same_model(recorded, encoder.id()) {
                return Err(format!(
                    "ranked by words only: the model in {} is not the one this index's vectors were made with (`fixdex index --rebuild --semantic --model {}` re-embeds them)",
                    dir.display(),
                    dir.display()
                ));
            }
            Ok(encoder)
        });
        loaded.as_ref().map_err(String::as_str)
    }
}

impl Engine {
    /// Re-scores the top candidates by meaning; returns the note of an
    /// answer that could not be (none when the index has no vectors or the
    /// knob is off).
    ///
    /// Only queries read as English are re-scored: sentence-transformers
    /// models such as all-MiniLM-L6-v2 were trained on English, and on other
    /// languages their cosines pull the words' answer down.
    pub(super) fn by_meaning(
        &self,
        searcher: &Searcher,
        query: &str,
        plan: &Plan,
        ranked: &mut [Ranked],
    ) -> Option<String> {
        let base = self.ranking.semantic;
        if base <= 0.0 || !self.model.indexed() || ranked.is_empty() || plan.lang != "en" {
            return None;
        }
        let encoder = match self.model.encoder() {
            Ok(e) => e,
            Err(note) => return Some(note.to_string()),
        };
        let q = match encoder.embed_one(query) {
            Ok(q) => q,
            Err(e) => {
                return Some(format!(
                    "ranked by words only: the query could not be embedded ({e})"
                ));
            }
        };
        let best = ranked[0].score.max(f32::MIN_POSITIVE);
        let k = (self.ranking.semantic_k.max(1.0) as usize).min(ranked.len());
        // The fewer of the query's words the best candidates hold, the more
        // the query says in other words than the articles: lean on meaning.
        let covered = ranked[..k].iter().map(|r| r.coverage).fold(0f32, f32::max);
        let w = (base + self.ranking.semantic_gap * (1.0 - covered)).clamp(0.0, 1.0);
        let columns = VectorColumns::new(searcher);
        let addrs: Vec<DocAddress> = ranked[..k].iter().map(|r| r.addr).collect();
        let order = self.fast_u64(searcher, &addrs, "order");
        let mut floor = f32::MAX;
        for (r, order) in ranked[..k].iter_mut().zip(order) {
            let mut cos = columns.get(r.addr).and_then(|v| cosine(&q, &v)).unwrap_or(0.0);
            if order == Some(0) {
                // An introduction is about the whole article: its vector
                // is close to any question on the topic.
                cos *= self.ranking.semantic_lead;
            }
            r.cosine = Some(cos);
            r.score = (1.0 - w) * r.score / best + w * cos;
            floor = floor.min(r.score);
        }
        // Below every re-scored candidate, in their old order.
        for r in ranked[k..].iter_mut() {
            r.score = floor - 1.0 + r.score / best;
        }
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        None
    }
}
