"""``examprep verify``: every answer computed a second way by the torch references, as a table."""

from __future__ import annotations

import os
import sys
import time

import typer

from examprep.cli.app import JSON, app, emit_json, fail


@app.command()
def verify(
    targets: list[str] = typer.Argument(None, help="Ids or topics (default: everything registered).",
                                       show_default=False),
    n: int = typer.Option(200, "--n", "-n", min=1, help="Instances per type."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    batch: int = typer.Option(4096, "--batch", min=1, help="Instances per reference batch."),
    self_test: bool = typer.Option(True, "--self-test/--no-self-test", help="Also run each type's self-test."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Worker processes on the CPU (0: one per core; on a GPU they compute the truths "
                             "and default to one per core less one)."),
    dtype: str = typer.Option("float64", "--dtype", help="Reference precision: float64, or float32 (tolerance 1e-4)."),
    split: bool = typer.Option(False, "--split", hidden=True,
                               help="Run the GPU layout on any device: truths in CPU workers, references here."),
    gpu_refs: str = typer.Option("workers", "--gpu-refs", hidden=True,
                                 help="With the GPU layout: references in the workers (each on the device) or "
                                 "in the main process."),
    as_json: bool = JSON,
) -> None:
    """Check solve() against the torch reference on N instances per type, plus each type's self-test.

    On a GPU (--device cuda, or auto with a GPU) CPU worker processes compute the truths and run the references
    on the GPU, batch by batch (--jobs of them, default one per core less one).

    Exit code 1 if any answer disagrees or a self-test fails.

    Example: examprep verify cnn --n 2000 --device cpu
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from examprep.verify import resolve_device, select, verify_many, workers
    from examprep.verify.split import verify_split

    if dtype not in ("float64", "float32"):
        fail(f"--dtype {dtype!r}: use float64 or float32")
    if gpu_refs not in ("workers", "main"):
        fail(f"--gpu-refs {gpu_refs!r}: use workers or main")
    types = select(targets or [])
    dev, note = resolve_device(device)
    err = Console(stderr=True)
    if note:
        err.print(note)
    started = time.perf_counter()
    split = split or str(dev) != "cpu"
    cores = os.cpu_count() or 1
    if jobs > cores:
        err.print(f"--jobs {jobs}: this machine has {cores} cores; using {cores} worker processes")
        jobs = cores
    n_workers = workers(jobs or (max(1, cores - 1) if split else cores), n, batch, len(types), dev, split)
    stats = None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as prog:
        task = prog.add_task(f"verifying {len(types)} types", total=n * len(types))
        if split:
            results, stats = verify_split(types, n, dev, jobs=n_workers, batch=batch, self_test=self_test,
                                          dtype=dtype, progress=lambda k: prog.advance(task, k), refs=gpu_refs)
        else:
            results = verify_many(types, n, dev, batch=batch, self_test=self_test, jobs=n_workers, dtype=dtype,
                                  progress=lambda k: prog.advance(task, k))
    bad = any(not r.ok for r in results)
    plural = "s" if n_workers > 1 else ""
    if as_json:
        emit_json({"device": str(dev), "dtype": dtype, "results": [r.to_json() for r in results], "ok": not bad,
                   "workers": n_workers, "split": stats is not None, "seconds": round(time.perf_counter() - started, 3),
                   **({"reference_busy_seconds": round(stats.busy, 3), "cpu_bound_seconds": round(stats.cpu_bound, 3)}
                      if stats else {})})
    else:
        table = Table(title=f"examprep verify · device {dev} · {dtype}")
        low = dtype != "float64"  # float32: disagreements are rechecked in float64 (see verify._check_batch)
        cols = ("type", "n", "max error", "disagree", *(("float64 ok",) if low else ()), "self-test", "worker s",
                "inst/s")
        for col in cols:
            table.add_column(col, justify="left" if col == "type" else "right", no_wrap=True)
        for r in results:
            st = "ok" if not r.self_test_failures else f"{len(r.self_test_failures)} failed"
            table.add_row(r.id, str(r.n), f"{r.max_error:.1e}", str(r.disagreements),
                          *((str(r.rechecked),) if low else ()), st, f"{r.seconds:.2f}s", f"{r.per_second:,.0f}")
        out = Console() if sys.stdout.isatty() else Console(width=120)
        out.print(table)
        total = f"{sum(r.n for r in results):,} instances in {time.perf_counter() - started:.1f} s"
        if stats is None:
            typer.echo(f"{total} ({n_workers} worker{plural}); worker s = time in the workers, per type")
        else:
            typer.echo(f"{total}; worker s = time in the CPU workers and the reference, per type")
            where = (f"in the main process, busy {stats.busy_share:.0%} of the time" if gpu_refs == "main"
                     else "in the workers too")
            typer.echo(f"truths in {n_workers} CPU worker{plural} (their work alone, spread evenly: "
                       f"{stats.cpu_bound:.1f} s); references on {dev} {where}")
        if low:
            typer.echo(f"float64 ok: {dtype} disagreements that the float64 reference resolved (near-ties, "
                       "cancellation); only the rest count as disagreements")
        for r in results:
            for line in (r.examples + r.self_test_failures)[:10]:
                typer.echo(f"  {line}")
    raise typer.Exit(1 if bad else 0)

