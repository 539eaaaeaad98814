#!/usr/bin/env python3
"""The EZKL side of the zkml-bench `ezkl` backend (called by the Rust host `zkml-ezkl`).

The host decodes the guest input, turns the fixed-point model into real coefficients in a
normalised domain (every column divided by 2^24 at its own scale, so values stay near [-1, 1])
and hands this script a job: the model, the rows, the scales and the visibility. This script
builds the ONNX graph of the job (predict every row, then the sums the metrics need), lets EZKL
compile it to a halo2 circuit, and proves or verifies it. It never downloads anything: the SRS is
generated locally (`gen_srs`, never `get_srs`) into the cache.

    ezkl_job.py execute --job job.json --work DIR --srs-dir DIR --result result.json
    ezkl_job.py prove   --job job.json --work DIR --srs-dir DIR --vk-dir DIR --result result.json
    ezkl_job.py verify  --job job.json --work DIR --srs-dir DIR --vk-dir DIR --settings S --proof P --result result.json

The circuit's public values: the Poseidon hash of the test rows (visibility `hashed`; none for
`private`), then SSE = sum (pred - y)^2 and NSST = N sum y^2 - (sum y)^2 = N * SST, each at the
scale EZKL reports in the settings. The sums of y and y^2 stay private: publishing sum y would
reveal the test set's mean target, which the claim does not state. The host turns them into the
claim (SST = NSST / N, exact).
"""

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import ezkl

OPSET = 17
# What a proof of each mode must have been compiled with (checked again at verification).
VISIBILITY = {"hashed": "hashed", "private": "private"}
# The graph's public outputs, in order.
OUTPUTS = ("sse", "nsst")


def log(msg):
    print(f"ezkl_job: {msg}", file=sys.stderr, flush=True)


def const(name, array, dtype=np.float32):
    value = numpy_helper.from_array(np.asarray(array, dtype=dtype), name + "_value")
    return helper.make_node("Constant", [], [name], value=value)


def build_graph(job):
    """The ONNX graph of the job: one input `rows` [N, F+1] (features, then target)."""
    n, f, degree = job["n_rows"], job["n_features"], job["degree"]
    nodes = [
        const("feature_idx", np.arange(f), np.int64),
        const("target_idx", [f], np.int64),
        helper.make_node("Gather", ["rows", "feature_idx"], ["x"], axis=1),
        helper.make_node("Gather", ["rows", "target_idx"], ["y"], axis=1),
    ]
    if job.get("kind") == "mlp":
        return finish_graph(nodes + mlp_nodes(job), n, f)
    if job.get("kind") == "gbdt":
        return finish_graph(nodes + forest_nodes(job), n, f)
    weights = np.asarray(job["weights"], dtype=np.float64).reshape(-1, 1)
    if degree == 1:
        terms = "x"
    elif degree == 2:
        nodes += [
            const("means", np.asarray(job["means"]).reshape(1, f)),
            const("inv_stds", np.asarray(job["inv_stds"]).reshape(1, f)),
            helper.make_node("Sub", ["x", "means"], ["d"]),
            helper.make_node("Mul", ["d", "inv_stds"], ["z"]),
        ]
        # The canonical monomial order of zkml-core's `expand`: z_i, then z_i z_j for i <= j.
        parts = ["z"]
        for i in range(f):
            nodes += [
                const(f"i{i}", [i], np.int64),
                const(f"tail{i}", np.arange(i, f), np.int64),
                helper.make_node("Gather", ["z", f"i{i}"], [f"z{i}"], axis=1),
                helper.make_node("Gather", ["z", f"tail{i}"], [f"ztail{i}"], axis=1),
                helper.make_node("Mul", [f"z{i}", f"ztail{i}"], [f"q{i}"]),
            ]
            parts.append(f"q{i}")
        nodes.append(helper.make_node("Concat", parts, ["terms"], axis=1))
        terms = "terms"
    else:
        raise SystemExit(f"ezkl backend: degree {degree} is not supported (linear, ridge and poly2 are)")
    nodes += [
        const("weights", weights),
        const("bias", [[job["bias"]]]),
        helper.make_node("MatMul", [terms, "weights"], ["xw"]),
        helper.make_node("Add", ["xw", "bias"], ["pred"]),
    ]
    return finish_graph(nodes, n, f)


