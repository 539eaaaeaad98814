//! A multilayer perceptron (ReLU) in fixed point.
//!
//! The features are standardised exactly as a polynomial's are (`z` at `2^16`, `|z| < 2^26`).
//! Each layer `l` has its own weight scale `2^b_l` (the finest that keeps its largest weight at
//! or below `2^24`) and its biases at `2^(b_l + 16)`; a unit is
//! `a = ReLU(round((bias + Σ w·a_in) / 2^b_l))` at `2^16`, checked to stay below `2^26`
//! (1024 in real units: far beyond any activation of a model trained on standardised data).
//! The last layer has one unit, no ReLU, and the target's standardisation folded in (weights
//! times the target's std, bias times it plus the target's mean), so its sum is rounded once
//! to the target's scale.
//!
//! Bounds per unit: `|w| <= 2^24`, `|a| < 2^26`, at most [`MAX_WIDTH`] = 2^10 inputs and
//! `|bias| <= 2^60`: the sum stays below `2^61` in `i64`. Every product is one exact
//! 32×32→64 multiply.

use crate::error::{CoreError, Section};
use crate::fixed::{round_shift_i64, MAX_ABS_Z, MAX_COLUMN_FRAC_BITS};
use alloc::vec::Vec;

/// Most layers (weight matrices, the output layer included).
pub const MAX_LAYERS: u32 = 8;
/// Widest layer (inputs or units).
pub const MAX_WIDTH: u32 = 1 << 10;
/// Largest magnitude of a weight at its layer's scale.
pub const MAX_ABS_MLP_WEIGHT: i32 = 1 << 24;
/// Largest magnitude of a bias at its layer's accumulator scale.
pub const MAX_ABS_MLP_BIAS: i64 = 1 << 60;

/// One dense layer: `n_out` units over `n_in` inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedLayer {
    /// Fractional bits of the weights (`b_l`); the biases are at `b_l + 16`.
    pub frac_bits: u32,
    pub n_in: u32,
    pub n_out: u32,
    pub biases: Vec<i64>,
    /// Row-major: unit `i`'s weights are `weights[i * n_in..(i + 1) * n_in]`.
    pub weights: Vec<i32>,
}

/// Checks the layers of a network over `n_features` inputs (shapes, scales, bounds). The
/// last layer's rounding to the target's scale is checked by the model (it knows the target).
pub fn validate_layers(layers: &[FixedLayer], n_features: u32) -> Result<(), CoreError> {
    let s = Section::Model;
    if layers.is_empty() || layers.len() > MAX_LAYERS as usize {
        return Err(CoreError::Unsupported { section: s, field: "number of layers", value: layers.len() as u64 });
    }
    let mut n_in = n_features;
    for (l, layer) in layers.iter().enumerate() {
        let last = l + 1 == layers.len();
        if layer.n_in != n_in {
            return Err(CoreError::Unsupported {
                section: s,
                field: "layer inputs (not the previous layer's units)",
                value: layer.n_in as u64,
            });
        }
        if layer.n_out == 0 || layer.n_out > MAX_WIDTH || (last && layer.n_out != 1) {
            return Err(CoreError::Unsupported { section: s, field: "layer units", value: layer.n_out as u64 });
        }
        if layer.frac_bits == 0 || layer.frac_bits > MAX_COLUMN_FRAC_BITS {
            return Err(CoreError::Unsupported { section: s, field: "layer frac_bits", value: layer.frac_bits as u64 });
        }
        if layer.biases.len() != layer.n_out as usize || layer.weights.len() != (layer.n_out * layer.n_in) as usize {
            return Err(CoreError::Unsupported { section: s, field: "layer parameters", value: layer.weights.len() as u64 });
        }
        if let Some(i) = layer.weights.iter().position(|w| w.unsigned_abs() > MAX_ABS_MLP_WEIGHT as u32) {
            return Err(CoreError::ModelParameterOutOfRange { field: "layer weights", index: i as u32, value: layer.weights[i] as i64 });
        }
        if let Some(i) = layer.biases.iter().position(|b| b.unsigned_abs() > MAX_ABS_MLP_BIAS as u64) {
            return Err(CoreError::ModelParameterOutOfRange { field: "layer biases", index: i as u32, value: layer.biases[i] });
        }
        n_in = layer.n_out;
    }
    Ok(())
}

