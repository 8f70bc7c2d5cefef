"""Start-up time of `examprep list` and `examprep --help` against a bare `python -c "import typer"`.

Prints the median of 10 runs of each and the ratios. The target: both under 0.3 s.
Usage: python benchmarks/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def median_time(cmd: list[str], runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    base = median_time([sys.executable, "-c", "import typer"])
    print(f"python -c 'import typer'   {base:.3f} s")
    for args in (["list"], ["--help"]):
        t = median_time([sys.executable, "-m", "examprep.cli", *args])
        print(f"examprep {' '.join(args):<18} {t:.3f} s   ratio {t / base:.2f}x   {'ok' if t < 0.3 else 'SLOW'}")


if __name__ == "__main__":
    main()