def mlp_nodes(job):
    """A ReLU network on the standardised features `z` (the job's layers, row-major weights),
    ending in `pred`: the normalised target's prediction."""
    f = job["n_features"]
    nodes = [
        const("means", np.asarray(job["means"]).reshape(1, f)),
        const("inv_stds", np.asarray(job["inv_stds"]).reshape(1, f)),
        helper.make_node("Sub", ["x", "means"], ["d"]),
        helper.make_node("Mul", ["d", "inv_stds"], ["a0"]),
    ]
    layers = job["layers"]
    for l, layer in enumerate(layers):
        w = np.asarray(layer["weights"], dtype=np.float64).reshape(layer["n_out"], layer["n_in"]).T
        b = np.asarray(layer["biases"], dtype=np.float64).reshape(1, layer["n_out"])
        last = l + 1 == len(layers)
        out = "pred" if last else f"a{l + 1}"
        nodes += [
            const(f"w{l}", w),
            const(f"b{l}", b),
            helper.make_node("MatMul", [f"a{l}", f"w{l}"], [f"s{l}"]),
            helper.make_node("Add", [f"s{l}", f"b{l}"], [f"p{l}" if not last else out]),
        ]
        if not last:
            nodes.append(helper.make_node("Relu", [f"p{l}"], [out]))
    return nodes


def forest_nodes(job):
    """Complete trees as tensor operations, level by level, for every tree at once: gather the
    compared feature of every node of the level, compare with the thresholds (`Greater`: right),
    and split each node's path indicator into its children's (`left = p - p*g`, `right = p*g`,
    interleaved so that node i's children are 2i and 2i+1 as in the heap order). After the last
    level the indicators select one leaf per tree: `pred = indicators @ leaves + bias`. Every
    indicator is 0 or 1 at scale 0, so nothing but the leaves is rounded."""
    n, t = job["n_rows"], job["trees"]
    depth, n_trees = t["depth"], t["n_trees"]
    internal = 2**depth - 1
    feats = np.asarray(t["features"], dtype=np.int64).reshape(n_trees, internal)
    thr = np.asarray(t["thresholds"], dtype=np.float64).reshape(n_trees, internal)
    nodes = [const("p0", np.ones((n, n_trees)))]
    for level in range(depth):
        lo, hi, width = 2**level - 1, 2 ** (level + 1) - 1, n_trees * 2**level
        nodes += [
            const(f"fi{level}", feats[:, lo:hi].reshape(-1), np.int64),
            const(f"th{level}", thr[:, lo:hi].reshape(1, -1)),
            helper.make_node("Gather", ["x", f"fi{level}"], [f"xs{level}"], axis=1),
            helper.make_node("Greater", [f"xs{level}", f"th{level}"], [f"gb{level}"]),
            helper.make_node("Cast", [f"gb{level}"], [f"g{level}"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"p{level}", f"g{level}"], [f"r{level}"]),
            helper.make_node("Sub", [f"p{level}", f"r{level}"], [f"l{level}"]),
            const(f"col{level}", [n, width, 1], np.int64),
            helper.make_node("Reshape", [f"l{level}", f"col{level}"], [f"lc{level}"]),
            helper.make_node("Reshape", [f"r{level}", f"col{level}"], [f"rc{level}"]),
            helper.make_node("Concat", [f"lc{level}", f"rc{level}"], [f"pair{level}"], axis=2),
            const(f"flat{level}", [n, 2 * width], np.int64),
            helper.make_node("Reshape", [f"pair{level}", f"flat{level}"], [f"p{level + 1}"]),
        ]
    nodes += [
        const("leaves", np.asarray(t["leaves"], dtype=np.float64).reshape(-1, 1)),
        const("bias", [[job["bias"]]]),
        helper.make_node("MatMul", [f"p{depth}", "leaves"], ["leafsum"]),
        helper.make_node("Add", ["leafsum", "bias"], ["pred"]),
    ]
    return nodes


