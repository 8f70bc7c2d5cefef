"""Verifying on a GPU: the truths in CPU worker processes, the references on the device in this process.

On a GPU a batched reference answers 10^5–10^6 instances per second, while drawing parameter sets and running
``solve`` (plain Python, one instance at a time) manage about 10^4 per core: in one process nearly all the time
is spent on the CPU side. So the work is split, batch by batch of :func:`~examprep.verify.run.plan`:

* ``jobs`` **CPU worker processes** (spawned) take batches from a shared queue. For each one a worker makes the
  parameter sets (generated instances or direct draws, exactly as :func:`~examprep.verify.run.verify_type` does)
  and sends them to this process, runs ``solve`` on them, and, once the reference's answers come back, compares
  them (the same rule as ever) and sends back the batch's result. A worker sends the next batch's parameter sets
  before it waits for the answers of the previous one, so it is never idle while the device works. It runs the
  type's self-test with the batch that starts at 0. Workers import torch only for the references that need no
  device (:func:`device_free`: the shape-only types, which build their modules on the meta device): those gain
  nothing from a GPU, so the workers run them themselves.
* **This process** only runs the other references: each batch of parameter sets that arrives goes through the
  type's reference on the device, and the answers (moved to the host as numpy columns) go back to the worker that
  sent it. In float32 a worker asks again in float64 for the instances that disagree, as
  :func:`~examprep.verify.run._check_batch` does.

Parameter sets travel once (worker → here), answers once (here → worker); truths and comparisons stay in the
workers, so this process has the least possible work and the device keeps up with the workers. The batches are
those of :func:`plan`, so the numbers found are the ones a single process finds (the quoted examples may come in
another order). :class:`SplitStats` gives this process's busy time against the wall time: well under 100 % means
the device side waits for the CPU workers, never the other way round.

:func:`verify_split` runs on any device; the tests run the whole layout on the CPU.
"""

from __future__ import annotations

import queue
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from examprep.params import Params
from examprep.problem import ProblemType
from examprep.reference.batching import Answers, Ragged
from examprep.verify.compare import TOLERANCES
from examprep.verify.run import (
    EXACT_N,
    SELF_TEST_N,
    VerifyResult,
    _check_columns,
    batch_params,
    draws,
    labeller,
    load_reference,
    plan,
    solve_all,
)

POLL = 1.0  # seconds between checks that every worker is still alive

WINDOW = 4  # batches queued per worker: enough to keep them busy, never the whole plan


@dataclass
class SplitStats:
    """How the run went: CPU workers, and this (device) process's busy time against the wall time."""

    workers: int
    batches: int = 0
    busy: float = 0.0  # seconds spent running references
    wall: float = 0.0
    cpu: float = 0.0  # CPU seconds of the workers (start-up, parameter sets, solve, comparisons, self-tests)
    worker_imported_torch: bool = False

    @property
    def busy_share(self) -> float:
        return self.busy / self.wall if self.wall > 0 else 0.0

    @property
    def cpu_bound(self) -> float:
        """The wall time the CPU side alone needs, its work spread evenly over the workers: the target."""
        return self.cpu / self.workers


