//! Sentence vectors from a local sentence-transformers model directory
//! (`config.json`, `tokenizer.json`, `model.safetensors`; a BERT-family
//! encoder such as all-MiniLM-L6-v2), run natively by [`super::bert`].
//!
//! A text becomes one unit vector: the model's last hidden states averaged
//! over the text's tokens (or its first token, when the directory's pooling
//! config says so), divided by their length. Stored vectors are quantised
//! to one signed byte per dimension ([`quantize`]), which moves a cosine by
//! well under 0.01. Nothing is downloaded: the directory is all there is.

use super::bert::{Bert, LoadError};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use tokenizers::{Tokenizer, TruncationParams};

/// Tokens of a section text that are embedded: the heading, breadcrumb and
/// the start of the text. MiniLM-class models were trained on up to 128.
pub const MAX_TOKENS: usize = 128;

/// Vectors with the positions of their texts.
type Numbered = Vec<(usize, Vec<f32>)>;

/// Texts per forward pass.
const BATCH: usize = 16;

/// A model could not be used, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// Which model made a set of vectors: recorded with the index, compared
/// before a query vector is set beside stored ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelId {
    /// The model directory, absolute.
    pub dir: PathBuf,
    /// Hash of the model's config, tokenizer and weights (see [`fingerprint`]).
    pub fingerprint: String,
    /// Vector length.
    pub dims: usize,
    /// Tokens embedded per text.
    pub max_tokens: usize,
}

/// A loaded sentence encoder.
pub struct Encoder {
    model: Bert,
    tokenizer: Tokenizer,
    cls_pooling: bool,
    id: ModelId,
}

