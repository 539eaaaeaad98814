//! Helpers shared by the zkVM end-to-end tests: run the CLI, parse its JSON, and make a small
//! private test set with its native claim.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkml-bench")).current_dir(dir).args(args).output().unwrap()
}

pub fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = bin(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Synthetic data -> features -> a model and its private test split in a temporary directory,
/// plus the native prove report for it. Commands run from the repository root so that the
/// harness finds zkvms/NAME.
pub fn small_private_test_set(customers: &str, seed: &str, model: &str) -> (std::path::PathBuf, tempfile::TempDir, serde_json::Value) {
    small_private_test_set_with(customers, seed, model, &[])
}

/// [`small_private_test_set`] with extra `train` arguments (a model's size).
pub fn small_private_test_set_with(
    customers: &str,
    seed: &str,
    model: &str,
    train_args: &[&str],
) -> (std::path::PathBuf, tempfile::TempDir, serde_json::Value) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).display().to_string();
    ok(&repo, &["data", "synth", "--customers", customers, "--seed", seed, "--out", &p("tx.csv")]);
    ok(&repo, &["data", "features", "--input", &p("tx.csv"), "--out", &p("f.csv")]);
    let mut train = vec!["train", "--features", &p("f.csv"), "--model", model, "--out", &p("m.json"), "--test-out", &p("test.csv")]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    train.extend(train_args.iter().map(|a| a.to_string()));
    ok(&repo, &train.iter().map(String::as_str).collect::<Vec<_>>());
    let native = json(&ok(
        &repo,
        &["prove", "--zkvm", "native", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("n.proof"), "--json"],
    ));
    (repo, tmp, native)
}

/// The canonical guest input for the test set (the bytes a backend binary's `--input` reads).
pub fn write_guest_input(dir: &Path) -> std::path::PathBuf {
    let (_, words) = zkml_harness::run::workflow::guest_input(&dir.join("m.json"), &dir.join("test.csv"), &[0; 32]).unwrap();
    let path = dir.join("input.bin");
    std::fs::write(&path, zkml_core::words_as_bytes(&words)).unwrap();
    path
}

