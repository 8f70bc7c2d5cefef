"""JSON-valued `--set` parameters are bounded (depth, digits, size, ranges) and errors quote at most ~80 characters
of the value; verify plans lazily and caps --jobs at the core count (issue 24 items 14 and 15)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from examprep.errors import ParamError
from examprep.registry import make

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "examprep.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


HOSTILE = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "digits": '[["conv", ' + "9" * 5000 + ', 3, 1, 1], ["flatten"], ["linear", 10]]',
    "huge layer": '[["conv", 100000, 3, 1, 1], ["flatten"], ["linear", 10]]',
    "huge units": '[["conv", 8, 3, 1, 1], ["flatten"], ["linear", 1000000]]',
    "infinite": '[["conv", 8, 3, 1, 1e999], ["flatten"], ["linear", 10]]',
    "long": '[["conv", 8, 3, 1, 1], ["flatten"], ["linear", 10]' + ", " * 20_000 + "]",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_shape_chain_layers_are_bounded(name: str) -> None:
    pt = make("cnn/shape_chain")
    with pytest.raises(ParamError) as e:
        pt.instance(sets=["network=custom", "C=3", "H=32", "W=32", f"layers={HOSTILE[name]}"])
    msg = str(e.value)
    assert "\n" not in msg and len(msg) < 250, msg


def test_cli_errors_are_one_short_line() -> None:
    r = cli("solve", "cnn/shape_chain", "--set", "network=custom", "--set", "C=3", "--set", "H=32", "--set", "W=32",
            "--set", "layers=" + "[" * 2_000 + "]" * 2_000)
    assert r.returncode == 2 and r.stderr.startswith("error: layers=") and "nested more than 6" in r.stderr
    assert len(r.stderr) < 250 and "Traceback" not in r.stderr


@pytest.mark.parametrize("cov", ["[[1e308, 0], [0, 1e308]]", "[[1e-300, 0], [0, 1]]", "[[1, 0.9999999999], "
                                                                                       "[0.9999999999, 1]]"])
def test_gaussian_covariances_out_of_range_are_refused(cov: str) -> None:
    pt = make("bayes/gaussian_2d")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way
        with pytest.raises(ParamError, match="covariances"):
            pt.instance(seed=1, sets=[f"covariances={cov}"])


def test_naive_bayes_examples_are_bounded() -> None:
    pt = make("bayes/naive_bayes")
    with pytest.raises(ParamError, match="not valid JSON|nested"):
        pt.instance(seed=1, sets=["examples=" + "[" * 5000])
    with pytest.raises(ParamError, match="digits"):
        pt.instance(seed=1, sets=["examples=[[" + "1" * 5000 + "]]"])


def test_ordinary_json_values_still_work() -> None:
    pt = make("cnn/shape_chain")
    inst = pt.instance(sets=["network=custom", "C=3", "H=32", "W=32",
                             'layers=[["conv", 4096, 3, 1, 1], ["flatten"], ["linear", 10]]'])
    assert pt.solve(inst.params)["flatten"] == 4096 * 32 * 32


# ---- 15. verify plans lazily and caps --jobs -------------------------------------------------------------------
def test_plan_is_lazy_and_exact() -> None:
    import time
    import tracemalloc

    from examprep.verify.parallel import workers
    from examprep.verify.run import EXACT_N, plan

    def listed(n: int, batch: int, exact: int) -> list[tuple[int, int]]:  # the plan as it was built before
        out, done = [], 0
        while done < n:
            k = min(batch, n - done)
            if done < exact:
                k = min(k, exact - done)
            out.append((done, k))
            done += k
        return out

    for n, batch, exact in [(1, 4096, 1000), (999, 400, 1000), (1000, 400, 1000), (2600, 400, 1000),
                            (10_000, 4096, 1000), (5, 2, 0), (7, 3, 10)]:
        p = plan(n, batch, exact)
        assert list(p) == listed(n, batch, exact) and len(p) == len(listed(n, batch, exact))
        assert p[1:4] == listed(n, batch, exact)[1:4] and p[-1] == listed(n, batch, exact)[-1]
    tracemalloc.start()
    t = time.process_time()
    p = plan(10**12, 4096)
    n_workers = workers(2, 10**12, 4096, 3, "cpu")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.process_time() - t < 1 and peak < 100_000 and n_workers == 2
    assert len(p) == -(-EXACT_N // 4096) + -(-(10**12 - EXACT_N) // 4096)
    assert p[-1] == (10**12 - (10**12 - EXACT_N) % 4096 or 4096, (10**12 - EXACT_N) % 4096 or 4096)


def test_verify_jobs_capped_at_the_core_count() -> None:
    r = cli("verify", "cnn/conv_output_size", "--n", "20", "--jobs", "500", "--device", "cpu", "--no-self-test")
    cores = os.cpu_count() or 1
    assert r.returncode == 0, r.stderr
    assert f"--jobs 500: this machine has {cores} cores; using {cores} worker processes" in r.stderr
    assert "500 workers" not in r.stdout
