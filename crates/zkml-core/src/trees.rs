//! Gradient-boosted regression trees in fixed point.
//!
//! Every tree is stored *complete*, all of one depth `d`: `2^d - 1` internal nodes in heap
//! order (the children of node `k` are `2k + 1`, taken when `x[feature] <= threshold`, and
//! `2k + 2`), then `2^d` leaves. A trained tree that stops early is padded: a padding node
//! compares feature 0 with [`ALWAYS_LEFT`] (every `i32` is `<=` it) and every leaf below an
//! early leaf repeats its value. So a prediction is the same `d` comparisons per tree for
//! every row — no data-dependent loop bound — and the same shape is a tensor program for a
//! circuit (compare all nodes, then pick the leaf whose path matches).
//!
//! Values are compared at their column's own scale (the test set's `i32`s as they are), so a
//! threshold quantised as `floor(t · 2^s)` sends a quantised value `x_q` left exactly when
//! `x_q / 2^s <= t`: the fixed-point tree takes the branch the f64 tree takes on the
//! quantised row. Leaves (the learning rate folded in) and the bias are at the accumulator's
//! scale `weight_frac_bits`; the sum is rounded once to the target's scale.
//!
//! Bounds: `|leaf| < 2^31`, at most [`MAX_TREES`] = 2^12 trees and `|bias| <= 2^60`, so the
//! sum stays below `2^60 + 2^43` in `i64`; nothing per row can overflow.

use crate::error::{CoreError, Section};
use crate::fixed::MAX_FEATURES;
use alloc::vec::Vec;

/// Deepest tree supported (`2^10` leaves a tree).
pub const MAX_TREE_DEPTH: u32 = 10;
/// Most trees in one model.
pub const MAX_TREES: u32 = 1 << 12;
/// Threshold of a padding node: every value goes left.
pub const ALWAYS_LEFT: i32 = i32::MAX;

/// Internal nodes of a complete tree of `depth`.
pub const fn internal_nodes(depth: u32) -> usize {
    (1usize << depth) - 1
}

/// Words one tree takes in the wire format: `(feature, threshold)` per internal node, then
/// one word per leaf.
pub const fn words_per_tree(depth: u32) -> usize {
    2 * internal_nodes(depth) + (1usize << depth)
}

/// An owned forest (what `model.json` quantises to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedTrees {
    pub depth: u32,
    /// Per tree, per internal node in heap order: the feature compared (`0..n_features`).
    pub features: Vec<u32>,
    /// Per tree, per internal node: the threshold, at the feature's column scale.
    pub thresholds: Vec<i32>,
    /// Per tree, `2^depth` leaves at the accumulator's scale (learning rate folded in).
    pub leaves: Vec<i32>,
}

impl FixedTrees {
    pub fn n_trees(&self) -> usize {
        self.leaves.len() >> self.depth
    }

    /// Checks shapes and feature indices against a model of `n_features`.
    pub fn validate(&self, n_features: u32) -> Result<(), CoreError> {
        let s = Section::Model;
        if self.depth == 0 || self.depth > MAX_TREE_DEPTH {
            return Err(CoreError::Unsupported { section: s, field: "tree depth", value: self.depth as u64 });
        }
        let n = self.n_trees();
        if n == 0 || n > MAX_TREES as usize || self.leaves.len() != n << self.depth {
            return Err(CoreError::Unsupported { section: s, field: "number of tree leaves", value: self.leaves.len() as u64 });
        }
        let internal = n * internal_nodes(self.depth);
        if self.features.len() != internal || self.thresholds.len() != internal {
            return Err(CoreError::Unsupported { section: s, field: "number of tree nodes", value: self.features.len() as u64 });
        }
        if let Some(i) = self.features.iter().position(|&f| f >= n_features) {
            return Err(CoreError::ModelParameterOutOfRange { field: "tree features", index: i as u32, value: self.features[i] as i64 });
        }
        Ok(())
    }

    /// Appends the trees in wire order.
    pub(crate) fn encode_into(&self, out: &mut Vec<u32>) {
        let (internal, leaves) = (internal_nodes(self.depth), 1usize << self.depth);
        for t in 0..self.n_trees() {
            for k in t * internal..(t + 1) * internal {
                out.push(self.features[k]);
                out.push(self.thresholds[k] as u32);
            }
            out.extend(self.leaves[t * leaves..(t + 1) * leaves].iter().map(|&v| v as u32));
        }
    }
}

/// The trees of a model, viewed in place in the guest input.
#[derive(Debug, Clone, Copy)]
pub struct TreesView<'a> {
    pub depth: u32,
    pub n_trees: u32,
    /// `n_trees * words_per_tree(depth)` words.
    pub(crate) words: &'a [u32],
}

impl<'a> TreesView<'a> {
    /// Views `words` (exactly the trees) as `n_trees` trees of `depth`.
    pub(crate) fn new(depth: u32, n_trees: u32, words: &'a [u32]) -> Self {
        TreesView { depth, n_trees, words }
    }

    pub fn to_owned_trees(&self) -> FixedTrees {
        let internal = internal_nodes(self.depth);
        let mut t = FixedTrees { depth: self.depth, features: Vec::new(), thresholds: Vec::new(), leaves: Vec::new() };
        for tree in self.words.chunks_exact(words_per_tree(self.depth)) {
            let (nodes, leaves) = tree.split_at(2 * internal);
            for pair in nodes.chunks_exact(2) {
                t.features.push(pair[0]);
                t.thresholds.push(pair[1] as i32);
            }
            t.leaves.extend(leaves.iter().map(|&v| v as i32));
        }
        t
    }

    /// The sum of every tree's leaf for row `x` (its features, `x.len() == MAX_FEATURES`,
    /// the unused tail ignored). Per level: two loads, a compare, an index update; the
    /// feature index is masked to the array (it is below `n_features`, checked at decoding),
    /// so the row needs no bounds check.
    #[inline]
    pub fn sum_leaves(&self, x: &[i32; MAX_FEATURES as usize]) -> i64 {
        let internal = internal_nodes(self.depth);
        let mut acc = 0i64;
        for tree in self.words.chunks_exact(words_per_tree(self.depth)) {
            let (nodes, leaves) = tree.split_at(2 * internal);
            let mut k = 0usize;
            for _ in 0..self.depth {
                let f = nodes[2 * k] as usize & (MAX_FEATURES as usize - 1);
                let t = nodes[2 * k + 1] as i32;
                k = 2 * k + 1 + (x[f] > t) as usize;
            }
            acc += leaves[k - internal] as i32 as i64;
        }
        acc
    }
}
