"""Batch grading time and memory: `examprep grade` on 1,000,000 rows from 100,000 students, on one core.

The class: every student answers QUESTIONS questions drawn from a pool of instance codes (problem types taken in
turn from the registry, POOL variants in all, as a large course with several exam versions would have), every part
at least once. The file is the class's attempts log: rows cycle over the answer slots with a mix of right answers
(60%), named mistakes (20%), other wrong numbers (12%) and unreadable text (8%), so some slots have several
attempts. The whole command runs in a child process, so the figures include start-up, reading, grading, the
external sort and writing the CSV report: CPU seconds (user + system) and peak resident memory (ru_maxrss).

Targets (issue 24): 1,000,000 rows from 100,000 students in under 60 s of one core and under 300 MB peak memory,
and memory flat in the number of students (the same run at a tenth of the class is printed for comparison).
Re-grading gives a byte-identical report (checked on the smaller run).
Usage: nice -n 10 python benchmarks/grade.py [--students 100000] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from examprep.registry import list_specs, make  # noqa: E402
from examprep.solver.render import value_text  # noqa: E402

QUESTIONS, POOL = 2, 600
JUNK = ["", "abc", "[1, 2", "1/0", "__import__('os')", "12 cm"]


def code_pool() -> list[list[tuple[str, str, list[str], list[str]]]]:
    """For each pool variant: (code, part, right answers, wrong answers) of every part it asks."""
    specs = list_specs()
    pool = []
    for v in range(POOL):
        pt = make(specs[v % len(specs)].id)
        inst = pt.generate(v, ("easy", "medium", "hard")[v % 3])
        truth, mistakes = pt.solve(inst.params), pt.mistakes(inst.params)
        parts = []
        for part in pt.active_parts(inst.params):
            wrong = [value_text(m.answers[part.name]) for m in mistakes.values() if part.name in m.answers]
            parts.append((inst.code, part.name, [value_text(truth[part.name])], wrong))
        pool.append(parts)
    return pool


def write_file(path: Path, students: int, rows: int, pool: list[list[tuple[str, str, list[str], list[str]]]]) -> None:
    rng = np.random.default_rng(0)
    us, picks = rng.random(rows), rng.integers(0, 1 << 30, rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "code", "part", "answer", "submitted"])
        i = 0
        while i < rows:  # one pass over every student's slots, then again (later attempts) until the file is full
            for s in range(students):
                for q in range(QUESTIONS):
                    for code, part, right, wrong in pool[(s * 7 + q * 13) % len(pool)]:
                        if i == rows:
                            return
                        u, k = us[i], int(picks[i])
                        if u < 0.6 or (u < 0.8 and not wrong):
                            a = right[0]
                        elif u < 0.8:
                            a = wrong[k % len(wrong)]
                        elif u < 0.92:
                            a = str(k % 999 + 1)
                        else:
                            a = JUNK[k % len(JUNK)]
                        w.writerow([f"student{s:06d}", code, part, a, f"row {i}"])
                        i += 1


def run(path: Path, out: Path) -> tuple[float, float, float, int]:
    """(CPU seconds, wall seconds, peak MB, exit code) of `examprep grade path -o out` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "examprep.cli", "grade", str(path), "-o", str(out)],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 3):
        raise SystemExit(r.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024, r.returncode  # ru_maxrss: the largest child so far, in KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    pool = code_pool()
    print(f"pool: {len(pool)} instance codes over {len(list_specs())} problem types; {QUESTIONS} questions each")
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small.csv"), Path(tmp, "big.csv")
        write_file(small, args.students // 10, args.rows // 10, pool)
        cpu, wall, peak, _ = run(small, Path(tmp, "small-1.csv"))  # runs smaller first: ru_maxrss only grows
        run(small, Path(tmp, "small-2.csv"))
        same = filecmp.cmp(Path(tmp, "small-1.csv"), Path(tmp, "small-2.csv"), shallow=False)
        print(f"{args.rows // 10:,} rows from {args.students // 10:,} students: {cpu:.1f} s CPU ({wall:.1f} s wall), "
              f"peak {peak:.0f} MB; re-graded report byte-identical: {'yes' if same else 'NO'}")
        del small
        write_file(big, args.students, args.rows, pool)
        cpu, wall, peak, code = run(big, Path(tmp, "big-report.csv"))
        size = big.stat().st_size / 2**20
        ok = "ok" if cpu < 60 and peak < 300 else "OVER TARGET"
        print(f"{args.rows:,} rows ({size:.0f} MiB) from {args.students:,} students: {cpu:.1f} s CPU "
              f"({wall:.1f} s wall; the machine may be shared), peak {peak:.0f} MB resident; exit {code}  {ok} "
              "(targets: < 60 s of one core, < 300 MB)")
        print(f"report: {Path(tmp, 'big-report.csv').stat().st_size / 2**20:.0f} MiB CSV")


if __name__ == "__main__":
    main()
