"""Batched reference vs a per-instance loop of the same reference, per problem type.

For each registered type: draw N parameter sets, time ``reference(batch)`` once over all of them and
``reference([p])`` for each one, on the same device, and print instances/s of both and their ratio.
Usage: python benchmarks/verify.py [--n 2000] [--device cpu|cuda] [ids or topics ...]
"""

from __future__ import annotations

import argparse
import time

from examprep.verify import draws, load_reference, resolve_device, select


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--loop-n", type=int, default=200, help="instances timed in the per-instance loop")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    dev, note = resolve_device(args.device)
    if note:
        print(note)
    print(f"device {dev}; batched over {args.n}, loop over {args.loop_n} instances")
    print(f"{'type':<42} {'batched inst/s':>15} {'loop inst/s':>12} {'ratio':>8}")
    for pt in select(args.targets):
        ref = load_reference(pt)
        params = draws(pt, args.n, stream=7)
        ref(params[:8], dev)  # warm-up (imports, kernels, caches are cleared below where they exist)
        _clear_caches(ref)
        t0 = time.perf_counter()
        ref(params, dev)
        _sync(dev)
        batched = args.n / (time.perf_counter() - t0)
        _clear_caches(ref)
        t0 = time.perf_counter()
        for p in params[: args.loop_n]:
            ref([p], dev)
        _sync(dev)
        loop = args.loop_n / (time.perf_counter() - t0)
        print(f"{pt.id:<42} {batched:>15,.0f} {loop:>12,.0f} {batched / loop:>7.1f}x")


def _sync(dev: object) -> None:
    import torch

    if str(dev).startswith("cuda"):
        torch.cuda.synchronize()


def _clear_caches(ref: object) -> None:
    """Shape references memoise per layer configuration; clear so both timings start cold."""
    import sys

    mod = sys.modules[ref.__module__]  # type: ignore[attr-defined]
    for obj in vars(mod).values():
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()


if __name__ == "__main__":
    main()
