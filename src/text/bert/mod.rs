//! The forward pass of a BERT encoder on the CPU, for sentence vectors.
//!
//! The weights of a sentence-transformers model are laid out once at load
//! for the products a pass makes (each dense layer's matrix transposed to
//! input × output rows, query, key and value side by side as one matrix),
//! so that no product repacks or transposes a weight. A batch's texts are
//! laid end to end: the dense layers run over all their tokens at once and
//! only attention runs text by text, so texts of different lengths cost no
//! padding and need no mask. The element-wise steps (GELU, softmax, layer
//! norm, residual sums) run in place on plain slices.
//!
//! Products go to the `gemm` crate (the one candle uses), single-threaded:
//! the caller runs whole passes side by side, one per core.

mod kernels;
mod weights;

use kernels::{Act, activate, add, layer_norm, product, softmax};
use memmap2::Mmap;
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;
use std::sync::Arc;
use weights::{Table, Weights};

/// The parts of a BERT `config.json` a forward pass needs.
#[derive(Deserialize)]
struct Config {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "default_act")]
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    position_embedding_type: Option<String>,
}

impl Config {
    /// The activation, if the rest of the config is one this forward pass
    /// runs.
    fn check(&self) -> Result<Act, String> {
        let act = match self.hidden_act.as_str() {
            "gelu" => Act::Erf,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Act::Tanh,
            "relu" => Act::Relu,
            other => return Err(format!("its activation {other:?} is not supported")),
        };
        if self
            .position_embedding_type
            .as_deref()
            .is_some_and(|p| p != "absolute")
        {
            return Err("only absolute position embeddings are supported".into());
        }
        let (h, heads) = (self.hidden_size, self.num_attention_heads);
        if heads == 0 || h == 0 || h % heads != 0 {
            return Err(format!(
                "its hidden size {h} is not a multiple of its {heads} attention heads"
            ));
        }
        Ok(act)
    }
}

fn default_act() -> String {
    "gelu".into()
}

fn default_eps() -> f64 {
    1e-12
}

/// A dense layer: `y = x · w + b`, with `w` stored input-major.
struct Dense {
    w: Vec<f32>,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
}

/// Layer norm's scale and shift.
struct Norm {
    g: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    qkv: Dense,
    attn_out: Dense,
    attn_norm: Norm,
    up: Dense,
    down: Dense,
    out_norm: Norm,
}

/// A loaded BERT encoder.
pub(crate) struct Bert {
    hidden: usize,
    heads: usize,
    eps: f32,
    act: Act,
    vocab: usize,
    positions: usize,
    word: Table,
    position: Vec<f32>,
    token_type: Vec<f32>,
    emb_norm: Norm,
    layers: Vec<Layer>,
}

