"""Verifying one problem type: instances and draws, batches through the reference, and the result.

The first 1,000 instances of a type are made with :meth:`ProblemType.generate` (seeds 0.., the three difficulties
in turn), so a disagreement there is quoted by instance code; beyond that, parameters are drawn straight from the
type's sampler (valid, but without the degenerate-draw rejection), which keeps N = 100,000 per type affordable.
References run in batches on the chosen device; answers are compared part by part in float64.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from examprep.errors import DeviceError, ParamError, ReferenceUnavailableError
from examprep.params import Params
from examprep.problem import Instance, ProblemType
from examprep.reference.batching import Answers, cell
from examprep.seeding import DIFFICULTIES, rng_for
from examprep.verify.compare import TOLERANCES, compare, compare_column

SELF_TEST_N = 30
EXACT_N = 1000  # instances made with generate(); the rest of N are direct draws


@dataclass
class VerifyResult:
    """The outcome for one problem type."""

    id: str
    n: int
    disagreements: int = 0
    rechecked: int = 0  # float32 disagreements that float64 resolved (near-ties, cancellation)
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
        return {"id": self.id, "n": self.n, "disagreements": self.disagreements, "rechecked_float64": self.rechecked,
                "max_error": self.max_error,
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
    return [pt.generate(start + i, DIFFICULTIES[(start + i) % 3]) for i in range(n)]


def reference_disagreements(pt: ProblemType, params: list[Params], device: Any = None) -> list[str]:
    """Run the reference once on ``params`` (one batch) and compare every instance's every part with ``solve``
    (:func:`compare`, one by one): a line per disagreement or missing part, empty when all agree. For tests of a
    reference on hand-made batches (mixed shapes, edge cases)."""
    import torch

    got = load_reference(pt)(params, device or torch.device("cpu"))
    out = []
    for i, (p, g) in enumerate(zip(params, got, strict=True)):
        want = pt.solve(p)
        if set(g) != set(want):
            out.append(f"instance {i}: the reference answers parts {sorted(g)}, solve {sorted(want)}")
        out += [f"instance {i} part {k}: solve {v!r} vs reference {g[k]!r}" for k, v in want.items()
                if k in g and not compare(v, g[k])[0]]
    return out


def draws(pt: ProblemType, n: int, stream: int) -> list[Params]:
    """N valid parameter sets straight from ``sample`` (no degenerate-draw rejection): the fast bulk of a large
    verification. Every valid parameter set must be solved right, rejected or not."""
    rng = rng_for(pt.id, stream, "medium")
    out: list[Params] = []
    tries = 0
    while len(out) < n:
        tries += 1
        if tries > 20 * n + 100:
            raise RuntimeError(f"{pt.id}: sample() rarely gives valid parameters")
        p = pt._complete(pt.sample(rng, DIFFICULTIES[tries % 3]))
        try:
            pt.validate(p)
        except ParamError:
            continue
        out.append(p)
    return out


def _check_batch(pt: ProblemType, ref: Callable[..., list[dict[str, Any]]], params: list[Params],
                 label: Callable[[int], str], device: Any, res: VerifyResult, dtype: str = "float64",
                 truths: list[dict[str, Any]] | None = None) -> None:
    """Compare solve with the reference on one batch (``truths``: solve's answers when already computed, as by
    a CPU worker of :mod:`examprep.verify.split`). In float32, an instance that disagrees is run again in
    float64: float32 cannot tell near-ties apart (a label) or keep a cancellation (det − k·tr²) within 1e-4, so
    only what float64 confirms counts as a disagreement; the rest is counted in ``rechecked``."""
    if truths is None:
        truths = solve_all(pt, params, label, res)
    bad, examples = _compare_batch(pt, ref, params, truths, label, device, res, dtype)
    if dtype != "float64" and bad.any():
        idx = np.flatnonzero(bad)
        again = VerifyResult(pt.id, len(idx))
        bad64, examples = _compare_batch(pt, ref, [params[i] for i in idx], [truths[i] for i in idx],
                                         lambda j: label(int(idx[j])), device, again, "float64")
        res.rechecked += int(len(idx) - bad64.sum())
        bad = bad64
    res.disagreements += int(bad.sum())
    res.examples += examples[: max(0, 5 - len(res.examples))]


def _compare_batch(pt: ProblemType, ref: Callable[..., Any], params: list[Params], truths: list[dict[str, Any]],
                   label: Callable[[int], str], device: Any, res: VerifyResult, dtype: str
                   ) -> tuple[np.ndarray, list[str]]:
    """(disagrees, per instance; the first few disagreements described); the largest agreeing error goes to
    ``res.max_error``."""
    from examprep.reference import use_dtype

    try:
        with use_dtype(dtype):
            refs = ref(params, device)
    except Exception as e:  # noqa: BLE001 — reported as a failure of every instance of the batch, not a crash
        return np.ones(len(params), dtype=bool), [f"the reference raised {type(e).__name__}: {e} "
                                                  f"(batch starting with {label(0)})"]
    rtol, atol = TOLERANCES[dtype]
    if len(refs) != len(params):
        raise RuntimeError(f"{pt.id}: the reference gave {len(refs)} answers for {len(params)} instances")
    return _check_columns(truths, refs if isinstance(refs, Answers) else Answers.from_rows(refs), label, res, rtol,
                          atol)


def solve_all(pt: ProblemType, params: list[Params], label: Callable[[int], str], res: VerifyResult
              ) -> list[dict[str, Any]]:
    """``solve`` on every parameter set of a batch (``{}`` where it raises; the first few quoted in ``res``)."""
    return [_solve(pt, p, i, label, res) for i, p in enumerate(params)]


def _solve(pt: ProblemType, p: Params, i: int, label: Callable[[int], str], res: VerifyResult) -> dict[str, Any]:
    """solve(p), or {} (a disagreement on every part) when it raises: a valid parameter set that solve cannot
    answer is a bug to report with its parameters, not a crash of the whole run."""
    try:
        return pt.solve(p)
    except Exception as e:  # noqa: BLE001
        if len(res.examples) < 5:
            res.examples.append(f"{label(i)}: solve raised {type(e).__name__}: {e}")
        return {}


def _check_columns(truths: list[dict[str, Any]], refs: Answers, label: Callable[[int], str], res: VerifyResult,
                   rtol: float, atol: float) -> tuple[np.ndarray, list[str]]:
    """Each block's columns against the truths of its rows: (disagrees, per instance; the first few described).
    An instance in no block (no answers) disagrees."""
    examples: list[str] = []
    bad = np.ones(len(truths), dtype=bool)
    for idx, _ in refs.blocks:
        bad[idx] = False
    for idx, cols in refs.blocks:
        for part, col in cols.items():
            ok, err = compare_column([truths[i].get(part) for i in idx], col, rtol, atol)
            res.max_error = max(res.max_error, float(err[ok].max(initial=0.0)))
            for j in np.flatnonzero(~ok):
                i = int(idx[j])
                if not bad[i] and len(examples) < 5:
                    examples.append(f"{label(i)} part {part}: solve {truths[i].get(part)!r} vs reference "
                                    f"{cell(col, j)!r}")
                bad[i] = True
    return bad, examples


class Plan(Sequence[tuple[int, int]]):
    """The batches (start, size) of :func:`plan`, computed on demand: ``verify --n 10**12`` holds no list of 244
    million batches, and ``len``, indexing and slicing are arithmetic."""

    def __init__(self, n: int, batch: int, exact: int) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.n, self.batch, self.exact_n = n, batch, min(max(exact, 0), n)
        self._head = -(-self.exact_n // batch)  # batches of generated instances
        self._len = self._head + -(-(n - self.exact_n) // batch)

    @property
    def total(self) -> int:
        """The instances the plan covers (N)."""
        return self.n

    def __len__(self) -> int:
        return self._len

    def _at(self, i: int) -> tuple[int, int]:
        if i < self._head:
            start = i * self.batch
            return start, min(self.batch, self.exact_n - start)
        start = self.exact_n + (i - self._head) * self.batch
        return start, min(self.batch, self.n - start)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("plan index out of range")
        return self._at(i)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return (self._at(i) for i in range(self._len))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != self._len:
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


def plan(n: int, batch: int = 4096, exact: int = EXACT_N) -> Plan:
    """The batches (start, size) that verify N instances: the first ``exact`` (generated instances) in their own
    batches, then draws. A batch's draws depend on its start only, so any split of the plan checks the same N.
    The plan is lazy (see :class:`Plan`)."""
    return Plan(n, batch, exact)


def batch_params(pt: ProblemType, start: int, k: int, exact: int = EXACT_N) -> tuple[list[Params], list[str] | None]:
    """The parameter sets of the batch (start, k) of :func:`plan`, and their instance codes (None for draws)."""
    if start < exact:
        insts = instances(pt, k, start=start)
        return [i.params for i in insts], [str(i.code) for i in insts]
    return draws(pt, k, stream=10**9 + start), None


def labeller(params: list[Params], codes: list[str] | None) -> Callable[[int], str]:
    """How a disagreement is quoted: by instance code, or by its parameters (JSON) for a direct draw."""
    if codes is not None:
        return codes.__getitem__
    return lambda i: json.dumps(params[i].to_json())


def verify_type(pt: ProblemType, n: int, device: Any, batch: int = 4096, self_test: bool = True,
                progress: Callable[[int], None] | None = None, exact: int = EXACT_N,
                dtype: str = "float64", batches: list[tuple[int, int]] | None = None) -> VerifyResult:
    """Verify one type on N parameter sets: the first ``exact`` are real instances (seeds 0..), the rest are
    direct draws from the type's sampler (see :func:`draws`). ``batches``: a part of :func:`plan` to run alone
    (a parallel worker's share); the self-test runs with the part that starts at 0."""
    ref = load_reference(pt)
    todo = plan(n, batch, exact) if batches is None else batches
    res = VerifyResult(pt.id, todo.total if isinstance(todo, Plan) else sum(k for _, k in todo),
                       device=str(device))
    t0 = time.perf_counter()
    for start, k in todo:
        params, codes = batch_params(pt, start, k, exact)
        _check_batch(pt, ref, params, labeller(params, codes), device, res, dtype)
        if progress:
            progress(k)
    res.seconds = time.perf_counter() - t0
    if self_test and todo and todo[0][0] == 0:
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
