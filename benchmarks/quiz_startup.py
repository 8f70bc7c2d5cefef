"""Time from starting `examprep quiz` to the first question on screen (its first answer prompt).

Runs the real command in a pseudo-terminal with a fresh history each time; prints every run and the median of
10, and exits 1 when the median is 0.6 s or more (or torch was imported). Also prints a bare
``python -c "import typer"`` and the quiz's CPU time for comparison (a loaded machine slows the wall clock of
both), and whether sympy was imported.

    PYTHONPATH=. python benchmarks/quiz_startup.py [--runs 10] [--limit 0.6] [--history FILE]

``--history FILE`` starts every run from a copy of that history (e.g. ``tests/data/history_v1.sqlite3``), so the
scheduler replays real attempts (and imports ``fsrs``) before the first question.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
PROMPT = r"\) › "


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(tmp: Path, i: int, history: Path | None = None) -> tuple[float, float | None]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp / f"home{i}"))
    if history is not None:
        (tmp / f"home{i}").mkdir()
        shutil.copy(history, tmp / f"home{i}" / "history.sqlite3")
    t0 = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "examprep.cli", "quiz", "--count", "1"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(50, 160))
    child.expect(PROMPT)
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds(child.pid)
    child.sendline(":q")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed, cpu


def baseline() -> float:
    """A bare ``python -c "import typer"``, to tell a slow machine from a slow quiz."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import typer"], check=True)
    return time.perf_counter() - t0


def imported(tmp: Path) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), EXAMPREP_HOME=str(tmp / "imports"))
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "examprep.cli", "quiz", "--count", "1"],
                         input=":q\n", capture_output=True, text=True, env=env, timeout=60)
    return {line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--limit", type=float, default=0.6)
    ap.add_argument("--history", type=Path, help="start each run from a copy of this history file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        runs = [one_run(tmp, i, args.history) for i in range(args.runs)]
        mods = imported(tmp)
    times = [t for t, _ in runs]
    cpus = [c for _, c in runs if c is not None]
    base = statistics.median(baseline() for _ in range(args.runs))
    med = statistics.median(times)
    print("runs (s): " + " ".join(f"{t:.3f}" for t in times))
    print(f"median time to first question: {med:.3f} s (limit {args.limit} s); "
          f"python -c 'import typer': {base:.3f} s, ratio {med / base:.2f}x")
    if cpus:
        print(f"median CPU time of the quiz process up to the first question: {statistics.median(cpus):.3f} s")
    print(f"torch imported: {'torch' in mods}; sympy imported: {'sympy' in mods}")
    return 0 if med < args.limit and "torch" not in mods else 1


if __name__ == "__main__":
    sys.exit(main())