/// The files a model directory must hold.
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// A cheap identity of the model in `dir`, given its config and tokenizer
/// bytes: BLAKE3 over those, the weights' size, their header (tensor names,
/// shapes and offsets) and their first and last 64 KiB. Two directories with
/// the same fingerprint hold the same model for every practical purpose, and
/// a query can check it without reading 90 MB.
fn fingerprint(dir: &Path, config: &[u8], tokenizer: &[u8]) -> Result<String, ModelError> {
    let mut h = blake3::Hasher::new();
    h.update(config);
    h.update(tokenizer);
    let path = dir.join(FILES[2]);
    let mut f = std::fs::File::open(&path).map_err(|e| missing(dir, FILES[2], &e))?;
    let size = f.metadata().map_err(|e| missing(dir, FILES[2], &e))?.len();
    h.update(&size.to_le_bytes());
    let mut head = vec![0u8; 8];
    f.read_exact(&mut head)
        .map_err(|_| damaged(&path, "it is too short"))?;
    let header_len = u64::from_le_bytes(head[..8].try_into().expect("eight bytes"));
    if header_len > size.saturating_sub(8) || header_len > 100_000_000 {
        return Err(damaged(&path, "its header length is impossible"));
    }
    let span = (header_len + 8 + 65_536).min(size) as usize;
    let mut start = vec![0u8; span];
    use std::io::{Seek, SeekFrom};
    f.seek(SeekFrom::Start(0))
        .map_err(|e| missing(dir, FILES[2], &e))?;
    f.read_exact(&mut start)
        .map_err(|_| damaged(&path, "it is truncated"))?;
    h.update(&start);
    let tail = 65_536.min(size) as i64;
    f.seek(SeekFrom::End(-tail))
        .map_err(|e| missing(dir, FILES[2], &e))?;
    let mut end = Vec::new();
    f.read_to_end(&mut end).map_err(|e| missing(dir, FILES[2], &e))?;
    h.update(&end);
    Ok(h.finalize().to_hex()[..32].to_string())
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, ModelError> {
    std::fs::read(dir.join(name)).map_err(|e| missing(dir, name, &e))
}

fn missing(dir: &Path, name: &str, e: &std::io::Error) -> ModelError {
    ModelError(format!(
        "the model directory {} has no readable {name} ({e}); it needs config.json, tokenizer.json and model.safetensors",
        dir.display()
    ))
}

fn damaged(path: &Path, why: &str) -> ModelError {
    ModelError(format!("the model file {} cannot be used: {why}", path.display()))
}

impl Encoder {
    /// Loads the model in `dir`, embedding at most `max_tokens` tokens per
    /// text, and checks that it runs.
    pub fn load(dir: &Path, max_tokens: usize) -> Result<Encoder, ModelError> {
        let mut encoder = Encoder::open(dir, max_tokens)?;
        let probe = encoder.embed_batch(&["probe"]).map_err(|e| {
            damaged(
                &encoder.id.dir.join(FILES[2]),
                &format!("the model does not run ({e})"),
            )
        })?;
        encoder.id.dims = probe[0].len();
        Ok(encoder)
    }

    /// Loads the model for queries against vectors it made before: no trial
    /// run (a model that fails is reported when the query is embedded), and
    /// the vector length is the one recorded.
    pub fn load_recorded(dir: &Path, recorded: &ModelId) -> Result<Encoder, ModelError> {
        let mut encoder = Encoder::open(dir, recorded.max_tokens)?;
        encoder.id.dims = recorded.dims;
        Ok(encoder)
    }

    /// Which model `dir` holds, embedding at most `max_tokens` tokens per
    /// text, without loading it (`dims` is 0): enough to tell whether it
    /// made an index's vectors.
    pub fn identify(dir: &Path, max_tokens: usize) -> Result<ModelId, ModelError> {
        Ok(Encoder::read_identity(dir, max_tokens)?.0)
    }

    /// The model's identity, config and tokenizer bytes.
    fn read_identity(dir: &Path, max_tokens: usize) -> Result<(ModelId, Vec<u8>, Vec<u8>), ModelError> {
        let dir = std::fs::canonicalize(dir).map_err(|e| {
            ModelError(format!(
                "the model directory {} cannot be opened ({e})",
                dir.display()
            ))
        })?;
        let (config_bytes, tok_bytes) = (read(&dir, FILES[0])?, read(&dir, FILES[1])?);
        let fingerprint = fingerprint(&dir, &config_bytes, &tok_bytes)?;
        let max_tokens = max_tokens.clamp(8, max_positions(&config_bytes));
        let id = ModelId {
            dir,
            fingerprint,
            dims: 0,
            max_tokens,
        };
        Ok((id, config_bytes, tok_bytes))
    }

    fn open(dir: &Path, max_tokens: usize) -> Result<Encoder, ModelError> {
        let (id, config_bytes, tok_bytes) = Encoder::read_identity(dir, max_tokens)?;
        let dir = &id.dir;
        let config_path = dir.join(FILES[0]);
        let tok_path = dir.join(FILES[1]);
        let mut tokenizer = Tokenizer::from_bytes(&tok_bytes)
            .map_err(|e| damaged(&tok_path, &format!("it is not a tokenizer ({e})")))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: id.max_tokens,
                ..Default::default()
            }))
            .map_err(|e| damaged(&tok_path, &e.to_string()))?;
        tokenizer.with_padding(None);
        let weights = dir.join(FILES[2]);
        let file = std::fs::File::open(&weights).map_err(|e| missing(dir, FILES[2], &e))?;
        // Every misfit is reported as an error, but a malformed file must
        // never take the process down.
        let model = std::panic::catch_unwind(|| Bert::load(&config_bytes, &file))
            .map_err(|_| damaged(&weights, "it could not be read as BERT weights"))?
            .map_err(|e| match e {
                LoadError::Config(why) => damaged(&config_path, &why),
                LoadError::Weights(why) => damaged(&weights, &why),
            })?;
        let cls_pooling = std::fs::read(dir.join("1_Pooling/config.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("pooling_mode_cls_token")?.as_bool())
            .unwrap_or(false);
        Ok(Encoder {
            model,
            tokenizer,
            cls_pooling,
            id,
        })
    }

    /// Which model this is.
    pub fn id(&self) -> &ModelId {
        &self.id
    }

    /// The unit vector of one text.
    pub fn embed_one(&self, text: &str) -> anyhow::Result<Vec<f32>> {
        Ok(self.embed_batch(&[text])?.remove(0))
    }

    /// The unit vectors of many texts, in order, on up to `threads` threads,
    /// each running whole forward passes on one core (side by side they
    /// keep the cores busier than one pass split across them). Texts are
    /// batched by length, so that the batches of the threads take about
    /// as long.
    pub fn embed(&self, texts: &[&str], threads: usize) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let batches: Vec<&[usize]> = order.chunks(BATCH).collect();
        let threads = threads.clamp(1, batches.len().max(1));
        let results: Vec<anyhow::Result<Numbered>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|w| {
                    let batches = &batches;
                    s.spawn(move || {
                        let mut out = Vec::new();
                        for batch in batches.iter().skip(w).step_by(threads) {
                            let items: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
                            let vectors = self.embed_batch(&items)?;
                            out.extend(batch.iter().copied().zip(vectors));
                        }
                        Ok(out)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("the encoder failed")))
                })
                .collect()
        });
        let mut vectors = vec![Vec::new(); texts.len()];
        for r in results {
            for (i, v) in r? {
                vectors[i] = v;
            }
        }
        Ok(vectors)
    }

    /// One forward pass over a batch.
    fn embed_batch(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        let inputs: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let encodings = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| anyhow::anyhow!("cannot tokenize: {e}"))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let hidden = self.model.forward(&ids).map_err(|e| anyhow::anyhow!("{e}"))?;
        let h = self.model.hidden();
        let mut out = Vec::with_capacity(ids.len());
        let mut start = 0;
        for t in &ids {
            let rows = &hidden[start * h..(start + t.len()) * h];
            start += t.len();
            // The mean's direction is the sum's: the length goes below.
            let mut v = vec![0f32; h];
            let pooled = if self.cls_pooling {
                &rows[..h.min(rows.len())]
            } else {
                rows
            };
            for r in pooled.chunks_exact(h) {
                for (a, b) in v.iter_mut().zip(r) {
                    *a += b;
                }
            }
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            v.iter_mut().for_each(|x| *x /= norm);
            out.push(v);
        }
        Ok(out)
    }
}

