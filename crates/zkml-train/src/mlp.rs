//! A multilayer perceptron regressor (ReLU), trained with candle (autograd + Adam) on
//! standardised features and a standardised target, and quantised per layer
//! (`zkml_core::mlp`).

use crate::regression::TrainError;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use zkml_core::fixed::{self, Z_FRAC_BITS};
use zkml_core::mlp::{MAX_ABS_MLP_BIAS, MAX_LAYERS, MAX_WIDTH};
use zkml_core::{FixedLayer, FixedModel, ModelKind};
use zkml_data::table::FeatureTable;

/// Hyperparameters of the network and its training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Units of each hidden layer.
    pub hidden: Vec<u32>,
    pub epochs: usize,
    pub batch: usize,
    pub learning_rate: f64,
    /// L2 penalty on the weights, as scikit-learn's `alpha` (`alpha/2 · ||W||² / batch`).
    pub alpha: f64,
}

impl Default for MlpParams {
    /// scikit-learn's `MLPRegressor` defaults (Adam, learning rate 1e-3, batches of 200,
    /// alpha 1e-4, 200 epochs) with two hidden layers of 32.
    fn default() -> Self {
        MlpParams { hidden: vec![32, 32], epochs: 200, batch: 200, learning_rate: 1e-3, alpha: 1e-4 }
    }
}

/// One dense layer in f64: `weights` row-major (`n_out × n_in`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenseLayer {
    pub n_in: usize,
    pub n_out: usize,
    pub weights: Vec<f64>,
    pub biases: Vec<f64>,
}

impl DenseLayer {
    fn apply(&self, x: &[f64]) -> Vec<f64> {
        (0..self.n_out)
            .map(|i| self.biases[i] + self.weights[i * self.n_in..(i + 1) * self.n_in].iter().zip(x).map(|(w, v)| w * v).sum::<f64>())
            .collect()
    }
}

/// A trained network: `y = y_mean + y_std · out(ReLU(...(W_1 z + b_1)...))` with
/// `z = (x - means) / stds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedMlp {
    pub params: MlpParams,
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    pub y_mean: f64,
    pub y_std: f64,
    pub layers: Vec<DenseLayer>,
    /// Mean squared error (standardised target) of the last epoch, for the record.
    pub final_loss: f64,
}

impl TrainedMlp {
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut a: Vec<f64> = x.iter().zip(&self.means).zip(&self.stds).map(|((v, m), s)| (v - m) / s).collect();
        for (l, layer) in self.layers.iter().enumerate() {
            a = layer.apply(&a);
            if l + 1 < self.layers.len() {
                a.iter_mut().for_each(|v| *v = v.max(0.0));
            }
        }
        self.y_mean + self.y_std * a[0]
    }

    /// Quantises the network: the standardisation as a polynomial's (`means`, `1/std`,
    /// shifts), each layer's weights at the finest scale that keeps the largest within `2^24`
    /// and its biases within `2^60` at that scale plus 16 bits; the output layer with the
    /// target's std and mean folded in, at a scale at least the target's less 15 bits (so
    /// the final rounding is 1..=62 bits).
    pub fn quantise(&self, scales: Vec<u32>) -> Result<FixedModel, TrainError> {
        let nf = self.means.len();
        let target = scales[nf];
        let (means, inv_stds, z_shifts) = crate::regression::quantise_standardisation(&self.means, &self.stds, &scales)?;
        let mut layers = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate() {
            let last = l + 1 == self.layers.len();
            let (w, b): (Vec<f64>, Vec<f64>) = if last {
                (
                    layer.weights.iter().map(|w| w * self.y_std).collect(),
                    layer.biases.iter().map(|b| b * self.y_std + self.y_mean).collect(),
                )
            } else {
                (layer.weights.clone(), layer.biases.clone())
            };
            let max_w = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let max_b = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let lowest = if last { target.saturating_sub(Z_FRAC_BITS - 1).max(1) } else { 1 };
            let bits = (lowest..=fixed::column_frac_bits(max_w).max(lowest))
                .rev()
                .find(|&s| max_b * fixed::pow2(s + Z_FRAC_BITS) <= MAX_ABS_MLP_BIAS as f64 && max_w * fixed::pow2(s) <= (1u64 << 24) as f64)
                .ok_or_else(|| TrainError::Quantise(format!("layer {l}: weights up to {max_w} and biases up to {max_b} fit no scale")))?;
            let q = |v: f64, s: u32, what: &str| {
                fixed::to_fixed_bits(v, s, MAX_ABS_MLP_BIAS)
                    .ok_or_else(|| TrainError::Quantise(format!("layer {l}: {what} {v} is beyond the format's bound")))
            };
            layers.push(FixedLayer {
                frac_bits: bits,
                n_in: layer.n_in as u32,
                n_out: layer.n_out as u32,
                biases: b.iter().map(|&v| q(v, bits + Z_FRAC_BITS, "bias")).collect::<Result<_, _>>()?,
                weights: w.iter().map(|&v| q(v, bits, "weight").map(|x| x as i32)).collect::<Result<_, _>>()?,
            });
        }
        Ok(FixedModel {
            schema: [0; 32],
            kind: ModelKind::Mlp,
            degree: 0,
            column_frac_bits: scales,
            weight_frac_bits: layers.last().map_or(0, |l| l.frac_bits),
            means,
            inv_stds,
            z_shifts,
            bias: 0,
            weights: vec![],
            trees: None,
            layers,
        })
    }
}

fn candle(e: candle_core::Error) -> TrainError {
    TrainError::Invalid(format!("MLP training (candle): {e}"))
}

