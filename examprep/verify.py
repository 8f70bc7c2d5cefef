"""Reference verification: ``solve`` against the torch reference, plus every type's self-test.

Instances are drawn with :meth:`ProblemType.generate` (seeds 0..N−1, the three difficulties in turn). References
run in batches on the chosen device; answers are compared part by part in float64.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from examprep.errors import DeviceError, ReferenceUnavailableError
from examprep.problem import Instance, ProblemType
from examprep.seeding import DIFFICULTIES

RTOL = 1e-8
ATOL = 1e-10
SELF_TEST_N = 30


@dataclass
class VerifyResult:
    """The outcome for one problem type."""

    id: str
    n: int
    disagreements: int = 0
    max_error: float = 0.0
    seconds: float = 0.0
    device: str = "cpu"
    self_test_failures: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")

    @property
    def ok(self) -> bool:
        return self.disagreements == 0 and not self.self_test_failures

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "n": self.n, "disagreements": self.disagreements, "max_error": self.max_error,
                "seconds": round(self.seconds, 4), "instances_per_second": round(self.per_second, 1),
                "device": self.device, "self_test_failures": self.self_test_failures, "examples": self.examples}


def resolve_device(name: str) -> tuple[Any, str]:
    """(torch device, note). ``auto`` falls back to the CPU and says so; ``cuda`` without a GPU is an error."""
    try:
        import torch
    except ImportError:
        raise ReferenceUnavailableError("verify needs torch: pip install 'examprep[torch]' "
                                        "(CPU build: pip install torch==2.13.0)") from None
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda"), ""
        return torch.device("cpu"), "no GPU found: verifying on the CPU"
    if name == "cuda" and not torch.cuda.is_available():
        raise DeviceError("--device cuda: no CUDA GPU is available here; use --device cpu or --device auto")
    if name not in ("cpu", "cuda"):
        raise DeviceError(f"--device {name!r}: use auto, cpu or cuda")
    return torch.device(name), ""


def load_reference(pt: ProblemType) -> Callable[..., list[dict[str, Any]]]:
    if not pt.reference_entry:
        raise ReferenceUnavailableError(f"{pt.id} declares no reference implementation")
    module, _, attr = pt.reference_entry.partition(":")
    return getattr(importlib.import_module(module), attr)


def instances(pt: ProblemType, n: int, start: int = 0) -> list[Instance]:
    """N instances: seeds start..start+N−1, difficulties in turn."""
    return [pt.generate(start + i, DIFFICULTIES[i % 3]) for i in range(n)]


def compare(truth: Any, ref: Any) -> tuple[bool, float]:
    """(agree, max absolute error) of two answers; a shape or label mismatch disagrees."""
    if isinstance(truth, str) or isinstance(ref, str):
        return str(truth) == str(ref), 0.0
    a = np.asarray(truth, dtype=float)
    b = np.asarray(ref.detach().cpu().numpy() if hasattr(ref, "detach") else ref, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(b)):
        return False, float("inf")
    if not a.size:
        return True, 0.0
    err = np.abs(a - b)
    return bool(np.all(err <= ATOL + RTOL * np.abs(b))), float(err.max())


def verify_type(pt: ProblemType, n: int, device: Any, batch: int = 4096, self_test: bool = True,
                progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Verify one type on N instances."""
    ref = load_reference(pt)
    res = VerifyResult(pt.id, n, device=str(device))
    t0 = time.perf_counter()
    for lo in range(0, n, batch):
        insts = instances(pt, min(batch, n - lo), start=lo)
        truths = [pt.solve(i.params) for i in insts]
        refs = ref([i.params for i in insts], device)
        for inst, t, r in zip(insts, truths, refs):
            bad = not r
            for part, rv in r.items():
                ok, e = compare(t[part], rv)
                res.max_error = max(res.max_error, e) if ok else res.max_error
                if not ok:
                    bad = True
                    if len(res.examples) < 5:
                        res.examples.append(f"{inst.code} part {part}: solve {t[part]!r} vs reference {rv!r}")
            res.disagreements += bad
        if progress:
            progress(len(insts))
    res.seconds = time.perf_counter() - t0
    if self_test:
        from examprep.checker import self_test as run_self_test

        res.self_test_failures = run_self_test(pt, instances(pt, min(n, SELF_TEST_N)))
    return res


def select(targets: Iterable[str]) -> list[ProblemType]:
    """Problem types for ids, bare ids or topics (all when empty)."""
    from examprep.registry import list_specs, make

    targets = list(targets)
    if not targets:
        return [make(s.id) for s in list_specs()]
    out: list[ProblemType] = []
    topics = {s.topic for s in list_specs()}
    for t in targets:
        if "/" in t:
            out.append(make(t))
        elif t in topics:
            out.extend(make(s.id) for s in list_specs([t]))
        else:
            list_specs([t])  # raises with a did-you-mean
    return out