/// Runs a backend binary directly (`execute`, `profile`, ...) and returns its JSON. The backend
/// is built first, as `prove` would build it (a no-op when it is up to date): on a cold cache
/// the test that calls this may be the first to need it (a cold CI found
/// `openvm_proves_the_compute_intensive_models` running the binary before any build).
/// It runs the binary that build resolved to, so another checkout's build cannot move the
/// backend's snapshot link between the two.
pub fn backend_json(zkvm: &str, args: &[&str]) -> serde_json::Value {
    let backend = zkml_harness::run::registry::resolve(zkvm, true).unwrap_or_else(|e| panic!("building {zkvm}: {e:#}"));
    let zkml_harness::run::registry::BackendHandle::Process(backend) = backend else { panic!("{zkvm} is not a backend binary") };
    let out = Command::new(&backend.exe).args(&backend.prefix).args(args).output().unwrap();
    assert!(out.status.success(), "{zkvm} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

/// Rewrites the public values inside a proof payload: finds the claim's encoding (stored
/// verbatim by the backend's serialisation) and replaces it with `forged`'s. Used to check that
/// a verifier binds the proof to its public values, not only the file's claim to the payload.
pub fn forge_public_values(file: &zkml_protocol::ProofFile, forged: &zkml_core::Claim) -> zkml_protocol::ProofFile {
    let old = file.claim.encode();
    let at = file.payload.windows(old.len()).position(|w| w == old).expect("the payload carries the claim's bytes verbatim");
    let mut out = file.clone();
    out.payload[at..at + old.len()].copy_from_slice(&forged.encode());
    out.claim = *forged;
    out
}

/// Writes each tampered proof file (with a valid file checksum, so that the backend's own
/// verifier must catch it) and asserts that `verify` rejects it: exit status 2, "INVALID", and
/// `why` in the message.
pub fn assert_rejected(repo: &Path, dir: &Path, cases: &[(&str, &zkml_protocol::ProofFile, &str)]) {
    for &(name, file, why) in cases {
        let path = dir.join(name);
        file.write(&path).unwrap();
        let out = bin(repo, &["verify", &path.display().to_string()]);
        assert_eq!(out.status.code(), Some(2), "{name} must be invalid: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("INVALID") && err.contains(why), "{name}: {err}");
    }
}

/// The two tamperings every backend's verifier must catch: one bit flipped in the middle of the
/// payload, and the claim changed (MSE + 1) with the payload untouched.
pub fn flipped_and_swapped(original: &zkml_protocol::ProofFile) -> (zkml_protocol::ProofFile, zkml_protocol::ProofFile) {
    let mut flipped = original.clone();
    let mid = flipped.payload.len() / 2;
    flipped.payload[mid] ^= 0x01;
    let mut swapped = original.clone();
    swapped.claim.mse += 1;
    (flipped, swapped)
}

/// The compute-intensive models, small enough for CI: a forest (10 trees of depth 3) and an MLP
/// (5-8-8-1), each with the `train` arguments that size it.
pub const FOREST: (&str, &[&str]) = ("gbdt", &["--trees", "10", "--depth", "3"]);
pub const MLP: (&str, &[&str]) = ("mlp", &["--hidden", "8,8", "--epochs", "20"]);

/// Both of `zkvm`'s guests (accelerator on and off) compute exactly `native`'s claim on the guest
/// input of the test set in `dir`, by execution alone. Returns the two executions, on first.
pub fn guests_execute_like_native(zkvm: &str, dir: &Path, native: &serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let input = write_guest_input(dir).display().to_string();
    let [on, off] = ["on", "off"].map(|prec| {
        let out = backend_json(zkvm, &["execute", "--input", &input, "--precompiles", prec]);
        assert_eq!(out["claim"]["encoded"], native["claim"]["encoded"], "{zkvm} {} precompiles {prec}", native["claim"]["model"]);
        out
    });
    (on, off)
}

/// The compute-intensive models ([`FOREST`], [`MLP`]) on a zkVM: both guests compute exactly the
/// native claim, and a real proof in `mode` of each verifies against its model. Returns the
/// cycles each model took (accelerator on), forest first.
pub fn compute_intensive_models_prove_like_native(zkvm: &str, mode: &str) -> Vec<u64> {
    let mut cycles = Vec::new();
    for (model, size) in [FOREST, MLP] {
        let (repo, tmp, native) = small_private_test_set_with("60", "5", model, size);
        let t = tmp.path();
        let p = |name: &str| t.join(name).display().to_string();
        assert_eq!(native["claim"]["model"], model, "{native}");
        let (on, _) = guests_execute_like_native(zkvm, t, &native);
        cycles.push(on["cycles"]["total"].as_u64().unwrap());
        let args =
            ["prove", "--zkvm", zkvm, "--mode", mode, "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("c.proof"), "--json"];
        let proven = json(&ok(&repo, &args));
        assert_eq!(proven["real_proof"], true, "{proven}");
        assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "{zkvm} {model}: the zkVM claim must equal the native one");
        let v = ok(&repo, &["verify", &p("c.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
        assert_eq!(json(&v)["report"]["valid"], true, "{zkvm} {model}");
    }
    cycles
}

/// The harness's catalogue of zero-knowledge modes (what `--require-zk` refuses by before any
/// build) says what the backend's own `info` says: its default mode and which modes claim to
/// hide the rows.
pub fn assert_zero_knowledge_catalogue_matches(zkvm: &str) {
    let info = backend_json(zkvm, &["info"]);
    let (default, zk) = zkml_harness::run::registry::zero_knowledge_modes(zkvm).unwrap();
    let first_available = info["proof_modes"].as_array().unwrap().iter().find(|m| m["available"] == true).unwrap();
    assert_eq!(first_available["name"], default, "{zkvm}: default mode\n{info}");
    for m in info["proof_modes"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        assert_eq!(m["zero_knowledge"] == true, zk.contains(&name), "{zkvm} mode {name}: catalogue disagrees with info\n{info}");
    }
    let chunked = info["proof_modes"].as_array().unwrap().iter().any(|m| m["name"] == "chunked");
    let backend = zkml_harness::catalogue::Backend::from_name(zkvm).unwrap();
    assert_eq!(backend.proves_in_chunks(), chunked, "{zkvm}: the catalogue and info disagree on chunked proofs");
}

/// Issue #33, reproducible guests: builds `zkvm`'s guests from a copy of this tree (its tracked
/// and unignored files) at another path, into another target directory, and asserts that each of
/// `guests` is byte-identical to the installed one — so its program id (image id, vkey, exe
/// commit) does not depend on where the repository was cloned — and that no guest, installed
/// or rebuilt, names a path of the machine that built it.
pub fn assert_guests_reproducible(zkvm: &str, guests: &[&str]) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    ok(&repo, &["build", zkvm]);
    let installed = zkml_harness::run::registry::backend_binary(zkvm).parent().unwrap().to_path_buf();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("somewhere else").join("zkml-bench");
    let files =
        std::process::Command::new("git").current_dir(&repo).args(["ls-files", "-co", "--exclude-standard", "-z"]).output().unwrap();
    assert!(files.status.success());
    for f in files.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let rel = Path::new(std::str::from_utf8(f).unwrap());
        if repo.join(rel).is_file() {
            std::fs::create_dir_all(copy.join(rel).parent().unwrap()).unwrap();
            std::fs::copy(repo.join(rel), copy.join(rel)).unwrap();
        }
    }
    let target = tmp.path().join("guest target");
    // Two builds of the fresh copy at once (as two tests, or a test and a user, may start them)
    // wait for build.sh's per-backend lock, here held by this test, and then both succeed with
    // the same guests. Without that lock, one build's staging of zkml-core removed the other's
    // half-written file (CI of 1c0c283: `mv: cannot stat '…/guest/.zkml-core/./Cargo.toml.tmp.10209'`).
    let locks = zkml_harness::run::registry::cache_dir().join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    let lock = std::fs::File::create(locks.join(format!("{zkvm}.build.lock"))).unwrap();
    lock.lock().unwrap();
    let build = |i: usize| {
        let err = tmp.path().join(format!("build-{i}.err"));
        let child = std::process::Command::new("bash")
            .arg(copy.join(format!("zkvms/{zkvm}/build.sh")))
            .env_clear()
            .envs(zkml_harness::run::registry::build_environment())
            .env("ZKML_CACHE", zkml_harness::run::registry::cache_dir())
            .env("ZKML_GUEST_ONLY_DIR", &target)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        (child, err)
    };
    let mut builds = [build(1), build(2)];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    for (child, err) in &mut builds {
        while !std::fs::read_to_string(&*err).unwrap().contains("waiting for another build") {
            assert!(child.try_wait().unwrap().is_none(), "a build ran past the lock: {}", std::fs::read_to_string(&*err).unwrap());
            assert!(std::time::Instant::now() < deadline, "no build reached the lock");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    lock.unlock().unwrap();
    let [first, second] = builds.map(|(child, err)| {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", std::fs::read_to_string(err).unwrap());
        out
    });
    assert_eq!(first.stdout, second.stdout, "two builds at once printed different guest directories");
    let out = first;
    let elf_dir = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().lines().last().unwrap().trim());
    assert!(elf_dir.starts_with(&target), "{}", elf_dir.display());
    let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap());
    let machine_paths = [
        repo.display().to_string(),
        copy.display().to_string(),
        home.join(".cargo").display().to_string(),
        home.join(".rustup").display().to_string(),
        zkml_harness::run::registry::cache_dir().display().to_string(),
        target.display().to_string(),
    ];
    for guest in guests {
        let ours = std::fs::read(installed.join(guest)).unwrap();
        let theirs = std::fs::read(elf_dir.join(guest)).unwrap();
        for (which, elf) in [("installed", &ours), ("built elsewhere", &theirs)] {
            for path in &machine_paths {
                assert!(!elf.windows(path.len()).any(|w| w == path.as_bytes()), "{guest} ({which}) names the machine path {path}");
            }
        }
        let first_difference = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert!(
            ours == theirs,
            "{guest} built at another path differs from the installed one ({} vs {} bytes, first difference at byte {first_difference:?})",
            ours.len(),
            theirs.len()
        );
    }
}

/// Issue #33: README's table of this revision's guests lists, for each of `zkvm`'s programs,
/// the ELF SHA-256 and (where `zkvms` derives it without proving) the program id that
/// `zkml-bench zkvms --json` reports — so that a verifier elsewhere can check a published
/// proof's program against the repository, and a guest change cannot leave the table stale.
pub fn assert_readme_lists_programs(zkvm: &str) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let listed = json(&ok(&repo, &["zkvms", "--json"]));
    let backend = listed["backends"].as_array().unwrap().iter().find(|b| b["name"] == zkvm).unwrap().clone();
    let programs = backend["info"]["programs"].as_array().unwrap();
    assert!(!programs.is_empty(), "{backend}");
    for p in programs {
        // A program with a role (issue #36: a chunk guest, an aggregation guest) says so.
        let setting = match p["role"].as_str() {
            Some(role) => format!("{} ({role})", p["precompiles"].as_str().unwrap()),
            None => p["precompiles"].as_str().unwrap().to_string(),
        };
        let row = format!("| {zkvm} | {setting} | `{}` |", p["elf_sha256"].as_str().unwrap());
        let line = readme.lines().find(|l| l.starts_with(&row)).unwrap_or_else(|| {
            panic!("README's program table lacks {row} — update it from `zkml-bench zkvms --json` (this guest changed)")
        });
        if let Some(id) = p["id"].as_str() {
            assert!(line.contains(&format!("`{id}`")), "README lists another program id than {id}: {line}");
        }
    }
}

/// Issue #35: asserts that none of `outputs` (a proof file, what the CLI printed, a record, a
/// report) carries the private rows of the test set `test` (for the model `model`, proven with
/// `salt`): no 8-byte window of the guest input's row encodings or of a non-zero salt, and
/// no line of the test CSV. Windows of fewer than 5 distinct bytes (runs of small integers,
/// which any binary file holds) are not counted. The check is first shown to fire on the guest
/// input itself, so that it cannot pass by seeing nothing.
pub fn assert_leaks_no_rows(model: &Path, test: &Path, salt: [u8; 32], outputs: &[(&str, &[u8])]) {
    let (_, words) = zkml_harness::run::workflow::guest_input(model, test, &salt).unwrap();
    let csv = std::fs::read_to_string(test).unwrap();
    let private = PrivateRows::new(&words, salt, Some(&csv));
    assert!(private.leak(csv.as_bytes()).is_some(), "the leak check must see the rows in the test CSV itself");
    private.assert_not_in(outputs);
}

/// [`assert_leaks_no_rows`] for a guest input file (as a sweep's workload writes it, zero salt).
pub fn assert_input_leaks_no_rows(input: &Path, outputs: &[(&str, &[u8])]) {
    let words = zkml_core::words_from_bytes(&std::fs::read(input).unwrap()).unwrap();
    PrivateRows::new(&words, [0; 32], None).assert_not_in(outputs);
}

/// What counts as the private rows in an output: 8-byte windows (of at least 5 distinct
/// bytes) of the guest input's row encodings and of a non-zero salt, and the test CSV's lines.
struct PrivateRows {
    windows: std::collections::HashSet<u64>,
    lines: Vec<String>,
    input: Vec<u8>,
}

impl PrivateRows {
    fn new(words: &[u32], salt: [u8; 32], csv: Option<&str>) -> Self {
        let input = zkml_core::GuestInput::decode(words).unwrap();
        let rows: Vec<u8> = input.test_set_words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let mut windows = std::collections::HashSet::new();
        for bytes in [rows.as_slice(), if salt == [0; 32] { &[] } else { &salt }] {
            for w in bytes.windows(8) {
                let distinct: std::collections::BTreeSet<u8> = w.iter().copied().collect();
                if distinct.len() >= 5 {
                    windows.insert(u64::from_le_bytes(w.try_into().unwrap()));
                }
            }
        }
        assert!(windows.len() * 4 >= rows.len(), "too few distinctive windows to check: {} of {} bytes", windows.len(), rows.len());
        let lines: Vec<String> = csv.map(|c| c.lines().skip(1).filter(|l| l.len() >= 12).map(str::to_string).collect()).unwrap_or_default();
        assert!(csv.is_none() || !lines.is_empty());
        PrivateRows { windows, lines, input: zkml_core::words_as_bytes(words).to_vec() }
    }

    fn leak(&self, bytes: &[u8]) -> Option<String> {
        if let Some(at) = bytes.windows(8).position(|w| self.windows.contains(&u64::from_le_bytes(w.try_into().unwrap()))) {
            return Some(format!("8 bytes of the private rows at offset {at}"));
        }
        self.lines.iter().find(|l| bytes.windows(l.len()).any(|w| w == l.as_bytes())).map(|l| format!("the test-set line {l:?}"))
    }

    /// First shown to fire on the guest input itself, so that it cannot pass by seeing nothing.
    fn assert_not_in(&self, outputs: &[(&str, &[u8])]) {
        assert!(self.leak(&self.input).is_some(), "the leak check must see the rows in the guest input itself");
        for (name, bytes) in outputs {
            assert!(bytes.len() > 16, "{name}: nothing to check");
            if let Some(what) = self.leak(bytes) {
                panic!("{name} carries {what}");
            }
        }
    }
}

/// [`assert_leaks_no_rows`] for a backend test's proof of `dir`'s `m.json` + `test.csv` (zero
/// salt): the proof file `proof` in `dir`, what `prove --json` printed (`proven`) and what
/// `verify --json` printed (`verified`).
pub fn assert_proof_leaks_no_rows(dir: &Path, proof: &str, proven: &serde_json::Value, verified: &[u8]) {
    assert_leaks_no_rows(
        &dir.join("m.json"),
        &dir.join("test.csv"),
        [0; 32],
        &[
            ("the proof file", std::fs::read(dir.join(proof)).unwrap().as_slice()),
            ("prove --json", proven.to_string().as_bytes()),
            ("verify --json", verified),
        ],
    );
}

/// Issue #36, one scenario for every zkVM that proves in chunks: a test set proven in two
/// chunks — one of them first alone (`--chunk 1/2`, as one of two machines would), then the
/// rest, resuming — and aggregated by the zkVM's recursion into one proof that `verify`
/// accepts, with exactly the metrics of the whole test set and the data owner's chunked
/// commitment; chunks missing, repeated, out of order or tampered, and a tampered aggregate,
/// are refused; nothing printed or written carries a private row. `zero_knowledge`: what the
/// aggregate's privacy must say; `flipped_error`: what a flipped bit in it must be refused with.
pub fn assert_proves_in_chunks(zkvm: &str, zero_knowledge: bool, flipped_error: &str) {
    let (repo, tmp, native) = small_private_test_set("60", "5", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let n = std::fs::read_to_string(t.join("test.csv")).unwrap().lines().count() - 1;
    assert!(n >= 4, "{n} test rows");
    let rows = n.div_ceil(2).to_string();
    let salt = "5a".repeat(32);
    let (model, test, out) = (p("m.json"), p("test.csv"), p("agg.proof"));
    let base =
        ["prove", "--zkvm", zkvm, "--model", &model, "--test", &test, "--out", &out, "--chunk-rows", &rows, "--salt", &salt, "--json"];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }

    let wrong_k = bin(&repo, &with(&base, &["--chunk", "0/3"]));
    assert!(!wrong_k.status.success());
    assert!(String::from_utf8_lossy(&wrong_k.stderr).contains("make 2 chunks, not 3"), "{}", String::from_utf8_lossy(&wrong_k.stderr));
    let one = json(&ok(&repo, &with(&base, &["--chunk", "1/2"])));
    assert_eq!(one["chunks"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!((one["chunks"][0]["chunk_index"].as_u64(), one["chunks"][0]["reused"].as_bool()), (Some(1), Some(false)));
    assert!(one["aggregate"].is_null() && !t.join("agg.proof").exists(), "{one}");

    let all = json(&ok(&repo, &base));
    let chunks = all["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 2, "{all}");
    assert_eq!((chunks[0]["reused"].as_bool(), chunks[1]["reused"].as_bool()), (Some(false), Some(true)), "chunk 1 is resumed, not redone");
    let agg = &all["aggregate"];
    assert_eq!((agg["mode"].as_str(), agg["real_proof"].as_bool()), (Some("chunked"), Some(true)), "{agg}");
    assert_eq!(agg["privacy"]["zero_knowledge"], zero_knowledge, "{agg}");
    // Exactly the metrics of one proof over every row; the data commitment is the chunked one.
    for k in ["n_rows", "model_hash", "sse_raw", "sst_raw", "mse_raw", "r2_raw"] {
        assert_eq!(agg["claim"][k], native["claim"][k], "{k}");
    }
    let commit = ok(&repo, &["data", "commit", "--model", &model, "--test", &test, "--salt", &salt, "--chunk-rows", &rows]);
    let dc = String::from_utf8(commit.stdout).unwrap().trim().to_string();
    assert_eq!(agg["claim"]["data_commitment"], dc.as_str());
    let v = json(&ok(&repo, &["verify", &out, "--model", &model, "--data-commitment", &dc, "--require-proof", "--json"]));
    assert_eq!(v["report"]["valid"], true, "{v}");
    assert_eq!((v["program"]["role"].as_str(), v["program"]["id"].clone()), (Some("chunked"), v["header"]["program_id"].clone()), "{v}");

    let c0 = chunks[0]["path"].as_str().unwrap().to_string();
    let c1 = chunks[1]["path"].as_str().unwrap().to_string();
    let salt_bytes: [u8; 32] = hex::decode(&salt).unwrap().try_into().unwrap();
    let files: Vec<Vec<u8>> = [&out, &c0, &c1].iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert_leaks_no_rows(
        &t.join("m.json"),
        &t.join("test.csv"),
        salt_bytes,
        &[
            ("the aggregate proof", &files[0]),
            ("chunk proof 0", &files[1]),
            ("chunk proof 1", &files[2]),
            ("prove --chunk-rows --json", all.to_string().as_bytes()),
            ("prove --chunk 1/2 --json", one.to_string().as_bytes()),
            ("verify --json", v.to_string().as_bytes()),
        ],
    );

    // Chunks out of order, repeated or missing are refused by name before any proving.
    let aggregate = |chunks: &[&str]| {
        let bad_out = p("bad.proof");
        let mut args = vec!["aggregate".to_string(), "--zkvm".into(), zkvm.to_string(), "--out".into(), bad_out];
        for c in chunks {
            args.extend(["--chunk".to_string(), c.to_string()]);
        }
        let out = bin(&repo, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(!out.status.success(), "{chunks:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(aggregate(&[&c1, &c0]).contains("position 0 is chunk 1 of 2"));
    assert!(aggregate(&[&c0, &c0]).contains("position 1 is chunk 0 of 2"));
    assert!(aggregate(&[&c0]).contains("2 of them, but 1 were given"));
    // A chunk proof whose receipt was altered (its file checksum rewritten) is named.
    let mut bad = zkml_protocol::ChunkProofFile::read(std::path::Path::new(&c0)).unwrap();
    let mid = bad.payload.len() / 2;
    bad.payload[mid] ^= 1;
    bad.write(&t.join("bad-chunk.zkp")).unwrap();
    let err = aggregate(&[&p("bad-chunk.zkp"), &c1]);
    assert!(err.contains("chunk 0 of 2"), "{err}");
    assert!(!t.join("bad.proof").exists());
    // A proof is not a chunk proof, nor the other way round.
    assert!(aggregate(&[&out, &c1]).contains("not a chunk proof"));

    // The aggregate, tampered, does not verify.
    let original = zkml_protocol::ProofFile::read(&t.join("agg.proof")).unwrap();
    let (flipped, swapped) = flipped_and_swapped(&original);
    assert_rejected(&repo, t, &[("flipped.proof", &flipped, flipped_error), ("swapped.proof", &swapped, "not the claim")]);
}
