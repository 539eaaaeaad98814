//! SHA-256 commitments of the model section and the test-set section.
//!
//! Hashing goes through the [`Sha256`] trait so that a guest can route it to its zkVM's
//! SHA-256 accelerator ("precompiles on") or to the portable `sha2` crate ("off"), and both
//! must yield the same digest as the host.

/// A SHA-256 implementation.
pub trait Sha256 {
    fn digest(data: &[u8]) -> [u8; 32];
}

/// Plain software SHA-256 (the `sha2` crate, no accelerator).
#[cfg(feature = "software-sha256")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftwareSha256;

#[cfg(feature = "software-sha256")]
impl Sha256 for SoftwareSha256 {
    fn digest(data: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(data).into()
    }
}

/// The model hash: SHA-256 of the canonical model section.
pub fn model_hash<H: Sha256>(model_words: &[u32]) -> [u8; 32] {
    H::digest(crate::wire::words_as_bytes(model_words))
}

/// The data commitment: SHA-256 of the canonical test-set section (salt included).
pub fn data_commitment<H: Sha256>(test_set_words: &[u32]) -> [u8; 32] {
    H::digest(crate::wire::words_as_bytes(test_set_words))
}