impl Bert {
    /// Builds the encoder from a config and a safetensors file; the error
    /// says what does not fit.
    pub(crate) fn load(config: &[u8], weights: &std::fs::File) -> Result<Bert, LoadError> {
        let c: Config = serde_json::from_slice(config)
            .map_err(|e| LoadError::Config(format!("it is not a BERT config ({e})")))?;
        let act = c.check().map_err(LoadError::Config)?;
        let h = c.hidden_size;
        // SAFETY: the file is mapped read-only; fixdex never writes to it,
        // and a model directory is not expected to change while in use.
        let map = Arc::new(
            unsafe { Mmap::map(weights) }
                .map_err(|e| LoadError::Weights(format!("it cannot be mapped ({e})")))?,
        );
        let st = SafeTensors::deserialize(&map)
            .map_err(|e| LoadError::Weights(format!("it is not a safetensors file ({e})")))?;
        let suffix = "embeddings.word_embeddings.weight";
        let prefix = st
            .names()
            .into_iter()
            .filter_map(|n| n.strip_suffix(suffix))
            .min_by_key(|p| p.len())
            .ok_or_else(|| LoadError::Weights(format!("it has no {suffix}")))?
            .to_string();
        let w = Weights { st, prefix };
        let build = || -> Result<Bert, String> {
            let word = {
                let name = format!("{}{suffix}", w.prefix);
                let t = w.st.tensor(&name).map_err(|e| e.to_string())?;
                if t.shape() != [c.vocab_size, h]
                    || !matches!(t.dtype(), Dtype::F32 | Dtype::F16 | Dtype::BF16)
                {
                    return Err(format!(
                        "its tensor {name} is {:?} {:?} where the config implies {:?}",
                        t.dtype(),
                        t.shape(),
                        [c.vocab_size, h]
                    ));
                }
                Table {
                    map: Arc::clone(&map),
                    start: t.data().as_ptr() as usize - map.as_ptr() as usize,
                    dtype: t.dtype(),
                    cols: h,
                }
            };
            let position = w.shaped(
                "embeddings.position_embeddings.weight",
                &[c.max_position_embeddings, h],
            )?;
            let (types, shape) = w.get("embeddings.token_type_embeddings.weight")?;
            if shape.len() != 2 || shape[1] != h || shape[0] == 0 {
                return Err(format!("its token type embeddings have shape {shape:?}"));
            }
            let layers = (0..c.num_hidden_layers)
                .map(|i| w.layer(i, h, c.intermediate_size))
                .collect::<Result<_, _>>()?;
            Ok(Bert {
                word,
                hidden: h,
                heads: c.num_attention_heads,
                eps: c.layer_norm_eps as f32,
                act,
                vocab: c.vocab_size,
                positions: c.max_position_embeddings,
                position,
                token_type: types[..h].to_vec(),
                emb_norm: w.norm("embeddings.LayerNorm", h)?,
                layers,
            })
        };
        let mut bert = build().map_err(LoadError::Weights)?;
        drop(w);
        bert.word = bert.word.narrowed(bert.vocab, weights);
        Ok(bert)
    }

    /// The vector length.
    pub(crate) fn hidden(&self) -> usize {
        self.hidden
    }

    /// The last hidden states of each text's tokens, texts end to end
    /// (`Σ len × hidden` values). Token ids must be below the vocabulary
    /// size and texts no longer than the position table.
    pub(crate) fn forward(&self, texts: &[&[u32]]) -> Result<Vec<f32>, String> {
        let h = self.hidden;
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut x = Vec::with_capacity(total * h);
        for t in texts {
            if t.len() > self.positions {
                return Err(format!(
                    "a text has {} tokens, more than {}",
                    t.len(),
                    self.positions
                ));
            }
            for (p, &id) in t.iter().enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    return Err(format!("token id {id} is outside the vocabulary"));
                }
                let (wr, pr) = (self.word.row(id), &self.position[p * h..][..h]);
                x.extend((0..h).map(|j| wr[j] + pr[j] + self.token_type[j]));
            }
        }
        layer_norm(&mut x, &self.emb_norm.g, &self.emb_norm.b, self.eps);
        for layer in &self.layers {
            let qkv = layer.qkv.apply(&x, total);
            let ctx = self.attention(&qkv, texts);
            let mut a = layer.attn_out.apply(&ctx, total);
            add(&mut a, &x);
            layer_norm(&mut a, &layer.attn_norm.g, &layer.attn_norm.b, self.eps);
            let mut up = layer.up.apply(&a, total);
            activate(&mut up, self.act);
            x = layer.down.apply(&up, total);
            add(&mut x, &a);
            layer_norm(&mut x, &layer.out_norm.g, &layer.out_norm.b, self.eps);
        }
        Ok(x)
    }

    /// Self-attention over each text in turn: `softmax(q kᵀ / √d) v` per
    /// head, heads side by side in the result.
    fn attention(&self, qkv: &[f32], texts: &[&[u32]]) -> Vec<f32> {
        let h = self.hidden;
        let d = h / self.heads;
        let row = 3 * h;
        let total = qkv.len() / row;
        let longest = texts.iter().map(|t| t.len()).max().unwrap_or(0);
        let mut ctx = vec![0f32; total * h];
        let mut scores = vec![0f32; longest * longest];
        let scale = 1.0 / (d as f32).sqrt();
        let mut start = 0;
        for t in texts {
            let n = t.len();
            if n == 0 {
                continue;
            }
            for head in 0..self.heads {
                let q = &qkv[start * row + head * d..(start + n - 1) * row + head * d + d];
                let k = &qkv[start * row + h + head * d..(start + n - 1) * row + h + head * d + d];
                let v = &qkv[start * row + 2 * h + head * d..(start + n - 1) * row + 2 * h + head * d + d];
                let out = &mut ctx[start * h + head * d..(start + n - 1) * h + head * d + d];
                let s = &mut scores[..n * n];
                product(n, n, d, (&mut *s, n, 1), false, (q, row, 1), (k, 1, row), scale);
                for r in s.chunks_exact_mut(n) {
                    softmax(r);
                }
                product(n, d, n, (out, h, 1), false, (s, n, 1), (v, row, 1), 1.0);
            }
            start += n;
        }
        ctx
    }
}