def finish_graph(nodes, n, f):
    """The metrics after `pred` and `y` ([N, 1] each), and the graph around them."""
    nodes = nodes + [
        helper.make_node("Sub", ["pred", "y"], ["e"]),
        helper.make_node("Mul", ["e", "e"], ["e2"]),
        helper.make_node("Mul", ["y", "y"], ["y2"]),
        helper.make_node("ReduceSum", ["e2"], ["sse"], keepdims=0),
        helper.make_node("ReduceSum", ["y"], ["sy"], keepdims=0),
        helper.make_node("ReduceSum", ["y2"], ["syy"], keepdims=0),
        # N * SST = N * sum y^2 - (sum y)^2, exactly: N is an integral constant, at scale 0 with
        # `rebase_frac_zero_constants`, so N * syy stays at syy's scale (2s), as does sy * sy.
        const("n", n),
        helper.make_node("Mul", ["syy", "n"], ["n_syy"]),
        helper.make_node("Mul", ["sy", "sy"], ["sy_sq"]),
        helper.make_node("Sub", ["n_syy", "sy_sq"], ["nsst"]),
    ]
    graph = helper.make_graph(
        nodes,
        "zkml_bench_accuracy",
        [helper.make_tensor_value_info("rows", TensorProto.FLOAT, [n, f + 1])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, []) for name in OUTPUTS],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="zkml-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def run_args(job):
    args = ezkl.PyRunArgs()
    args.input_visibility = VISIBILITY[job["mode"]]
    args.output_visibility = "public"
    args.param_visibility = "fixed"
    args.input_scale = job["scale"]
    args.param_scale = job["param_scale"]
    # Products stay at twice the input scale (no rounding of squared errors); values up to
    # 2^42 at their scale need three 14-bit decomposition legs.
    args.scale_rebase_multiplier = 2
    args.decomp_legs = job["decomp_legs"]
    # Integral constants (the row count N) at scale 0: multiplying by N keeps the scale, exactly.
    args.rebase_frac_zero_constants = True
    # No range checks on the graph's inputs and outputs (EZKL: "turn off if the inputs are
    # felts"). The public N * SST grows as N^2 and would fail the output range check; the rows
    # need none: in `hashed` mode the Poseidon hash binds them to the committed values (which the
    # data owner computes from the real, in-range rows), and a `private` proof binds them to
    # nothing in any case. Every rescale inside the circuit keeps its own range check.
    args.ignore_range_check_inputs_outputs = True
    return args


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_srs(srs_dir, logrows):
    """The locally generated SRS for `logrows` (generated once, cached): path, seconds, generated."""
    os.makedirs(srs_dir, exist_ok=True)
    path = os.path.join(srs_dir, f"kzg{logrows}.srs")
    if os.path.exists(path):
        return path, 0.0, False
    log(f"generating a local SRS for 2^{logrows} rows (gen_srs: fresh randomness, not a ceremony SRS)")
    t = time.perf_counter()
    tmp = f"{path}.tmp{os.getpid()}"
    ezkl.gen_srs(tmp, logrows)
    # The first SRS written wins and is never replaced: each one has fresh randomness, so two
    # processes generating at once (parallel tests, two sweeps) must not swap it under each
    # other's keys (a proof made with one and verified with the other fails: "the constraint
    # system is not satisfied"). A hard link fails if the file exists; the loser uses the winner's.
    try:
        os.link(tmp, path)
        generated = True
    except FileExistsError:
        generated = False
    os.remove(tmp)
    return path, time.perf_counter() - t, generated


def felt_int(hex_le):
    return int(ezkl.felt_to_int(hex_le))


def public_values(proof_json, settings, mode):
    """The proof's instances: the data commitment (hashed mode) and the outputs, with their scales."""
    instances = [x for col in proof_json["instances"] for x in col]
    n_hash = 1 if mode == "hashed" else 0
    if len(instances) != n_hash + len(OUTPUTS):
        raise SystemExit(f"ezkl backend: the proof has {len(instances)} public values, expected {n_hash + len(OUTPUTS)}")
    out = {"data_commitment": instances[0] if n_hash else None, "output_scales": settings["model_output_scales"]}
    for i, name in enumerate(OUTPUTS):
        out[name] = str(felt_int(instances[n_hash + i]))
    return out


def check_settings(settings, job):
    ra = settings["run_args"]
    want = {
        "input_visibility": VISIBILITY[job["mode"]],
        "output_visibility": "Public",
        "param_visibility": "Fixed",
        "rebase_frac_zero_constants": "true",
        "ignore_range_check_inputs_outputs": "true",
    }
    for key, value in want.items():
        got = ra[key]
        got_s = got if isinstance(got, str) else json.dumps(got)
        if value.lower() not in got_s.lower():
            raise SystemExit(f"ezkl backend: settings have {key} = {got_s}, the {job['mode']} mode needs {value}")
    if ra["input_scale"] != job["scale"] or ra["param_scale"] != job["param_scale"]:
        raise SystemExit("ezkl backend: settings scales differ from the job's")


