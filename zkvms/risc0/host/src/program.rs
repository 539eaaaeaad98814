//! Our guest programs (a v3 program: our user ELF combined with RISC Zero's v1-compatibility
//! kernel), the segment limit they are executed and proven under, and plain executions.

use anyhow::{anyhow, bail};
use risc0_zkvm::{ExecutorEnv, ExecutorImpl, NullSegmentRef, ProverOpts, SessionStats};
use zkml_protocol::backend::read_guest;
use zkml_protocol::{Cycles, Guests};

/// Our guests: ordinary (accelerator on and off), chunk and aggregate.
pub const GUESTS: Guests = Guests { vm: "risc0", chunking: true };

/// Where zkvms/risc0/build.sh's cargo puts the guests, under `$ZKML_CACHE/target`.
const GUEST_BUILT: &str = "risc0-guest/riscv32im-risc0-zkvm-elf/release";

pub struct Program {
    pub binary: Vec<u8>,
    pub image_id: risc0_zkvm::sha::Digest,
    pub elf_sha256: String,
}

/// Our guest program `guest` (a file name: [`Guests::file`]).
pub fn program(guest: &str) -> anyhow::Result<Program> {
    let elf = read_guest("ZKML_RISC0_GUEST_DIR", GUEST_BUILT, guest)?;
    let binary = risc0_binfmt::ProgramBinary::new(&elf.bytes, risc0_zkos_v1compat::V1COMPAT_ELF).encode();
    let image_id = risc0_binfmt::compute_image_id(&binary).map_err(|e| anyhow!("image id of {}: {e}", elf.path.display()))?;
    Ok(Program { binary, image_id, elf_sha256: elf.sha256 })
}

/// Segment size limit (log2 cycles), from `ZKML_RISC0_SEGMENT_PO2`:
/// - unset: RISC Zero's default (2^20);
/// - a number: that limit (a smaller limit lowers the prover's peak memory, with more segments);
/// - `auto`: the limit in 2^16..=2^20 that minimises the *proved* cycles. Why: every segment is
///   padded to a power of two and proving time follows the padded count, so a program just over
///   a power of two pays almost double (e.g. 596k user cycles are proved as one 2^20 segment).
///   Executions are cheap (milliseconds), so `prove` tries each limit first.
#[derive(Debug, Clone, Copy)]
enum SegmentLimit {
    SdkDefault,
    Fixed(u32),
    Auto,
}

fn segment_limit() -> anyhow::Result<SegmentLimit> {
    match std::env::var("ZKML_RISC0_SEGMENT_PO2").ok().as_deref().map(str::trim) {
        None | Some("") => Ok(SegmentLimit::SdkDefault),
        Some("auto") => Ok(SegmentLimit::Auto),
        Some(s) => match s.parse::<u32>() {
            Ok(p) if (14..=22).contains(&p) => Ok(SegmentLimit::Fixed(p)),
            _ => bail!("ZKML_RISC0_SEGMENT_PO2={s:?}: expected auto or a number in 14..=22"),
        },
    }
}

/// What a proof's notes say of its segment limit.
pub fn segment_note(po2: Option<u32>) -> String {
    match po2 {
        None => "segment limit: RISC Zero's default 2^20 (ZKML_RISC0_SEGMENT_PO2 unset)".into(),
        Some(p) => format!("segment limit 2^{p} (ZKML_RISC0_SEGMENT_PO2={})", std::env::var("ZKML_RISC0_SEGMENT_PO2").unwrap_or_default()),
    }
}

/// The guest's input: its length in words, then the words (read with `env::read_slice`).
pub fn env_for<'a>(input: &'a [u32], po2: Option<u32>, stdout: Option<&'a mut Vec<u8>>) -> anyhow::Result<ExecutorEnv<'a>> {
    let mut builder = ExecutorEnv::builder();
    builder.write_slice(&[input.len() as u32]).write_slice(input);
    if let Some(po2) = po2 {
        builder.segment_limit_po2(po2);
    }
    if let Some(out) = stdout {
        builder.stdout(out);
    }
    builder.build().map_err(|e| anyhow!("risc0 executor environment: {e}"))
}

/// The segment limit to prove with, and the journal and statistics of an execution under it.
pub fn choose_segment_limit(program: &Program, input: &[u32]) -> anyhow::Result<(Option<u32>, Vec<u8>, SessionStats)> {
    match segment_limit()? {
        SegmentLimit::SdkDefault => {
            let (journal, stats) = execute_program(program, input, None, None)?;
            Ok((None, journal, stats))
        }
        SegmentLimit::Fixed(p) => {
            let (journal, stats) = execute_program(program, input, Some(p), None)?;
            Ok((Some(p), journal, stats))
        }
        SegmentLimit::Auto => {
            let mut best: Option<(u32, Vec<u8>, SessionStats)> = None;
            // From large to small: a smaller limit must strictly win (fewer segments on ties).
            for p in (16..=20).rev() {
                let (journal, stats) = execute_program(program, input, Some(p), None)?;
                if best.as_ref().is_none_or(|(_, _, b)| stats.total_cycles < b.total_cycles) {
                    best = Some((p, journal, stats));
                }
            }
            let (p, journal, stats) = best.expect("at least one limit tried");
            Ok((Some(p), journal, stats))
        }
    }
}

/// Runs the guest without proving: its journal and the session's cycle statistics.
pub fn execute_program(
    program: &Program,
    input: &[u32],
    po2: Option<u32>,
    stdout: Option<&mut Vec<u8>>,
) -> anyhow::Result<(Vec<u8>, SessionStats)> {
    let env = env_for(input, po2, stdout)?;
    let mut exec = ExecutorImpl::from_elf(env, &program.binary).map_err(|e| anyhow!("risc0 executor: {e}"))?;
    let session = exec.run_with_callback(|_| Ok(Box::new(NullSegmentRef))).map_err(|e| anyhow!("risc0 execution: {e:#}"))?;
    let journal = session.journal.as_ref().map(|j| j.bytes.clone()).unwrap_or_default();
    Ok((journal, session.stats()))
}

pub fn cycles(stats: &SessionStats) -> Cycles {
    Cycles {
        total: stats.total_cycles,
        user: Some(stats.user_cycles),
        paging: Some(stats.paging_cycles),
        segments: Some(stats.segments as u64),
    }
}

/// Dev mode (RISC0_DEV_MODE) makes fake receipts: allowed for quick iteration, never a proof.
pub fn dev_mode() -> bool {
    ProverOpts::composite().dev_mode()
}
