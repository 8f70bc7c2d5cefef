"""Batch grading speed and memory: `examprep grade` on 100,000 submission rows, on one core.

The class: 500 students, 4 questions each (one instance code per student and question, problem types taken in turn
from the registry), every part answered. The file is the class's attempts log: rows cycle over the class's answers
with a mix of right answers (60%), named mistakes (20%), other wrong numbers (12%) and unreadable text (8%), so a
longer file means more attempts by the same class. Memory must then stay flat: the file is streamed, and only the
kept answer per (student, code, part) is held (policy last).

Prints rows/s for 100,000 rows (target: under 10 s) and the peak traced memory for 10,000 vs 100,000 rows.
Usage: python benchmarks/grade.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from examprep.grader.batch import grade_file  # noqa: E402
from examprep.grader.report import render  # noqa: E402
from examprep.registry import list_specs, make  # noqa: E402
from examprep.solver.render import value_text  # noqa: E402

STUDENTS, QUESTIONS = 500, 4
JUNK = ["", "abc", "[1, 2", "1/0", "__import__('os')", "12 cm"]


def answer_pool() -> list[tuple[str, str, str, list[str], list[str]]]:
    """(student, code, part, good answers, bad answers) for every answer slot of the class."""
    specs = list_specs()
    slots = []
    for s in range(STUDENTS):
        for q in range(QUESTIONS):
            pt = make(specs[(s + q) % len(specs)].id)
            inst = pt.generate(s * QUESTIONS + q, ("easy", "medium", "hard")[q % 3])
            truth, mistakes = pt.solve(inst.params), pt.mistakes(inst.params)
            for part in pt.active_parts(inst.params):
                right = value_text(truth[part.name])
                wrong = [value_text(m.answers[part.name]) for m in mistakes.values() if part.name in m.answers]
                slots.append((f"student{s:04d}", inst.code, part.name, [right], wrong))
    return slots


def write_file(path: Path, rows: int, slots: list[tuple[str, str, str, list[str], list[str]]]) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "code", "part", "answer", "submitted"])
        for i in range(rows):
            student, code, part, right, wrong = slots[i % len(slots)]
            u = rng.random()
            if u < 0.6 or (u < 0.8 and not wrong):
                a = right[0]
            elif u < 0.8:
                a = wrong[int(rng.integers(len(wrong)))]
            elif u < 0.92:
                a = f"{rng.integers(1, 999)}"
            else:
                a = JUNK[int(rng.integers(len(JUNK)))]
            w.writerow([student, code, part, a, f"attempt {i // len(slots) + 1}"])


def peak_mib(path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    grade_file(path).report()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    slots = answer_pool()
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small.csv"), Path(tmp, "big.csv")
        write_file(small, args.rows // 10, slots)
        write_file(big, args.rows, slots)
        grade_file(small)  # warm up imports
        t0, c0 = time.perf_counter(), time.process_time()
        book = grade_file(big)
        report = book.report()
        t1, c1 = time.perf_counter(), time.process_time()
        text = render(report, "csv")
        t2 = time.perf_counter()
        rows = book.counts["read"]
        print(f"class: {STUDENTS} students × {QUESTIONS} questions, {len(slots)} answer slots, "
              f"{len({s[1] for s in slots})} instance codes, types: {', '.join(s.id for s in list_specs())}")
        cpu = c1 - c0
        print(f"graded {rows:,} rows ({big.stat().st_size / 2**20:.1f} MiB) in {cpu:.2f} s CPU "
              f"({t1 - t0:.2f} s wall): {rows / cpu:,.0f} rows/s  {'ok' if cpu < 10 else 'SLOW'} "
              "(target < 10 s on one core)")
        print(f"CSV report ({len(text) / 2**20:.1f} MiB) rendered in {t2 - t1:.2f} s; "
              f"{len(book.issues):,} rows reported, {book.counts['superseded']:,} superseded")
        m_small, m_big = peak_mib(small), peak_mib(big)
        print(f"peak traced memory: {m_small:.1f} MiB at {args.rows // 10:,} rows, {m_big:.1f} MiB at "
              f"{args.rows:,} rows (ratio {m_big / m_small:.2f}; the file grew 10x). What grows: the reported rows "
              "(listed in the report) and the bounded answer memo of each cached key; the rows themselves are "
              "streamed")


if __name__ == "__main__":
    main()