def circuit_id(onnx_path, settings_path):
    """What a circuit is derived from: the ONNX graph and the settings (EZKL's compiled file is not
    byte-for-byte reproducible, these two are)."""
    return hashlib.sha256(bytes.fromhex(sha256_file(onnx_path)) + bytes.fromhex(sha256_file(settings_path))).hexdigest()


def vk_path(vk_dir, cid):
    os.makedirs(vk_dir, exist_ok=True)
    return os.path.join(vk_dir, cid + ".vk")


def prepare(a, job):
    """ONNX graph, settings calibrated on the prover's rows, compiled circuit, witness."""
    w = a.work
    paths = {k: f"{w}/{v}" for k, v in dict(onnx="model.onnx", data="data.json", settings="settings.json",
                                             compiled="model.compiled", witness="witness.json").items()}
    times = {}
    t = time.perf_counter()
    with open(paths["onnx"], "wb") as fh:
        fh.write(build_graph(job))
    with open(paths["data"], "w") as fh:
        json.dump({"input_data": [job["rows"]]}, fh)
    times["graph_s"] = time.perf_counter() - t

    t = time.perf_counter()
    ezkl.gen_settings(paths["onnx"], paths["settings"], py_run_args=run_args(job))
    # Calibration on the prover's own rows: it sizes the circuit (rows, lookup ranges).
    try:
        ezkl.calibrate_settings(paths["data"], paths["onnx"], paths["settings"], "resources", scales=[job["scale"]],
                                scale_rebase_multiplier=[2])
    except RuntimeError as e:
        raise SystemExit(
            f"ezkl backend: EZKL cannot lay out this job at scale 2^-{job['scale']}: {e}. Usually a value of the test set "
            f"(or a product of two) is beyond 2^{14 * job['decomp_legs'] - 2 * job['scale']} times its column's training "
            "range, more than the circuit's range checks cover")
    with open(paths["settings"]) as fh:
        settings = json.load(fh)
    check_settings(settings, job)
    logrows = settings["run_args"]["logrows"]
    limit = os.environ.get("ZKML_EZKL_MAX_LOGROWS")
    if limit and logrows > int(limit):
        raise SystemExit(
            f"out of memory (not attempted): the circuit needs {settings['num_rows']} rows (2^{logrows}), above "
            f"ZKML_EZKL_MAX_LOGROWS={limit}, the largest size this machine was told to try")
    ezkl.compile_circuit(paths["onnx"], paths["compiled"], paths["settings"])
    times["settings_compile_s"] = time.perf_counter() - t
    log(f"circuit: {settings['num_rows']} rows, logrows {settings['run_args']['logrows']}, "
        f"output scales {settings['model_output_scales']}")
    return paths, settings, times


def witness_public(witness, mode):
    """The public values as the witness has them (no proof): the same shape as `public_values`."""
    instances = []
    if mode == "hashed":
        instances.append(witness["processed_inputs"]["poseidon_hash"][0])
    instances += [col[0] for col in witness["outputs"]]
    return instances


def execute(a, job):
    paths, settings, times = prepare(a, job)
    srs, _, _ = atomic_srs(a.srs_dir, settings["run_args"]["logrows"])
    t = time.perf_counter()
    witness = ezkl.gen_witness(paths["data"], paths["compiled"], paths["witness"], srs_path=srs)
    times["witness_s"] = time.perf_counter() - t
    if isinstance(witness, str):
        witness = json.loads(witness)
    elif not isinstance(witness, dict):
        with open(paths["witness"]) as fh:
            witness = json.load(fh)
    fake_proof = {"instances": [witness_public(witness, job["mode"])]}
    return {"times": times, "num_rows": settings["num_rows"], "logrows": settings["run_args"]["logrows"],
            "public": public_values(fake_proof, settings, job["mode"])}