impl Dense {
    /// `x · w + b` for `rows` rows of `x`.
    ///
    /// For a few rows (a query) the product is written column by column,
    /// which makes gemm read the weights once rather than once per six
    /// rows, then turned back into rows.
    fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.n_in, "input of the wrong size");
        if rows == 0 {
            return Vec::new();
        }
        let by_column = rows <= FEW_ROWS;
        // The bias, laid out as the product will be written.
        let (mut y, strides): (Vec<f32>, _) = if by_column {
            let y = self
                .b
                .iter()
                .flat_map(|&b| std::iter::repeat_n(b, rows))
                .collect();
            (y, (1, rows))
        } else {
            (self.b.repeat(rows), (self.n_out, 1))
        };
        product(
            rows,
            self.n_out,
            self.n_in,
            (&mut y[..], strides.0, strides.1),
            true,
            (x, self.n_in, 1),
            (&self.w, self.n_out, 1),
            1.0,
        );
        if !by_column {
            return y;
        }
        let mut out = vec![0f32; rows * self.n_out];
        for (o, col) in y.chunks_exact(rows).enumerate() {
            for (r, v) in col.iter().enumerate() {
                out[r * self.n_out + o] = *v;
            }
        }
        out
    }
}

/// Up to this many rows, a dense layer's product is written column-major
/// (see [`Dense::apply`]).
const FEW_ROWS: usize = 16;

/// Why a model could not be built.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// Something in `config.json`.
    Config(String),
    /// Something in the weights.
    Weights(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dense_layer_is_x_times_w_plus_b() {
        let d = Dense {
            w: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], // 2 inputs × 3 outputs
            b: vec![0.5, 0.0, -1.0],
            n_in: 2,
            n_out: 3,
        };
        let y = d.apply(&[1.0, 1.0, 2.0, 0.0], 2);
        assert_eq!(y, vec![5.5, 7.0, 8.0, 2.5, 4.0, 5.0]);
    }

    #[test]
    fn configs_it_cannot_run_say_why() {
        let check = |act: &str, pos: &str, hidden: usize| {
            let c: Config = serde_json::from_value(serde_json::json!({
                "vocab_size": 10, "hidden_size": hidden, "num_hidden_layers": 1,
                "num_attention_heads": 4, "intermediate_size": 8, "hidden_act": act,
                "max_position_embeddings": 16, "position_embedding_type": pos
            }))
            .unwrap();
            c.check()
        };
        assert_eq!(check("gelu", "absolute", 8), Ok(Act::Erf));
        assert_eq!(check("gelu_new", "absolute", 8), Ok(Act::Tanh));
        assert!(check("swish", "absolute", 8).unwrap_err().contains("\"swish\""));
        assert!(check("gelu", "relative_key", 8).unwrap_err().contains("absolute"));
        assert!(check("gelu", "absolute", 10).unwrap_err().contains("multiple"));
    }
}
