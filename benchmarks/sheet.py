"""Benchmark: 50 problems (with solutions) to one PDF; the issue asks for under 3 s.

Run: PYTHONPATH=. python benchmarks/sheet.py [N]
"""

from __future__ import annotations

import sys
import time


def main(n: int = 50) -> int:
    from examprep.registry import list_specs
    from examprep.sheets.build import build_sheet
    from examprep.sheets.render import render
    from examprep.sheets.select import Item, instances

    specs = list_specs()
    items = [Item(specs[i % len(specs)].id, 1) for i in range(n)]
    t0 = time.perf_counter()
    pairs = instances(items, seed=1)
    t1 = time.perf_counter()
    sheet = build_sheet(pairs, title="Benchmark", seed=1, difficulty="medium")
    t2 = time.perf_counter()
    pdf = render(sheet, "pdf")
    t3 = time.perf_counter()
    total = t3 - t0
    print(f"{n} problems with solutions -> PDF ({len(pdf) / 1e6:.2f} MB): {total:.2f} s total, "
          f"{1000 * total / n:.1f} ms per problem")
    print(f"  generate {t1 - t0:.2f} s · solve/derive {t2 - t1:.2f} s · render + typst compile {t3 - t2:.2f} s")
    ok = total < 3.0
    print("OK (< 3 s)" if ok else "SLOW (>= 3 s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
