//! The arithmetic of a BERT forward pass: matrix products (through the
//! `gemm` crate, single-threaded) and the element-wise steps, written so
//! that their loops vectorise (compiled for AVX2 and FMA when the CPU has
//! them), with the exponential and error function they need.

use gemm::{Parallelism, gemm};

/// The activation of the intermediate layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Act {
    /// GELU with the error function (BERT's `gelu`).
    Erf,
    /// GELU's tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    Tanh,
    Relu,
}

/// `dst ← (dst if `add`) + scale × a · b` for an m × k matrix `a` and a
/// k × n matrix `b`, each a slice with its row and column strides; `dst` is
/// m × n with rows `dst.1` apart. Panics if a stride reaches past a slice.
#[allow(clippy::too_many_arguments)]
pub(super) fn product(
    m: usize,
    n: usize,
    k: usize,
    dst: (&mut [f32], usize, usize),
    add: bool,
    a: (&[f32], usize, usize),
    b: (&[f32], usize, usize),
    scale: f32,
) {
    let reach = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs + 1;
    assert!(m > 0 && n > 0 && k > 0, "an empty product");
    assert!(
        dst.0.len() >= reach(m, n, dst.1, dst.2),
        "product target too short"
    );
    assert!(
        a.0.len() >= reach(m, k, a.1, a.2) && b.0.len() >= reach(k, n, b.1, b.2),
        "product input too short"
    );
    let i = |x: usize| x as isize;
    // SAFETY: the asserts above keep every access inside its slice.
    unsafe {
        gemm(
            m,
            n,
            k,
            dst.0.as_mut_ptr(),
            i(dst.2),
            i(dst.1),
            add,
            a.0.as_ptr(),
            i(a.2),
            i(a.1),
            b.0.as_ptr(),
            i(b.2),
            i(b.1),
            1.0,
            scale,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

#[inline(always)]
fn add_body(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// Layer norm of each row of `x` (rows as long as the norm's scale).
#[inline(always)]
fn layer_norm_body(x: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = g.len();
    for r in x.chunks_exact_mut(n) {
        let mean = lanes(r, |v| v) / n as f32;
        let var = lanes(r, |v| (v - mean) * (v - mean)) / n as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in r.iter_mut().zip(g).zip(b) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// `Σ f(v)` over `r`, summed in eight lanes so that the loop vectorises
/// (a single running sum cannot be reordered).
#[inline(always)]
fn lanes(r: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0f32; 8];
    let mut chunks = r.chunks_exact(8);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += f(*v);
        }
    }
    acc.iter().sum::<f32>() + chunks.remainder().iter().map(|v| f(*v)).sum::<f32>()
}

#[inline(always)]
fn softmax_body(r: &mut [f32]) {
    let mut top = [f32::NEG_INFINITY; 8];
    let mut chunks = r.chunks_exact(8);
    for c in &mut chunks {
        for (t, v) in top.iter_mut().zip(c) {
            *t = if *v > *t { *v } else { *t };
        }
    }
    let max = top
        .iter()
        .chain(chunks.remainder())
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    for v in r.iter_mut() {
        *v = exp(*v - max);
    }
    let inv = 1.0 / lanes(r, |v| v);
    for v in r.iter_mut() {
        *v *= inv;
    }
}

#[inline(always)]
fn activate_body(x: &mut [f32], act: Act) {
    match act {
        Act::Erf => {
            for v in x.iter_mut() {
                *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
            }
        }
        Act::Tanh => {
            const C: f32 = 0.797_884_6; // √(2/π)
            for v in x.iter_mut() {
                let z = C * (*v + 0.044_715 * *v * *v * *v);
                let tanh = 1.0 - 2.0 / (exp(2.0 * z) + 1.0);
                *v = 0.5 * *v * (1.0 + tanh);
            }
        }
        Act::Relu => {
            for v in x.iter_mut() {
                *v = v.max(0.0);
            }
        }
    }
}

/// Defines `$name`, which runs `$body` compiled for AVX2 and FMA when the
/// CPU has them (the element-wise loops then vectorise eight wide) and as
/// built otherwise.
macro_rules! dispatch {
    ($name:ident, $fast:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        pub(super) fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features `$fast` is compiled for.
                return unsafe { $fast($($arg),*) };
            }
            $body($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        fn $fast($($arg: $ty),*) {
            $body($($arg),*)
        }
    };
}

dispatch!(add, add_avx2, add_body, (x: &mut [f32], y: &[f32]));
dispatch!(layer_norm, layer_norm_avx2, layer_norm_body, (x: &mut [f32], g: &[f32], b: &[f32], eps: f32));
dispatch!(softmax, softmax_avx2, softmax_body, (r: &mut [f32]));
dispatch!(activate, activate_avx2, activate_body, (x: &mut [f32], act: Act));

/// `eˣ` to about 2e-7 relative, without branches or calls so that loops
/// over it vectorise: `x = n ln 2 + r` with |r| ≤ ln 2 / 2, `eʳ` by its
/// Taylor series to the 6th power, `2ⁿ` put straight into the exponent
/// bits.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 × 2²³: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + MAGIC) - MAGIC;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// The error function to within 1.5e-7 (Abramowitz and Stegun 7.1.26).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly =
        ((((1.061_405_4 * t - 1.453_152_1) * t + 1.421_413_8) * t - 0.284_496_74) * t + 0.254_829_6) * t;
    (1.0 - poly * exp(-a * a)).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_and_erf_agree_with_the_library() {
        for i in -2000..=2000 {
            let x = i as f32 / 25.0;
            let (fast, exact) = (exp(x), x.exp());
            assert!(
                (fast - exact).abs() <= exact * 1e-6,
                "exp({x}) = {fast}, not {exact}"
            );
        }
        // erf(0.5) and erf(1.5) from tables, and its oddness.
        assert!((erf(0.5) - 0.520_499_9).abs() < 3e-7);
        assert!((erf(1.5) - 0.966_105_1).abs() < 3e-7);
        assert!((erf(-1.5) + 0.966_105_1).abs() < 3e-7);
        assert!(erf(0.0).abs() < 1e-6 && (erf(9.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn softmax_rows_sum_to_one_and_keep_order() {
        let mut r = vec![1.0, 3.0, 2.0, -50.0];
        softmax(&mut r);
        assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(r[1] > r[2] && r[2] > r[0] && r[0] > r[3]);
    }
}
