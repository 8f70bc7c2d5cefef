"""verify's GPU layout (truths in CPU workers, references in the main process), run on the CPU.

:func:`examprep.verify.split.verify_split` takes any device, so these tests run the whole structure — worker
processes, parameter sets sent to the main process, answers sent back, comparisons and the float64 recheck in the
workers — with the reference on the CPU in the test process, and check it finds what one process finds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from examprep.reference.batching import Answers
from examprep.registry import make
from examprep.verify import instances, load_reference, verify_type
from examprep.verify.split import verify_split

ROOT = Path(__file__).resolve().parents[1]
CPU = torch.device("cpu")
N, BATCH, EXACT = 600, 150, 300  # two batches of generated instances, two of direct draws, per type
PLANTED = (3, 53, 103)  # rows of every batch whose answers a planted reference gets wrong


def planted(pid: str, *, only_float32: bool = False) -> Any:
    """The type's reference, with one part of the rows PLANTED of each batch off by 0.1% (in float32 only, when
    asked: what float32 rounding does to a near-tie, which the float64 recheck must resolve)."""
    import examprep.reference.diffusion as family

    ref = load_reference(make(pid))

    def wrong(params: list[Any], device: Any) -> Any:
        got = ref(params, device)
        rows = list(got) if isinstance(got, Answers) else got
        if only_float32 and family.REAL != torch.float32:
            return rows
        out = []
        for i, row in enumerate(rows):
            row = dict(row)
            if i in PLANTED and i < len(params):
                part = next(iter(row))
                row[part] = np.asarray(row[part], dtype=float) * (1 + 1e-3) + 1e-3
            out.append(row)
        return out

    return wrong


def test_split_finds_what_one_process_finds() -> None:
    types = [make("cnn/conv_output_size"), make("diffusion/ddim_step"), make("vision/harris_map")]
    results, stats = verify_split(types, N, CPU, jobs=2, batch=BATCH, exact=EXACT,
                                  references={"diffusion/ddim_step-v1": planted("diffusion/ddim_step")})
    assert stats.batches == 4 * len(types) and stats.workers == 2
    assert stats.worker_imported_torch  # conv_output_size's meta-device reference runs in the workers
    assert 0 < stats.busy < stats.wall
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == [pt.id for pt in types]
    for pt in (types[0], types[2]):
        one = verify_type(pt, N, CPU, batch=BATCH, exact=EXACT)
        got = by_id[pt.id]
        assert (got.n, got.disagreements, got.self_test_failures) == (one.n, one.disagreements,
                                                                      one.self_test_failures) == (N, 0, [])
        assert got.max_error == one.max_error
    bad = by_id["diffusion/ddim_step-v1"]
    assert bad.n == N and bad.disagreements == len(PLANTED) * N // BATCH
    # generated instances are quoted by instance code, direct draws by their parameters
    assert len(bad.examples) == 5
    insts = instances(make("diffusion/ddim_step"), EXACT)
    codes = {insts[start + i].code for start in range(0, EXACT, BATCH) for i in PLANTED}
    for line in bad.examples:
        label = line.split(" part ")[0]
        assert label in codes or json.loads(label).keys() >= {"x_t", "eps_hat"}, line


def test_split_rechecks_float32_in_float64_and_reports_a_raising_reference() -> None:
    pt, broken = make("diffusion/forward_step"), make("cnn/pool_output_size")

    def raises(params: list[Any], device: Any) -> Any:
        raise ValueError("planted")

    results, stats = verify_split([pt, broken], N, CPU, jobs=2, batch=BATCH, exact=EXACT, dtype="float32",
                                  self_test=False, references={pt.id: planted(pt.id, only_float32=True),
                                                               broken.id: raises})
    assert not stats.worker_imported_torch  # every reference ran here: the workers make, solve and compare
    ok, bad = results
    assert (ok.n, ok.disagreements, ok.rechecked) == (N, 0, len(PLANTED) * N // BATCH)
    assert (bad.n, bad.disagreements) == (N, N)
    assert "the reference raised ValueError: planted" in bad.examples[0]


def test_cli_split_layout_on_the_cpu(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "examprep.cli", "verify", "divergence/kl_gaussian", "--n", "600",
                          "--batch", "300", "--device", "cpu", "--jobs", "2", "--split", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["split"] and data["workers"] == 2 and data["ok"]
    assert [(r["id"], r["n"], r["disagreements"]) for r in data["results"]] == [(make("divergence/kl_gaussian").id,
                                                                                   600, 0)]
    if not torch.cuda.is_available():
        out = subprocess.run([sys.executable, "-m", "examprep.cli", "verify", "cnn", "--n", "5", "--device", "cuda",
                              "--jobs", "4"], capture_output=True, text=True, env=env, timeout=300)
        assert out.returncode == 2 and out.stderr.strip().startswith("error: --device cuda: no CUDA GPU")
        assert "Traceback" not in out.stderr


def test_references_that_need_no_device_are_found_by_running_them_on_meta() -> None:
    """Shape-only references (modules built on the meta device) answer with device=meta and run in the workers;
    a reference that computes on data cannot copy meta tensors out, so it stays on the device."""
    from examprep.verify.split import device_free

    for pid, free in (("cnn/conv_output_size", True), ("attention/multihead_dims", True),
                      ("cnn/shape_chain", True), ("divergence/kl_gaussian", False),
                      ("attention/scaled_dot_product", False), ("vision/harris_map", False)):
        pt = make(pid)
        assert device_free(pt, load_reference(pt)) is free, pid


def test_references_in_the_workers_find_what_one_process_finds() -> None:
    """refs="workers" (the default on a GPU): every worker runs the references itself; nothing runs here."""
    types = [make("cnn/conv_output_size"), make("diffusion/ddim_step"), make("vision/harris_map")]
    results, stats = verify_split(types, N, CPU, jobs=2, batch=BATCH, exact=EXACT, refs="workers",
                                  references={"diffusion/ddim_step-v1": planted("diffusion/ddim_step")})
    assert stats.worker_imported_torch and stats.batches == 4 * len(types)
    by_id = {r.id: r for r in results}
    for pt in (types[0], types[2]):
        one = verify_type(pt, N, CPU, batch=BATCH, exact=EXACT)
        got = by_id[pt.id]
        assert (got.n, got.disagreements, got.max_error) == (one.n, one.disagreements, one.max_error)
    # a replaced reference (a test's) still runs here, so the planted errors are found
    assert by_id["diffusion/ddim_step-v1"].disagreements == len(PLANTED) * N // BATCH
    with pytest.raises(ValueError, match="refs"):
        verify_split(types, N, CPU, jobs=1, refs="gpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("refs", ["main", "workers"])
def test_split_on_a_gpu_agrees_with_solve(refs: str) -> None:
    """The real layouts on a GPU machine: references on the GPU (here, or in each worker), truths in workers."""
    types = [make("divergence/kl_gaussian"), make("attention/scaled_dot_product"), make("vision/harris_map"),
             make("cnn/conv_output_size")]
    results, stats = verify_split(types, N, torch.device("cuda"), jobs=2, batch=BATCH, exact=EXACT, refs=refs)
    assert [(r.n, r.disagreements, r.self_test_failures) for r in results] == [(N, 0, [])] * len(types)
    assert all(r.device.startswith("cuda") for r in results)