/// Words of the layers in the wire format, after the widths and scales: per layer, the biases
/// (two words each, low first), then the weights.
pub(crate) fn encode_layers(layers: &[FixedLayer], out: &mut Vec<u32>) {
    out.push(layers.len() as u32);
    out.push(layers.first().map_or(0, |l| l.n_in));
    out.extend(layers.iter().map(|l| l.n_out));
    out.extend(layers.iter().map(|l| l.frac_bits));
    for layer in layers {
        for &b in &layer.biases {
            out.push(b as u64 as u32);
            out.push((b as u64 >> 32) as u32);
        }
        out.extend(layer.weights.iter().map(|&w| w as u32));
    }
}

/// Words the layers take for the given widths (`widths[0]` inputs, then each layer's units).
pub(crate) fn layer_words(widths: &[u32]) -> u64 {
    widths.windows(2).map(|w| 2 * w[1] as u64 + w[0] as u64 * w[1] as u64).sum()
}

/// The network, viewed in place in the guest input.
#[derive(Debug, Clone, Copy)]
pub struct MlpView<'a> {
    /// Inputs, then the units of each layer.
    pub widths: &'a [u32],
    pub frac_bits: &'a [u32],
    /// Per layer: biases, then weights.
    pub(crate) params: &'a [u32],
}

impl<'a> MlpView<'a> {
    pub(crate) fn new(widths: &'a [u32], frac_bits: &'a [u32], params: &'a [u32]) -> Self {
        MlpView { widths, frac_bits, params }
    }

    pub fn to_owned_layers(&self) -> Vec<FixedLayer> {
        let mut rest = self.params;
        let mut layers = Vec::new();
        for (w, &bits) in self.widths.windows(2).zip(self.frac_bits) {
            let (n_in, n_out) = (w[0] as usize, w[1] as usize);
            let (biases, tail) = rest.split_at(2 * n_out);
            let (weights, tail) = tail.split_at(n_in * n_out);
            rest = tail;
            layers.push(FixedLayer {
                frac_bits: bits,
                n_in: n_in as u32,
                n_out: n_out as u32,
                biases: biases.chunks_exact(2).map(|b| (b[0] as u64 | (b[1] as u64) << 32) as i64).collect(),
                weights: weights.iter().map(|&v| v as i32).collect(),
            });
        }
        layers
    }

    /// Widest layer, inputs included: each of the two activation buffers needs this many slots.
    pub fn max_width(&self) -> usize {
        self.widths.iter().copied().max().unwrap_or(0) as usize
    }

    /// Runs the network on standardised inputs `buffers[..n_in]` (two buffers of
    /// [`Self::max_width`] each, side by side) and returns the output layer's sum at its
    /// accumulator scale (`frac_bits + 16`), not yet rounded to the target's scale.
    #[inline]
    pub(crate) fn forward(&self, row: u64, buffers: &mut [i32]) -> Result<i64, CoreError> {
        let width = self.max_width();
        let (mut input, mut output) = buffers.split_at_mut(width);
        let mut rest = self.params;
        let n_layers = self.frac_bits.len();
        for l in 0..n_layers {
            let (n_in, n_out) = (self.widths[l] as usize, self.widths[l + 1] as usize);
            let (biases, tail) = rest.split_at(2 * n_out);
            let (weights, tail) = tail.split_at(n_in * n_out);
            rest = tail;
            let weights: &[i32] = bytemuck::cast_slice(weights);
            let x = &input[..n_in];
            let mut sums = biases.chunks_exact(2).zip(weights.chunks_exact(n_in)).map(|(b, w)| {
                let mut acc = (b[0] as u64 | (b[1] as u64) << 32) as i64;
                for (&wi, &xi) in w.iter().zip(x) {
                    acc += wi as i64 * xi as i64;
                }
                acc
            });
            if l + 1 == n_layers {
                return Ok(sums.next().unwrap_or(0));
            }
            let bits = self.frac_bits[l];
            for (unit, (slot, acc)) in output[..n_out].iter_mut().zip(sums).enumerate() {
                let a = round_shift_i64(acc, bits).max(0);
                if a >= MAX_ABS_Z {
                    return Err(CoreError::ActivationOutOfRange { row, layer: l as u32, unit: unit as u32 });
                }
                *slot = a as i32;
            }
            core::mem::swap(&mut input, &mut output);
        }
        Ok(0)
    }
}