/// `max_position_embeddings` of a BERT config (512 when absent).
fn max_positions(config: &[u8]) -> usize {
    serde_json::from_slice::<serde_json::Value>(config)
        .ok()
        .and_then(|v| v.get("max_position_embeddings")?.as_u64())
        .map_or(512, |n| n as usize)
}

/// A unit vector as bytes: a little-endian f32 scale, then one signed byte
/// per dimension (`round(x / max|x| × 127)`).
pub fn quantize(v: &[f32]) -> Vec<u8> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-12);
    let mut out = Vec::with_capacity(4 + v.len());
    out.extend_from_slice(&(max / 127.0).to_le_bytes());
    out.extend(v.iter().map(|x| ((x / max * 127.0).round() as i8) as u8));
    out
}

/// The cosine of a unit query vector with a vector stored by [`quantize`]
/// (`None` when the lengths disagree).
pub fn cosine(query: &[f32], stored: &[u8]) -> Option<f32> {
    if stored.len() != query.len() + 4 {
        return None;
    }
    let scale = f32::from_le_bytes(stored[..4].try_into().ok()?);
    let (mut dot, mut norm) = (0f32, 0f32);
    for (q, b) in query.iter().zip(&stored[4..]) {
        let x = (*b as i8) as f32 * scale;
        dot += q * x;
        norm += x * x;
    }
    (norm > 0.0).then(|| dot / norm.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_vectors_keep_their_cosines() {
        let a: Vec<f32> = (0..64).map(|i| ((i * 7 % 13) as f32 - 6.0) / 10.0).collect();
        let b: Vec<f32> = (0..64).map(|i| ((i * 5 % 11) as f32 - 5.0) / 10.0).collect();
        let unit = |v: &[f32]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect::<Vec<f32>>()
        };
        let (a, b) = (unit(&a), unit(&b));
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let stored = quantize(&b);
        assert_eq!(stored.len(), 68);
        assert!((cosine(&a, &stored).unwrap() - exact).abs() < 0.01);
        assert!((cosine(&a, &quantize(&a)).unwrap() - 1.0).abs() < 0.001);
        assert_eq!(cosine(&a[..10], &stored), None);
    }

    #[test]
    fn a_missing_model_is_one_sentence_naming_the_file() {
        let dir = std::env::temp_dir().join("fixdex-no-such-model-dir");
        let Err(e) = Encoder::load(&dir, MAX_TOKENS) else {
            panic!("a missing directory loaded")
        };
        assert!(e.0.contains("fixdex-no-such-model-dir"), "{e}");
        assert!(!e.0.contains('\n'));
    }
}
