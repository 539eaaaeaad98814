//! The sweep's workload: the data (synthetic transactions by default, or the user's
//! transactions or feature table), one model per kind trained on the same split, and one guest
//! input per (model, test-set size), all written under `OUT/workload/`.

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zkml_data::features::{build_features, FeatureOptions};
use zkml_data::synth::{write_transactions, SynthConfig};
use zkml_data::table::FeatureTable;
use zkml_data::transactions::ColumnMapping;
use zkml_train::{named_model, pipeline, ModelFile};

use crate::run::config::BenchConfig;

/// One guest input of the workload.
pub struct Input {
    pub model: String,
    pub rows: u32,
    pub path: PathBuf,
    /// Fingerprint of the input bytes: resume only reuses records of the same input.
    pub id: String,
    /// The native claim (`None` only in a dry run's plan for an input not prepared yet).
    pub expected: Option<zkml_core::Claim>,
    /// Issue #36 (`chunk_rows` set): the same rows cut into chunk inputs, in order, and the
    /// native claim of their aggregate (the same metrics; the chunked data commitment).
    pub chunks: Vec<PathBuf>,
    pub chunked_expected: Option<zkml_core::Claim>,
}

/// The share of customers held out as the private test set.
pub const TEST_FRACTION: f64 = 0.2;

/// Builds the feature table the sweep uses, written to `w/features.csv`.
fn feature_table(config: &BenchConfig, w: &Path) -> anyhow::Result<FeatureTable> {
    let data = &config.data;
    let table = if let Some(tx) = &data.transactions {
        build_features(tx, &data.mapping(), &data.feature_options()?).with_context(|| format!("building features from {}", tx.display()))?.0
    } else if let Some(f) = &data.features {
        FeatureTable::read_csv(f, data.target.as_deref(), None)?
    } else {
        let max_rows = *config.rows.iter().max().expect("validated: rows is not empty") as u64;
        // ~97% of customers buy before the cutoff; leave a margin.
        let needed = ((max_rows as f64 / TEST_FRACTION) * 1.15).ceil() as u64;
        let customers = if config.customers > 0 { config.customers } else { needed.max(5000) };
        let tx = w.join("transactions.csv");
        let synth = SynthConfig { customers, seed: config.seed, ..Default::default() };
        zkml_protocol::files::write_atomically(&tx, |f| write_transactions(&synth, f).map_err(anyhow::Error::from))?;
        build_features(&tx, &ColumnMapping::default(), &FeatureOptions::default())?.0
    };
    table.write_csv(&w.join("features.csv"))?;
    Ok(table)
}

/// Generates the workload deterministically under `dir/workload`: the feature table, one
/// model per kind (trained on the same split), and a guest input per (model, rows) holding the
/// first `rows` rows of the test split. A size above the test split is an error naming both.
/// The inputs a sweep into `dir` would use, generating nothing (`bench --dry-run` touches no
/// file): an input already prepared there is read, so that resuming counts as it will; one not
/// prepared yet is a placeholder (empty id: all its runs count as still to run).
pub fn existing_workload(config: &BenchConfig, dir: &Path) -> Vec<Input> {
    let w = dir.join("workload");
    let mut inputs = Vec::new();
    for name in &config.models {
        for &rows in &config.rows {
            let path = w.join(format!("input-{name}-{rows}.bin"));
            let id = std::fs::read(&path).map(|bytes| hex::encode(&Sha256::digest(&bytes)[..8])).unwrap_or_default();
            inputs.push(Input { model: name.clone(), rows, path, id, expected: None, chunks: Vec::new(), chunked_expected: None });
        }
    }
    inputs
}

