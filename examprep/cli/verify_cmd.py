"""``examprep verify``: every answer computed a second way by the torch references, as a table."""

from __future__ import annotations

import os
import sys
import time

import typer

from examprep.cli.app import JSON, app, emit_json, fail


@app.command()
def verify(
    targets: list[str] = typer.Argument(None, help="Ids or topics (default: everything registered)."),
    n: int = typer.Option(200, "--n", "-n", min=1, help="Instances per type."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    batch: int = typer.Option(4096, "--batch", min=1, help="Instances per reference batch."),
    self_test: bool = typer.Option(True, "--self-test/--no-self-test", help="Also run each type's self-test."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Parallel worker processes on the CPU (0: one per core)."),
    dtype: str = typer.Option("float64", "--dtype", help="Reference precision: float64, or float32 (tolerance 1e-4)."),
    as_json: bool = JSON,
) -> None:
    """Check solve() against the torch reference on N instances per type, plus each type's self-test.

    Exit code 1 if any answer disagrees or a self-test fails.

    Example: examprep verify cnn --n 2000 --device cpu
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from examprep.verify import resolve_device, select, verify_many, workers

    if dtype not in ("float64", "float32"):
        fail(f"--dtype {dtype!r}: use float64 or float32")
    types = select(targets or [])
    dev, note = resolve_device(device)
    err = Console(stderr=True)
    if note:
        err.print(note)
    started = time.perf_counter()
    n_workers = workers(jobs or os.cpu_count() or 1, n, batch, len(types), dev)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as prog:
        task = prog.add_task(f"verifying {len(types)} types", total=n * len(types))
        results = verify_many(types, n, dev, batch=batch, self_test=self_test, jobs=n_workers, dtype=dtype,
                              progress=lambda k: prog.advance(task, k))
    bad = any(not r.ok for r in results)
    if as_json:
        emit_json({"device": str(dev), "dtype": dtype, "results": [r.to_json() for r in results], "ok": not bad})
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
        typer.echo(f"{sum(r.n for r in results):,} instances in {time.perf_counter() - started:.1f} s "
                   f"({n_workers} worker{'s' if n_workers > 1 else ''}); worker s = time in the workers, per type")
        if low:
            typer.echo(f"float64 ok: {dtype} disagreements that the float64 reference resolved (near-ties, "
                       "cancellation); only the rest count as disagreements")
        for r in results:
            for line in (r.examples + r.self_test_failures)[:10]:
                typer.echo(f"  {line}")
    raise typer.Exit(1 if bad else 0)