def prove(a, job):
    paths, settings, times = prepare(a, job)
    w = a.work
    compiled, witness = paths["compiled"], paths["witness"]
    pk, vk, proof = f"{w}/pk.key", f"{w}/vk.key", f"{w}/proof.json"
    logrows = settings["run_args"]["logrows"]
    srs, times["srs_s"], generated = atomic_srs(a.srs_dir, logrows)

    t = time.perf_counter()
    ezkl.setup(compiled, vk, pk, srs_path=srs)
    times["keygen_s"] = time.perf_counter() - t
    pk_bytes, vk_bytes = os.path.getsize(pk), os.path.getsize(vk)
    # The verifier's key store (this machine's): keyed by the compiled circuit's hash.
    cid = circuit_id(paths["onnx"], paths["settings"])
    os.replace(vk, vk_path(a.vk_dir, cid))

    t = time.perf_counter()
    ezkl.gen_witness(paths["data"], compiled, witness, srs_path=srs)
    times["witness_s"] = time.perf_counter() - t

    t = time.perf_counter()
    ezkl.prove(witness, compiled, pk, proof, srs_path=srs)
    times["prove_s"] = time.perf_counter() - t
    os.remove(pk)

    with open(proof) as fh:
        proof_text = fh.read()
    proof_json = json.loads(proof_text)
    transcript = proof_json["proof"]
    transcript = bytes.fromhex(transcript.removeprefix("0x")) if isinstance(transcript, str) else bytes(transcript)
    with open(paths["settings"]) as fh:
        settings_text = fh.read()
    return {
        "times": times,
        "srs_generated": generated,
        "num_rows": settings["num_rows"],
        "logrows": logrows,
        "circuit_id": cid,
        "pk_bytes": pk_bytes,
        "vk_bytes": vk_bytes,
        "proof_transcript_bytes": len(transcript),
        "n_instances": sum(len(c) for c in proof_json["instances"]),
        "public": public_values(proof_json, settings, job["mode"]),
        "settings": settings_text,
        "proof": proof_text,
    }


def verify(a, job):
    """Never raises on a bad proof or bad settings: answers valid = false with the reason."""
    w = a.work
    onnx_path, compiled = f"{w}/model.onnx", f"{w}/model.compiled"
    t = time.perf_counter()
    try:
        with open(a.settings) as fh:
            settings = json.load(fh)
        check_settings(settings, job)
        with open(a.proof) as fh:
            proof_json = json.load(fh)
        # The verifier rebuilds the circuit from the model itself; only the settings come from the prover.
        with open(onnx_path, "wb") as fh:
            fh.write(build_graph(job))
        ezkl.compile_circuit(onnx_path, compiled, a.settings)
        srs, _, _ = atomic_srs(a.srs_dir, settings["run_args"]["logrows"])
    except (Exception, SystemExit) as e:
        return {"valid": False, "reason": f"proof file rejected before verification: {e}", "verify_s": 0.0,
                "setup_s": time.perf_counter() - t, "vk_derived": False}
    cid = circuit_id(onnx_path, a.settings)
    vk = vk_path(a.vk_dir, cid)
    derived = False
    if not os.path.exists(vk):
        log("no verifying key for this circuit in this machine's key store: deriving it (setup)")
        tmp_vk, tmp_pk = f"{w}/vk.key", f"{w}/pk.key"
        ezkl.setup(compiled, tmp_vk, tmp_pk, srs_path=srs)
        os.replace(tmp_vk, vk)
        os.remove(tmp_pk)
        derived = True
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    try:
        valid = bool(ezkl.verify(a.proof, a.settings, vk, srs_path=srs))
        reason = None if valid else "EZKL verification failed"
    except Exception as e:  # EZKL raises on a malformed or false proof
        valid, reason = False, f"EZKL verification failed: {e}"
    verify_s = time.perf_counter() - t
    out = {"valid": valid, "reason": reason, "verify_s": verify_s, "setup_s": setup_s, "vk_derived": derived,
           "circuit_id": cid}
    if valid:
        out["public"] = public_values(proof_json, settings, job["mode"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["execute", "prove", "verify", "versions"])
    p.add_argument("--job")
    p.add_argument("--work")
    p.add_argument("--srs-dir")
    p.add_argument("--vk-dir")
    p.add_argument("--settings")
    p.add_argument("--proof")
    p.add_argument("--result")
    a = p.parse_args()
    if a.command == "versions":
        print(json.dumps({"ezkl": ezkl.__version__, "onnx": onnx.__version__, "numpy": np.__version__}))
        return
    with open(a.job) as fh:
        job = json.load(fh)
    if job["mode"] not in VISIBILITY:
        raise SystemExit(f"ezkl backend: unknown mode {job['mode']}")
    try:
        out = {"execute": execute, "prove": prove, "verify": verify}[a.command](a, job)
    except SystemExit as e:
        # A refusal with its reason (the host reports it as the run's error).
        if not isinstance(e.code, str):
            raise
        out = {"error": e.code}
    tmp = a.result + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh)
    os.replace(tmp, a.result)


if __name__ == "__main__":
    main()
