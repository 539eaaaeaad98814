//! The exit statuses of every subcommand.

/// Exit statuses: 1 error, 2 the proof is invalid, 3 the claim misses an expectation.
pub(crate) const EXIT_INVALID_PROOF: u8 = 2;
pub(crate) const EXIT_EXPECTATION_FAILED: u8 = 3;

/// A usage error (unknown flag, bad value): not 1, 2 or 3, which `verify` gives meanings
/// (BSD's EX_USAGE).
pub(crate) const EXIT_USAGE: u8 = 64;
/// Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;
