"""Verifying many types in parallel worker processes, each task a few batches of one type."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from examprep.problem import ProblemType
from examprep.verify.run import VerifyResult, plan, resolve_device, verify_type

CHUNK_BATCHES = 6  # batches per parallel task: small enough to keep every worker busy to the end
WINDOW = 4  # tasks in flight per worker


def _worker(args: tuple[str, int, str, int, bool, str, list[tuple[int, int]]]) -> VerifyResult:
    pid, n, device_name, batch, self_test, dtype, batches = args
    import torch

    from examprep.registry import make

    torch.set_num_threads(1)
    dev, _ = resolve_device(device_name)
    return verify_type(make(pid), n, dev, batch=batch, self_test=self_test, dtype=dtype, batches=batches)


def merge(parts: list[VerifyResult]) -> VerifyResult:
    """One type's result from the results of its parts (seconds add up: worker time)."""
    out = VerifyResult(parts[0].id, sum(r.n for r in parts), device=parts[0].device)
    for r in parts:
        out.disagreements += r.disagreements
        out.rechecked += r.rechecked
        out.max_error = max(out.max_error, r.max_error)
        out.seconds += r.seconds
        out.self_test_failures += r.self_test_failures
        out.examples += r.examples[: max(0, 5 - len(out.examples))]
    return out


def workers(jobs: int, n: int, batch: int, n_types: int, device: Any, split: bool = False) -> int:
    """How many worker processes verify uses: at most one per task. ``split`` (a GPU, see
    :mod:`examprep.verify.split`): CPU workers computing truths, a task per batch; otherwise a task is
    ``CHUNK_BATCHES`` batches, and a device other than the CPU gets one process."""
    if split:
        return max(1, min(jobs, len(plan(n, batch)) * n_types))
    if str(device) != "cpu":
        return 1
    tasks = -(-len(plan(n, batch)) // CHUNK_BATCHES) * n_types
    return max(1, min(jobs, tasks))


def verify_many(types: list[ProblemType], n: int, device: Any, *, batch: int = 4096, self_test: bool = True,
                jobs: int = 1, progress: Callable[[int], None] | None = None,
                dtype: str = "float64") -> list[VerifyResult]:
    """Verify several types; with ``jobs`` > 1 (CPU only) the work runs in parallel worker processes, split into
    tasks of a few batches each (the same instances as one process would check: see :func:`plan`)."""
    todo = plan(n, batch)
    jobs = workers(jobs, n, batch, len(types), device)
    if jobs <= 1:
        return [verify_type(pt, n, device, batch=batch, self_test=self_test, progress=progress, dtype=dtype)
                for pt in types]
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    tasks = ((pt.id, n, "cpu", batch, self_test, dtype, todo[i : i + CHUNK_BATCHES])
             for i in range(0, len(todo), CHUNK_BATCHES) for pt in types)  # lazy: a huge N is never listed
    results: dict[str, list[VerifyResult]] = {pt.id: [] for pt in types}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
        running: dict[Any, str] = {}
        while True:
            for task in itertools.islice(tasks, WINDOW * jobs - len(running)):  # a bounded number in flight
                running[pool.submit(_worker, task)] = task[0]
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                r = fut.result()
                results[running.pop(fut)].append(r)
                if progress:
                    progress(r.n)
    return [merge(results[pt.id]) for pt in types]