def verify_split(types: list[ProblemType], n: int, device: Any, *, jobs: int, batch: int = 4096,
                 self_test: bool = True, progress: Callable[[int], None] | None = None, dtype: str = "float64",
                 exact: int = EXACT_N, references: dict[str, Callable[..., Any]] | None = None,
                 refs: str = "main") -> tuple[list[VerifyResult], SplitStats]:
    """Verify ``types`` with ``jobs`` CPU worker processes and the references on ``device`` in this process (see
    the module docstring). A result's ``seconds`` is its time in the workers plus its reference time here.
    ``references`` replaces a type's reference by id (for tests).

    ``refs="workers"``: every worker runs the references itself, on ``device`` (each worker its own CUDA context).
    A reference packs its batch into tensors in Python, one instance at a time, and that host-side work dominated
    on a GPU (N = 100,000 over 64 types on an H200: 189 s of references in the one main process against 88 s of
    truths spread over 15 workers); in the workers it is spread over every core too."""
    import multiprocessing as mp

    import torch

    if refs not in ("main", "workers"):
        raise ValueError(f"refs={refs!r}: use main or workers")
    refs_mode = refs
    ctx = mp.get_context("spawn")
    by_id = {pt.id: pt for pt in types}
    results = {pt.id: VerifyResult(pt.id, 0, device=str(device)) for pt in types}
    stats = SplitStats(workers=max(1, jobs))
    tasks: Any = ctx.Queue()
    to_main: Any = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(stats.workers)]
    procs = [ctx.Process(target=_worker, args=(w, tasks, to_main, inboxes[w], dtype), daemon=True)
             for w in range(stats.workers)]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the cores belong to the workers; the device does this process's heavy work
    t0 = time.perf_counter()
    try:
        for p in procs:  # they start up (imports) while the references are loaded and probed here
            p.start()
        refs = {pt.id: load_reference(pt) for pt in types} | (references or {})
        placed = {}
        for pt in types:
            free = pt.id not in (references or {}) and device_free(pt, refs[pt.id])
            here = free or (refs_mode == "workers" and pt.id not in (references or {}))
            placed[pt.id] = (here, "cpu" if free else str(device))
        todo = ((pt.id, start, k, exact, min(n, SELF_TEST_N) if self_test and start == 0 else 0, *placed[pt.id])
                for pt in types for start, k in plan(n, batch, exact))  # lazy: fed as batches finish
        fed_all: list[bool] = []

        def feed(count: int) -> None:
            for _ in range(count):
                task = next(todo, None)
                if task is None:
                    if not fed_all:
                        fed_all.append(True)
                        for _ in range(stats.workers):
                            tasks.put(None)
                    return
                tasks.put(task)

        feed(WINDOW * stats.workers)
        alive = stats.workers
        while alive:
            try:
                msg = to_main.get(timeout=POLL)
            except queue.Empty:
                _check_alive(procs)
                continue
            kind, w = msg[0], msg[1]
            if kind == "params":
                _, _, key, params, want = msg
                t1 = time.perf_counter()
                inboxes[w].put(("answers", key, want, _reference(refs[key[0]], params, device, want)))
                dt = time.perf_counter() - t1
                stats.busy += dt
                results[key[0]].seconds += dt
            elif kind == "result":
                r: VerifyResult = msg[2]
                _fold(results[r.id], r)
                stats.batches += 1
                feed(1)
                if progress:
                    progress(r.n)
            elif kind == "error":
                raise RuntimeError(f"a verify worker failed:\n{msg[2]}")
            else:  # "bye"
                stats.worker_imported_torch |= bool(msg[2])
                stats.cpu += msg[3]
                alive -= 1
        for p in procs:
            p.join()
    finally:
        torch.set_num_threads(threads)
        for p in procs:
            if p.is_alive():
                p.terminate()
    stats.wall = time.perf_counter() - t0
    return [results[pid] for pid in by_id], stats


def device_free(pt: ProblemType, ref: Callable[..., Any]) -> bool:
    """Whether the reference answers without a device: run on a few draws with the meta device (which holds no
    data), it still gives real numbers. Those references (shape-only types build their modules on the meta device
    whatever device they are given) gain nothing from a GPU, so the CPU workers run them."""
    import torch

    try:
        got = _reference(ref, draws(pt, 4, stream=1), torch.device("meta"), "float64")
    except Exception:  # noqa: BLE001 — a data reference fails somewhere on meta tensors: it needs the device
        return False
    return isinstance(got, Answers)


def _check_alive(procs: list[Any]) -> None:
    for p in procs:
        if p.exitcode not in (None, 0):
            raise RuntimeError(f"a verify worker died (exit code {p.exitcode})")


def _fold(out: VerifyResult, r: VerifyResult) -> None:
    out.n += r.n
    out.disagreements += r.disagreements
    out.rechecked += r.rechecked
    out.max_error = max(out.max_error, r.max_error)
    out.seconds += r.seconds
    out.self_test_failures += r.self_test_failures
    out.examples += r.examples[: max(0, 5 - len(out.examples))]


def _reference(ref: Callable[..., Any], params: list[Params], device: Any, dtype: str) -> Answers | str:
    """The reference's answers on the host (numpy columns), or the error it raised as text."""
    from examprep.reference import use_dtype

    try:
        with use_dtype(dtype):
            got = ref(params, device)
    except Exception as e:  # noqa: BLE001 — reported as a failure of every instance of the batch, not a crash
        return f"the reference raised {type(e).__name__}: {e}"
    if len(got) != len(params):
        return f"the reference gave {len(got)} answers for {len(params)} instances"
    return _portable(got if isinstance(got, Answers) else Answers.from_rows(got))


def _portable(a: Answers) -> Answers:
    """The answers with every tensor moved to a numpy array on the host (the workers do not import torch)."""

    def host(v: Any) -> Any:
        if hasattr(v, "detach"):
            v = v.detach().cpu().numpy()
            return v.item() if v.ndim == 0 else v
        return v

    for b, (idx, cols) in enumerate(a.blocks):
        out = {}
        for part, col in cols.items():
            if isinstance(col, Ragged):
                out[part] = Ragged(np.asarray(host(col.data)), np.asarray(host(col.sizes)))
            elif isinstance(col, list):
                out[part] = [host(v) for v in col]
            else:
                out[part] = host(col)
        a.blocks[b] = (idx, out)
    return a