/// Trains the network with mini-batch Adam on the mean squared error of the standardised
/// target plus scikit-learn's L2 term; weights start Glorot-uniform (as scikit-learn's),
/// drawn from ChaCha8 seeded by `seed`, and batches are shuffled by the same generator, so a
/// seed gives one model.
pub fn train_mlp(table: &FeatureTable, params: &MlpParams, seed: u64) -> Result<TrainedMlp, TrainError> {
    let invalid = |m: String| Err(TrainError::Invalid(m));
    let nf = table.n_features();
    if params.hidden.len() + 1 > MAX_LAYERS as usize {
        return invalid(format!("{} hidden layers: at most {}", params.hidden.len(), MAX_LAYERS - 1));
    }
    if let Some(&w) = params.hidden.iter().find(|&&w| w == 0 || w > MAX_WIDTH) {
        return invalid(format!("a hidden layer of {w} units: between 1 and {MAX_WIDTH}"));
    }
    if params.epochs == 0
        || params.batch == 0
        || params.learning_rate.is_nan()
        || params.learning_rate <= 0.0
        || params.alpha.is_nan()
        || params.alpha < 0.0
    {
        return invalid("epochs, batch size and learning rate must be positive, alpha not negative".into());
    }
    let n = table.n_rows();
    if n < 2 {
        return invalid(format!("{n} training rows are too few to fit a network"));
    }
    let (means, stds) = crate::regression::standardisation(table);
    let y_mean = table.targets.iter().sum::<f64>() / n as f64;
    let y_std = (table.targets.iter().map(|y| (y - y_mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let y_std = if y_std > 1e-12 { y_std } else { 1.0 };
    let mut x = Vec::with_capacity(n * nf);
    for i in 0..n {
        x.extend(table.row(i).iter().zip(&means).zip(&stds).map(|((v, m), s)| (v - m) / s));
    }
    let y: Vec<f64> = table.targets.iter().map(|t| (t - y_mean) / y_std).collect();
    let dev = Device::Cpu;
    let x_all = Tensor::from_vec(x, (n, nf), &dev).map_err(candle)?;
    let y_all = Tensor::from_vec(y, (n, 1), &dev).map_err(candle)?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4D4C_5000);
    let widths: Vec<usize> = std::iter::once(nf).chain(params.hidden.iter().map(|&w| w as usize)).chain([1]).collect();
    let mut vars = Vec::new();
    for w in widths.windows(2) {
        let (n_in, n_out) = (w[0], w[1]);
        let bound = (6.0 / (n_in + n_out) as f64).sqrt();
        let init = |count: usize, rng: &mut ChaCha8Rng| (0..count).map(|_| rng.gen_range(-bound..bound)).collect::<Vec<f64>>();
        let weights =
            Var::from_tensor(&Tensor::from_vec(init(n_in * n_out, &mut rng), (n_out, n_in), &dev).map_err(candle)?).map_err(candle)?;
        let biases = Var::from_tensor(&Tensor::from_vec(init(n_out, &mut rng), (1, n_out), &dev).map_err(candle)?).map_err(candle)?;
        vars.push((weights, biases));
    }
    let all_vars: Vec<Var> = vars.iter().flat_map(|(w, b)| [w.clone(), b.clone()]).collect();
    let config = ParamsAdamW { lr: params.learning_rate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 };
    let mut opt = AdamW::new(all_vars, config).map_err(candle)?;
    let forward = |x: &Tensor| -> candle_core::Result<Tensor> {
        let mut a = x.clone();
        for (l, (w, b)) in vars.iter().enumerate() {
            a = a.matmul(&w.as_tensor().t()?)?.broadcast_add(b.as_tensor())?;
            if l + 1 < vars.len() {
                a = a.relu()?;
            }
        }
        Ok(a)
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut final_loss = f64::NAN;
    for _ in 0..params.epochs {
        order.shuffle(&mut rng);
        let (mut total, mut count) = (0.0, 0usize);
        for chunk in order.chunks(params.batch) {
            let idx = Tensor::from_slice(chunk, chunk.len(), &dev).map_err(candle)?;
            let (xb, yb) = (x_all.index_select(&idx, 0).map_err(candle)?, y_all.index_select(&idx, 0).map_err(candle)?);
            let step = || -> candle_core::Result<(Tensor, f64)> {
                let mse = (forward(&xb)? - &yb)?.sqr()?.mean_all()?;
                let mut l2 = Tensor::zeros((), DType::F64, &dev)?;
                for (w, _) in &vars {
                    l2 = (l2 + w.as_tensor().sqr()?.sum_all()?)?;
                }
                // scikit-learn's squared loss is half the MSE; its penalty alpha/2 · ||W||² / batch.
                let loss = ((mse.clone() * 0.5)? + (l2 * (params.alpha / (2.0 * chunk.len() as f64)))?)?;
                Ok((loss, mse.to_scalar::<f64>()?))
            };
            let (loss, mse) = step().map_err(candle)?;
            opt.backward_step(&loss).map_err(candle)?;
            total += mse * chunk.len() as f64;
            count += chunk.len();
        }
        final_loss = total / count as f64;
        if !final_loss.is_finite() {
            return invalid(format!("training diverged (loss {final_loss}); try a smaller learning rate"));
        }
    }
    let layers = vars
        .iter()
        .map(|(w, b)| -> candle_core::Result<DenseLayer> {
            let (n_out, n_in) = w.as_tensor().dims2()?;
            Ok(DenseLayer {
                n_in,
                n_out,
                weights: w.as_tensor().flatten_all()?.to_vec1::<f64>()?,
                biases: b.as_tensor().flatten_all()?.to_vec1::<f64>()?,
            })
        })
        .collect::<candle_core::Result<Vec<_>>>()
        .map_err(candle)?;
    Ok(TrainedMlp { params: params.clone(), means, stds, y_mean, y_std, layers, final_loss })
}
