"""Batched reference vs a per-instance loop of the same reference, per problem type.

For each registered type: draw N parameter sets, time ``reference(all N)`` and ``reference([p])`` for each of the
first --loop-n, on the same device, and print instances/s of both and their ratio. Each timing is the best of
--repeat runs (the least disturbed by other work on the machine). The last columns count the torch operations
(aten calls) per instance in each mode: batching shows as a count per instance far below the loop's.
Usage: python benchmarks/verify.py [--n 4096] [--device cpu|cuda] [--threads 1] [ids or topics ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from examprep.verify import draws, load_reference, resolve_device, select


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*")
    ap.add_argument("--n", type=int, default=4096, help="instances in the batch (verify's default batch)")
    ap.add_argument("--loop-n", type=int, default=200, help="instances timed in the per-instance loop")
    ap.add_argument("--repeat", type=int, default=3, help="timings per mode; the best is kept")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads (1: what each verify worker uses; verify runs one worker per core)")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    dev, note = resolve_device(args.device)
    if note:
        print(note)
    print(f"device {dev}; {args.threads} CPU thread(s); batched over {args.n}, loop over {args.loop_n} instances; "
          f"best of {args.repeat}")
    print(f"{'type':<40} {'batched inst/s':>15} {'loop inst/s':>12} {'ratio':>8} {'ops/inst batched':>17} "
          f"{'loop':>6}")
    ratios = []
    for pt in select(args.targets):
        ratio = _bench(pt, dev, args)
        ratios.append(ratio)
    if ratios:
        print(f"ratio: min {min(ratios):.1f}x, median {sorted(ratios)[len(ratios) // 2]:.1f}x")


def _bench(pt: Any, dev: Any, args: argparse.Namespace) -> float:
    ref = load_reference(pt)
    params = draws(pt, args.n, stream=7)
    loop_params = params[: args.loop_n]
    ref(params[:8], dev)  # warm-up (imports, kernels); caches are cleared before every timing

    def batched() -> None:
        ref(params, dev)

    def loop() -> None:
        for p in loop_params:
            ref([p], dev)

    b = args.n / _best(batched, ref, dev, args.repeat)
    lp = len(loop_params) / _best(loop, ref, dev, args.repeat)
    ops_b, ops_l = _ops(batched, ref) / args.n, _ops(loop, ref) / len(loop_params)
    print(f"{pt.id:<40} {b:>15,.0f} {lp:>12,.0f} {b / lp:>7.1f}x {ops_b:>17.2f} {ops_l:>6.0f}", flush=True)
    return b / lp


def _best(fn: Callable[[], None], ref: Any, dev: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        _clear_caches(ref)
        t0 = time.perf_counter()
        fn()
        _sync(dev)
        best = min(best, time.perf_counter() - t0)
    return best


def _ops(fn: Callable[[], None], ref: Any) -> int:
    """aten operations dispatched while ``fn`` runs (caches cleared first)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        n = 0

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            Count.n += 1
            return func(*args, **(kwargs or {}))

    _clear_caches(ref)
    with Count():
        fn()
    return Count.n


def _sync(dev: object) -> None:
    import torch

    if str(dev).startswith("cuda"):
        torch.cuda.synchronize()


def _clear_caches(ref: object) -> None:
    """Shape references memoise per layer configuration; clear so every timing starts cold."""
    import sys

    mod = sys.modules[ref.__module__]  # type: ignore[attr-defined]
    for obj in vars(mod).values():
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()


if __name__ == "__main__":
    main()
