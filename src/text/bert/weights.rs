//! Reading a safetensors file into the layout of [`super::Bert`]: tensors
//! by name (with the file's prefix) as f32, dense layers transposed and
//! side by side, layer norms, and the word table read in place.

use super::{Dense, Layer, Norm};
use memmap2::Mmap;
use safetensors::{Dtype, SafeTensors};
use std::sync::Arc;

/// The word embeddings, read in place from the mapped weights file: a
/// text needs a few dozen of its tens of thousands of rows, so they are
/// not copied at load.
pub(super) struct Table {
    pub(super) map: Arc<Mmap>,
    pub(super) start: usize,
    pub(super) dtype: Dtype,
    pub(super) cols: usize,
}

impl Table {
    /// Row `r`, as f32.
    pub(super) fn row(&self, r: usize) -> Vec<f32> {
        let width = if self.dtype == Dtype::F32 { 4 } else { 2 };
        let bytes = &self.map[self.start + r * self.cols * width..][..self.cols * width];
        to_f32(bytes, self.dtype)
    }

    /// The same table through a window of the file that holds only its
    /// `rows` rows (64 KiB-aligned), so that the pages read from the rest
    /// of the file, all copied at load, do not stay in memory; itself when
    /// the window cannot be mapped.
    pub(super) fn narrowed(self, rows: usize, file: &std::fs::File) -> Table {
        let width = if self.dtype == Dtype::F32 { 4 } else { 2 };
        let aligned = self.start - self.start % 65_536;
        // SAFETY: mapped read-only like the whole file; fixdex never writes
        // to a model, and a model directory is not expected to change while
        // in use.
        let window = unsafe {
            memmap2::MmapOptions::new()
                .offset(aligned as u64)
                .len(self.start - aligned + rows * self.cols * width)
                .map(file)
        };
        match window {
            Ok(map) => Table {
                map: Arc::new(map),
                start: self.start - aligned,
                ..self
            },
            Err(_) => self,
        }
    }
}

/// Little-endian floats of a supported type, as f32.
fn to_f32(data: &[u8], dtype: Dtype) -> Vec<f32> {
    match dtype {
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        _ => data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    }
}

/// The named tensors of a weights file, as f32.
pub(super) struct Weights<'a> {
    pub(super) st: SafeTensors<'a>,
    pub(super) prefix: String,
}

impl Weights<'_> {
    /// A tensor's values and shape.
    pub(super) fn get(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        let full = format!("{}{name}", self.prefix);
        let t = self
            .st
            .tensor(&full)
            .map_err(|_| format!("it has no tensor {full}"))?;
        if !matches!(t.dtype(), Dtype::F32 | Dtype::F16 | Dtype::BF16) {
            return Err(format!("its tensor {full} is {:?}, not a float type", t.dtype()));
        }
        Ok((to_f32(t.data(), t.dtype()), t.shape().to_vec()))
    }

    /// A tensor that must have `shape`.
    pub(super) fn shaped(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let (v, s) = self.get(name)?;
        if s != shape {
            return Err(format!(
                "its tensor {}{name} has shape {s:?} where the config implies {shape:?}",
                self.prefix
            ));
        }
        Ok(v)
    }

    /// The dense layers `names` (each stored output × input, as PyTorch
    /// saves them) side by side as one input-major matrix.
    pub(super) fn dense(&self, names: &[&str], n_in: usize, n_out: usize) -> Result<Dense, String> {
        let total = n_out * names.len();
        let mut w = vec![0f32; n_in * total];
        let mut b = Vec::with_capacity(total);
        for (part, name) in names.iter().enumerate() {
            let wt = self.shaped(&format!("{name}.weight"), &[n_out, n_in])?;
            // In 32 × 32 tiles, so that reads and writes both stay in cache.
            for o0 in (0..n_out).step_by(32) {
                for i0 in (0..n_in).step_by(32) {
                    for o in o0..(o0 + 32).min(n_out) {
                        for i in i0..(i0 + 32).min(n_in) {
                            w[i * total + part * n_out + o] = wt[o * n_in + i];
                        }
                    }
                }
            }
            b.extend(self.shaped(&format!("{name}.bias"), &[n_out])?);
        }
        Ok(Dense {
            w,
            b,
            n_in,
            n_out: total,
        })
    }

    /// Encoder layer `i`.
    pub(super) fn layer(&self, i: usize, h: usize, inter: usize) -> Result<Layer, String> {
        let l = format!("encoder.layer.{i}");
        let a = format!("{l}.attention.self");
        Ok(Layer {
            qkv: self.dense(
                &[&format!("{a}.query"), &format!("{a}.key"), &format!("{a}.value")],
                h,
                h,
            )?,
            attn_out: self.dense(&[&format!("{l}.attention.output.dense")], h, h)?,
            attn_norm: self.norm(&format!("{l}.attention.output.LayerNorm"), h)?,
            up: self.dense(&[&format!("{l}.intermediate.dense")], h, inter)?,
            down: self.dense(&[&format!("{l}.output.dense")], inter, h)?,
            out_norm: self.norm(&format!("{l}.output.LayerNorm"), h)?,
        })
    }

    /// A layer norm, saved as weight and bias (or, in old checkpoints, as
    /// gamma and beta).
    pub(super) fn norm(&self, name: &str, n: usize) -> Result<Norm, String> {
        let g = self
            .shaped(&format!("{name}.weight"), &[n])
            .or_else(|_| self.shaped(&format!("{name}.gamma"), &[n]))?;
        let b = self
            .shaped(&format!("{name}.bias"), &[n])
            .or_else(|_| self.shaped(&format!("{name}.beta"), &[n]))?;
        Ok(Norm { g, b })
    }
}
