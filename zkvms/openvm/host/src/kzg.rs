//! A local KZG setup for OpenVM's halo2 circuits: `kzg_bn254_<k>.srs` files (the SDK's names,
//! `SerdeFormat::RawBytes`) for several sizes from one secret, as `ParamsKZG::setup` writes one
//! size — byte for byte (tested) — but faster: every point is a multiple of the generator, so a
//! fixed-base table (32 windows of 8 bits) turns each scalar multiplication into at most 32
//! additions, and each size's Lagrange basis is computed from the secret directly instead of by
//! `ParamsKZG::downsize` (an FFT over curve points, ~45 min for 2^22 on 2 cores).
//!
//! The secret `s` lives in this function's memory only and is dropped when it returns. This is
//! not a ceremony: whoever runs it could forge proofs against these parameters (a verifier
//! trusts them only if it made or trusts them); hiding does not depend on it.

use halo2_base::halo2_proofs::arithmetic::Field as _;
use halo2_base::halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G2Affine, G1};
use halo2_base::halo2_proofs::halo2curves::ff::{BatchInvert as _, PrimeField};
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine as _;
use halo2_base::halo2_proofs::halo2curves::group::{Curve as _, Group as _};
use halo2_base::halo2_proofs::{SerdeCurveAffine, SerdeFormat};
use rayon::prelude::*;
use std::io::Write;

/// `j · 256^i · G` for every window `i` (32) and byte `j`.
struct FixedBase(Vec<Vec<G1Affine>>);

impl FixedBase {
    fn new() -> Self {
        let mut base = G1::generator();
        let mut windows = Vec::with_capacity(32);
        for _ in 0..32 {
            let mut row = vec![G1::identity(); 256];
            for j in 1..256 {
                row[j] = row[j - 1] + base;
            }
            let mut affine = vec![G1Affine::identity(); 256];
            G1::batch_normalize(&row, &mut affine);
            windows.push(affine);
            base = row[255] + base;
        }
        FixedBase(windows)
    }

    fn mul(&self, s: &Fr) -> G1 {
        let repr = s.to_repr();
        let mut acc = G1::identity();
        for (window, &byte) in self.0.iter().zip(repr.as_ref()) {
            if byte != 0 {
                acc += window[byte as usize];
            }
        }
        acc
    }

    /// `scalars[i] · G` for every `i`, in affine form, in parallel.
    fn mul_all(&self, scalars: &[Fr]) -> Vec<G1Affine> {
        let mut out = vec![G1Affine::identity(); scalars.len()];
        out.par_chunks_mut(1 << 14).zip(scalars.par_chunks(1 << 14)).for_each(|(out, scalars)| {
            let projective: Vec<G1> = scalars.iter().map(|s| self.mul(s)).collect();
            G1::batch_normalize(&projective, out);
        });
        out
    }
}

/// The bytes of `ParamsKZG::<Bn256>::setup(k, rng)` with secret `s`, for each `k` in `ks`.
pub fn setup_bytes(s: Fr, ks: &[u32]) -> Vec<(u32, Vec<u8>)> {
    let max_k = *ks.iter().max().expect("at least one size");
    let table = FixedBase::new();
    // g = [s^i G] for i < 2^max_k: each size uses a prefix.
    let n = 1usize << max_k;
    let mut powers = vec![Fr::ONE; n];
    powers.par_chunks_mut(1 << 14).enumerate().for_each(|(c, chunk)| {
        let mut p = s.pow_vartime([(c << 14) as u64]);
        for x in chunk.iter_mut() {
            *x = p;
            p *= s;
        }
    });
    let g = table.mul_all(&powers);
    drop(powers);
    let g2 = G2Affine::generator();
    let s_g2: G2Affine = (g2 * s).to_affine();
    ks.iter()
        .map(|&k| {
            let n = 1usize << k;
            // The Lagrange basis over the 2^k-th roots of unity: L_i(s) = (s^n - 1)/n · ω^i/(s - ω^i).
            let mut omega = Fr::ROOT_OF_UNITY;
            for _ in k..Fr::S {
                omega = omega.square();
            }
            let multiplier = (s.pow_vartime([n as u64]) - Fr::ONE) * Fr::from(n as u64).invert().unwrap();
            let mut roots = vec![Fr::ONE; n];
            roots.par_chunks_mut(1 << 14).enumerate().for_each(|(c, chunk)| {
                let mut r = omega.pow_vartime([(c << 14) as u64]);
                for x in chunk.iter_mut() {
                    *x = r;
                    r *= omega;
                }
            });
            let mut denominators: Vec<Fr> = roots.par_iter().map(|r| s - r).collect();
            denominators.par_chunks_mut(1 << 14).for_each(|chunk| {
                chunk.batch_invert();
            });
            let scalars: Vec<Fr> = roots.par_iter().zip(&denominators).map(|(r, d)| multiplier * r * d).collect();
            drop((roots, denominators));
            let g_lagrange = table.mul_all(&scalars);
            let mut bytes = Vec::with_capacity(4 + 2 * n * 64 + 2 * 128);
            bytes.write_all(&k.to_le_bytes()).unwrap();
            for p in g[..n].iter().chain(&g_lagrange) {
                p.write(&mut bytes, SerdeFormat::RawBytes).unwrap();
            }
            g2.write(&mut bytes, SerdeFormat::RawBytes).unwrap();
            s_g2.write(&mut bytes, SerdeFormat::RawBytes).unwrap();
            (k, bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_base::halo2_proofs::halo2curves::bn256::Bn256;
    use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
    use rand::SeedableRng;

    /// The same secret gives the SDK's own parameters, byte for byte, at every size.
    #[test]
    fn matches_halo2_setup_byte_for_byte() {
        for k in [4u32, 9] {
            let s = Fr::random(rand_chacha::ChaCha20Rng::seed_from_u64(7));
            let ours = setup_bytes(s, &[k]);
            let params = ParamsKZG::<Bn256>::setup(k, rand_chacha::ChaCha20Rng::seed_from_u64(7));
            let mut theirs = Vec::new();
            params.write_custom(&mut theirs, SerdeFormat::RawBytes).unwrap();
            assert_eq!(ours[0].1.len(), theirs.len(), "k = {k}");
            assert!(ours[0].1 == theirs, "k = {k}: bytes differ");
        }
        // Several sizes at once: each as if set up alone with that secret.
        let s = Fr::random(rand_chacha::ChaCha20Rng::seed_from_u64(7));
        let both = setup_bytes(s, &[4, 6]);
        let small = setup_bytes(s, &[4]);
        assert_eq!(both[0], small[0]);
        assert_eq!(both[1].0, 6);
    }
}