# ---- the CPU workers --------------------------------------------------------------------------------------------
def _worker(w: int, tasks: Any, to_main: Any, inbox: Any, dtype: str) -> None:
    """A CPU worker: batches from ``tasks`` until None; see the module docstring."""
    try:
        stash: dict[tuple[Any, str], Any] = {}
        pending = None
        while (task := tasks.get()) is not None:
            current = _start(w, task, to_main, dtype)
            if pending is not None:
                to_main.put(("result", w, _finish(w, pending, to_main, inbox, stash, dtype)))
            pending = current
        if pending is not None:
            to_main.put(("result", w, _finish(w, pending, to_main, inbox, stash, dtype)))
        to_main.put(("bye", w, "torch" in sys.modules, time.process_time()))
    except BaseException:  # noqa: BLE001 — the main process reports it and stops the run
        to_main.put(("error", w, traceback.format_exc()))


_TYPES: dict[str, ProblemType] = {}


def _start(w: int, task: tuple[str, int, int, int, int, bool, str], to_main: Any, dtype: str
           ) -> tuple[Any, ...]:
    """Make a batch's parameter sets, send them for the reference (unless this worker runs it, on device
    ``where``: ``local``), and solve them meanwhile."""
    pid, start, k, exact, self_test_n, local, where = task
    if pid not in _TYPES:
        from examprep.registry import make

        _TYPES[pid] = make(pid)
    pt = _TYPES[pid]
    t0 = time.perf_counter()
    params, codes = batch_params(pt, start, k, exact)
    if not local:
        to_main.put(("params", w, (pid, start), params, dtype))
    res = VerifyResult(pid, k)
    label = labeller(params, codes)
    truths = solve_all(pt, params, label, res)
    res.seconds = time.perf_counter() - t0
    if self_test_n:
        from examprep.checker import self_test
        from examprep.verify.run import instances

        res.self_test_failures = self_test(pt, instances(pt, self_test_n))
    return (pid, start), params, truths, label, res, (where if local else None)


def _answers(inbox: Any, stash: dict[tuple[Any, str], Any], key: Any, want: str) -> Answers | str:
    """The answers to the request (key, dtype): they arrive in the order asked, but a float64 recheck of one batch
    may be answered after the next batch."""
    while (key, want) not in stash:
        _, k, d, got = inbox.get()
        stash[(k, d)] = got
    return stash.pop((key, want))


def _local(pid: str, params: list[Params], dtype: str, where: str) -> Answers | str:
    """A reference run in this worker: on the CPU for one that needs no device (:func:`device_free`), on the
    run's device when the workers run every reference (``refs="workers"``)."""
    import torch

    torch.set_num_threads(1)
    return _reference(load_reference(_TYPES[pid]), params, torch.device(where), dtype)


def _finish(w: int, pending: tuple[Any, ...], to_main: Any, inbox: Any, stash: dict[tuple[Any, str], Any],
            dtype: str) -> VerifyResult:
    """Compare a batch's truths with the reference's answers (float32: disagreements asked again in float64)."""
    key, params, truths, label, res, local = pending
    t0 = time.perf_counter()

    def ask(subset: list[Params], want: str, first: bool) -> Answers | str:
        if local:
            return _local(key[0], subset, want, local)
        if not first:
            to_main.put(("params", w, key, subset, want))
        return _answers(inbox, stash, key, want)

    bad, examples = _compare(ask(params, dtype, True), truths, label, res, dtype)
    if dtype != "float64" and bad.any():
        idx = np.flatnonzero(bad)
        again = VerifyResult(res.id, len(idx))
        bad64, examples = _compare(ask([params[i] for i in idx], "float64", False), [truths[i] for i in idx],
                                   lambda j: label(int(idx[j])), again, "float64")
        res.rechecked += int(len(idx) - bad64.sum())
        bad = bad64
    res.disagreements += int(bad.sum())
    res.examples += examples[: max(0, 5 - len(res.examples))]
    res.seconds += time.perf_counter() - t0
    return res


def _compare(got: Answers | str, truths: list[dict[str, Any]], label: Callable[[int], str], res: VerifyResult,
             dtype: str) -> tuple[np.ndarray, list[str]]:
    if isinstance(got, str):
        return np.ones(len(truths), dtype=bool), [f"{got} (batch starting with {label(0)})"]
    rtol, atol = TOLERANCES[dtype]
    return _check_columns(truths, got, label, res, rtol, atol)