pub fn prepare_workload(config: &BenchConfig, dir: &Path) -> anyhow::Result<Vec<Input>> {
    let w = dir.join("workload");
    std::fs::create_dir_all(&w)?;
    let table = feature_table(config, &w)?;
    // The test split (the pipeline below makes the same one): its size bounds --rows.
    let (_, test_t) = table.split(TEST_FRACTION, config.seed)?;
    let max_rows = *config.rows.iter().max().expect("validated: rows is not empty") as usize;
    if test_t.n_rows() < max_rows {
        let too_big: Vec<String> = config.rows.iter().filter(|&&r| r as usize > test_t.n_rows()).map(|r| r.to_string()).collect();
        let hint = if config.data.transactions.is_some() || config.data.features.is_some() {
            format!(
                "{} customers give {} test rows ({}% held out); use smaller --rows or more data",
                table.n_rows(),
                test_t.n_rows(),
                TEST_FRACTION * 100.0
            )
        } else {
            "raise --customers".to_string()
        };
        bail!(
            "--rows {} exceed{} the {} rows of the private test split of {}: {hint}",
            too_big.join(","),
            if too_big.len() == 1 { "s" } else { "" },
            test_t.n_rows(),
            config.data.describe(config)
        );
    }
    let mut inputs = Vec::new();
    for name in &config.models {
        // The one split → train → evaluate pipeline `train` and `run` use: the same split here.
        let (spec, hyper) = named_model(name).map_err(|e| anyhow::anyhow!(e))?;
        let settings = pipeline::Settings { spec, hyper, test_fraction: TEST_FRACTION, seed: config.seed };
        let trained = pipeline::train_split(&table, &settings, Path::new("features.csv"))?;
        debug_assert_eq!(trained.test.n_rows(), test_t.n_rows());
        let file = trained.file;
        file.save(&w.join(format!("model-{name}.json")))?;
        for &rows in &config.rows {
            let subset = test_t.head(rows as usize);
            let words = file.guest_input(&subset, &[0; 32]).map_err(|e| anyhow::anyhow!("{name}, {rows} rows: {e}"))?;
            let expected = zkml_core::evaluate_words::<zkml_core::SoftwareSha256>(&words)?;
            let bytes = zkml_core::words_as_bytes(&words);
            let path = w.join(format!("input-{name}-{rows}.bin"));
            zkml_protocol::files::write_bytes_atomically(&path, bytes)?;
            let id = hex::encode(&Sha256::digest(bytes)[..8]);
            let (chunks, chunked_expected) = match config.chunk_rows {
                Some(c) => {
                    let (chunks, expected) = write_chunk_inputs(&file, &subset, c, &w.join(format!("input-{name}-{rows}-chunks-{c}")))?;
                    (chunks, Some(expected))
                }
                None => (Vec::new(), None),
            };
            inputs.push(Input { model: name.clone(), rows, path, id, expected: Some(expected), chunks, chunked_expected });
        }
    }
    Ok(inputs)
}

/// Cuts `subset` into chunk inputs of at most `chunk_rows` rows (the salt the sweep uses for
/// every input), written to `dir/chunk-IIIII-of-KKKKK.bin`; returns their paths in order and
/// the native claim of their aggregate.
fn write_chunk_inputs(
    file: &ModelFile,
    subset: &FeatureTable,
    chunk_rows: u32,
    dir: &Path,
) -> anyhow::Result<(Vec<PathBuf>, zkml_core::Claim)> {
    use zkml_core::SoftwareSha256 as H;
    let (inputs, _) = file.chunk_inputs(subset, &[0; 32], chunk_rows).map_err(|e| anyhow::anyhow!("chunks of {chunk_rows} rows: {e}"))?;
    std::fs::create_dir_all(dir)?;
    let k = inputs.len();
    let mut paths = Vec::with_capacity(k);
    let mut claims = Vec::with_capacity(k);
    for (i, words) in inputs.iter().enumerate() {
        claims.push(zkml_core::chunk::evaluate_chunk_words::<H>(words)?);
        let path = dir.join(format!("chunk-{i:05}-of-{k:05}.bin"));
        zkml_protocol::files::write_bytes_atomically(&path, zkml_core::words_as_bytes(words))?;
        paths.push(path);
    }
    Ok((paths, zkml_core::aggregate::<H>(&claims)?))
}
