//! Our OpenVM configuration: the VM (RV32IM + IO + SHA-2, the claim as public values), its
//! STARK parameters, the aggregation tree's fan-in, the one SDK every mode uses, and where keys
//! derived from it are cached.

use crate::{evm, PUBLIC_VALUES, SDK};
use anyhow::{anyhow, bail};
use openvm_sdk::config::{AggregationSystemParams, AggregationTreeConfig, AppConfig, MAX_NUM_CHILDREN_INTERNAL, MAX_NUM_CHILDREN_LEAF};
use openvm_sdk::Sdk;
use openvm_sdk_config::SdkVmConfig;
use openvm_stark_sdk::config::app_params_with_100_bits_security;
use sha2::{Digest as _, Sha256};
use std::path::PathBuf;
use zkml_protocol::backend::cache_dir;

/// Trace stacking height. The SDK's default (24) spends about a minute committing even a tiny
/// program; 20 keeps the same stated 100-bit security and is ~10x faster on small inputs
/// (19 is the minimum for rv32im). Override with ZKML_OPENVM_LOG_STACKED_HEIGHT.
const DEFAULT_LOG_STACKED_HEIGHT: usize = 20;

pub fn log_stacked_height() -> usize {
    std::env::var("ZKML_OPENVM_LOG_STACKED_HEIGHT").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_LOG_STACKED_HEIGHT)
}

/// RV32IM + IO + the SHA-2 extension, with room for the claim as public values. Both guests
/// (precompiles on and off) run on this same VM, so they share keys and differ only in code.
pub fn app_config() -> AppConfig<SdkVmConfig> {
    let mut vm = SdkVmConfig::builder()
        .system(Default::default())
        .rv32i(Default::default())
        .rv32m(Default::default())
        .io(Default::default())
        .sha2(Default::default())
        .build()
        .optimize();
    vm.system.config = vm.system.config.clone().with_public_values(PUBLIC_VALUES);
    AppConfig::new(vm, app_params_with_100_bits_security(log_stacked_height()))
}

/// The aggregation tree's fan-in, children per leaf and per internal proof:
/// `ZKML_OPENVM_AGG_FAN_IN=LEAF,INTERNAL`; unset: the SDK's maxima (4, 3). A lever against
/// memory (issue #35). It only groups proofs at run time (openvm-sdk's `prover/agg.rs` chunks
/// the segment proofs by it); every circuit and key is built for the maxima, so key generation
/// — and the static verifier's halo2 key generation in `evm` mode — does not see it.
pub fn agg_tree_config() -> anyhow::Result<AggregationTreeConfig> {
    let Some(value) = std::env::var_os("ZKML_OPENVM_AGG_FAN_IN") else {
        return Ok(AggregationTreeConfig::default());
    };
    parse_fan_in(&value.to_string_lossy())
}

pub fn parse_fan_in(value: &str) -> anyhow::Result<AggregationTreeConfig> {
    let parsed = value.split_once(',').and_then(|(l, i)| Some((l.trim().parse::<usize>().ok()?, i.trim().parse::<usize>().ok()?)));
    match parsed {
        Some((leaf @ 1..=MAX_NUM_CHILDREN_LEAF, internal @ 2..=MAX_NUM_CHILDREN_INTERNAL)) => {
            Ok(AggregationTreeConfig { num_children_leaf: leaf, num_children_internal: internal })
        }
        _ => bail!(
            "ZKML_OPENVM_AGG_FAN_IN={value:?}: expected LEAF,INTERNAL with LEAF in 1..={MAX_NUM_CHILDREN_LEAF} and INTERNAL in \
             2..={MAX_NUM_CHILDREN_INTERNAL} (openvm-sdk's maxima; an internal fan-in of 1 never reduces to one proof)"
        ),
    }
}

/// The one SDK every mode uses: our VM, the SDK's aggregation parameters and fan-in, and the
/// local KZG parameters (read only by `evm`).
pub fn sdk() -> anyhow::Result<Sdk> {
    Sdk::builder()
        .app_config(app_config())
        .agg_params(AggregationSystemParams::default())
        .agg_tree_config(agg_tree_config()?)
        .halo2_params_dir(evm::params_dir())
        .build()
        .map_err(|e| anyhow!("openvm sdk: {e}"))
}

/// What a run's settings differ in from the defaults, for `info` and every proof's notes: a
/// result measured with a lever pulled says so.
pub fn settings_note() -> Option<String> {
    let mut s = Vec::new();
    if std::env::var_os("ZKML_OPENVM_AGG_FAN_IN").is_some() {
        if let Ok(c) = agg_tree_config() {
            s.push(format!(
                "aggregation fan-in leaf {} / internal {} (ZKML_OPENVM_AGG_FAN_IN; default 4 / 3)",
                c.num_children_leaf, c.num_children_internal
            ));
        }
    }
    if let Some(n) = std::env::var_os("RAYON_NUM_THREADS") {
        s.push(format!("RAYON_NUM_THREADS={} (prover threads; default one per core)", n.to_string_lossy()));
    }
    (!s.is_empty()).then(|| format!("settings: {}", s.join("; ")))
}

/// Where keys derived from our own configuration are cached (a verifier trusts only these).
pub fn key_dir() -> PathBuf {
    let fp = hex::encode(&Sha256::digest(format!("{SDK} lsh={} pv={PUBLIC_VALUES} rv32im+io+sha2", log_stacked_height()))[..8]);
    cache_dir().join("openvm/keys").join(fp)
}

#[cfg(test)]
mod tests {
    use super::parse_fan_in;

    #[test]
    fn fan_in_is_leaf_comma_internal_within_the_sdk_maxima() {
        let c = parse_fan_in("1, 2").unwrap();
        assert_eq!((c.num_children_leaf, c.num_children_internal), (1, 2));
        let c = parse_fan_in("4,3").unwrap();
        assert_eq!((c.num_children_leaf, c.num_children_internal), (4, 3));
        for bad in ["", "2", "0,2", "5,3", "2,1", "2,4", "a,b", "2,3,1"] {
            let e = parse_fan_in(bad).unwrap_err().to_string();
            assert!(e.contains("LEAF,INTERNAL"), "{bad:?}: {e}");
        }
    }
}
