//! A tantivy collector that keeps the best-scoring copy of each distinct
//! section text: of each family (`fingerprint::family`), the copies of a
//! text and of a templated text with other product names in it. The other
//! copies of a hit's text are looked up by their family once the hits are
//! chosen (see `collapse`), so they are listed whatever they scored.
//!
//! Without it, a body re-published in 150 files fills the whole candidate
//! pool with one text and every other answer is pushed out.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are already hashes (SimHashes or doc addresses): hash them as is.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Map<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// One distinct text among the matches.
#[derive(Debug, Clone)]
pub struct Distinct {
    /// Best score among its copies.
    pub score: Score,
    /// The best-scoring copy.
    pub addr: DocAddress,
    /// The text's family.
    pub family: u64,
    /// Tie-break key of the best copy (a hash of its id): equal scores are
    /// ordered by it, so every build of a corpus gives the same answer.
    pub key: u64,
}

/// Collects the `limit` best distinct texts and the number of matching sections.
pub struct DistinctTop {
    /// How many distinct texts to keep.
    pub limit: usize,
    /// Collapse identical texts (off: every section is its own entry).
    pub collapse: bool,
}

/// Per-segment state.
pub struct DistinctSegment {
    seg: SegmentOrdinal,
    families: Option<Column<u64>>,
    keys: Option<Column<u64>>,
    best: Map<Distinct>,
    collapse: bool,
    count: usize,
    limit: usize,
    /// Scores below this cannot reach the top `limit` any more.
    threshold: Score,
}

impl DistinctSegment {
    /// Drops entries that can no longer make the top `limit`, and raises
    /// the threshold for new ones.
    fn prune(&mut self) {
        let mut scores: Vec<Score> = self.best.values().map(|d| d.score).collect();
        let k = self.limit.min(scores.len()) - 1;
        scores.select_nth_unstable_by(k, |a, b| b.total_cmp(a));
        self.threshold = scores[k];
        let t = self.threshold;
        self.best.retain(|_, d| d.score >= t);
    }
}

impl DistinctSegment {
    /// How many distinct texts it holds.
    pub fn texts(&self) -> usize {
        self.best.len()
    }
}

impl SegmentCollector for DistinctSegment {
    type Fruit = (usize, Vec<Distinct>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        if score < self.threshold {
            return;
        }
        let family = self.families.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        let addr = DocAddress::new(self.seg, doc);
        let key = if self.collapse {
            family
        } else {
            u64::from(doc) | u64::from(self.seg) << 32
        };
        // The tie-break key is read only when it can matter: most copies
        // of a kept text score less than the kept one.
        let keys = &self.keys;
        let tie = || keys.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        match self.best.get_mut(&key) {
            None => {
                let d = Distinct {
                    score,
                    addr,
                    family,
                    key: tie(),
                };
                self.best.insert(key, d);
                if self.best.len() >= self.limit * 2 {
                    self.prune();
                }
            }
            Some(d) if score >= d.score => {
                let tie = tie();
                if outranks(score, tie, d) {
                    d.score = score;
                    d.key = tie;
                    d.addr = addr;
                }
            }
            Some(_) => {}
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.count, self.best.into_values().collect())
    }
}

impl Collector for DistinctTop {
    type Fruit = (usize, Vec<Distinct>);
    type Child = DistinctSegment;

    fn for_segment(&self, seg: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<DistinctSegment> {
        Ok(DistinctSegment {
            seg,
            families: reader.fast_fields().u64("family").ok(),
            keys: reader.fast_fields().u64("key").ok(),
            best: Map::default(),
            collapse: self.collapse,
            count: 0,
            limit: self.limit.max(1),
            threshold: Score::MIN,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(usize, Vec<Distinct>)>) -> tantivy::Result<(usize, Vec<Distinct>)> {
        let mut total = 0;
        let mut merged: HashMap<u64, Distinct> = HashMap::new();
        for (count, items) in fruits {
            total += count;
            for d in items {
                let key = if self.collapse {
                    d.family
                } else {
                    u64::from(d.addr.doc_id) | u64::from(d.addr.segment_ord) << 32
                };
                match merged.get_mut(&key) {
                    None => {
                        merged.insert(key, d);
                    }
                    Some(m) => {
                        if outranks(d.score, d.key, m) {
                            *m = d;
                        }
                    }
                }
            }
        }
        let mut all: Vec<Distinct> = merged.into_values().collect();
        all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        all.truncate(self.limit);
        Ok((total, all))
    }
}

/// Whether a copy scoring `score` with tie-break `key` beats the one kept.
fn outranks(score: Score, key: u64, kept: &Distinct) -> bool {
    score > kept.score || (score == kept.score && key < kept.key)
}
