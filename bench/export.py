"""Benchmark: the ledger's export on the command line (`main.py export`, every sheet, XLSX) at
10,000, 100,000 and 1,000,000 cases seeded as bench.report seeds them (three years of
history), each export in a process of its own for its peak RSS; against the bare framework path
measured in the same run: XlsxWriter's constant-memory mode writing as many rows of as many
constant cells, with nothing read.

    .venv/bin/python -m bench.export [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COLUMNS = 21  # the case sheet's


def bare(rows: int, out: str) -> dict:
    import xlsxwriter

    started = time.perf_counter()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("bare")
    values = ["QZ-2031-0000001", "线上", "求助", "", "2031-12-01 10:00", "张三", "13800138000",
              "群众反映的问题", "", "李四", "办理中", "", "", "是", "", "", "", None, "", "", ""]
    for row in range(rows):
        sheet.write_row(row, 0, values)
    book.close()
    return {"seconds": time.perf_counter() - started, "bytes": os.path.getsize(out),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def export(path: str, out: str) -> dict:
    import main

    os.environ["DATABASE_PATH"] = path
    started = time.perf_counter()
    code = main.main(["export", "--from", "2028-01-01", "--to", "2031-12-31", "--format",
                      "xlsx", "--out", out])
    assert code == 0
    return {"seconds": time.perf_counter() - started, "bytes": os.path.getsize(out),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.export", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare(args.bare, args.out)))
        return
    if args.export:
        print(json.dumps(export(args.path, args.out)))
        return
    results = []
    for size in args.sizes:
        folder = Path(tempfile.mkdtemp())
        path = str(folder / "r.sqlite3")
        subprocess.run([sys.executable, "-m", "bench.report", "--seed", str(size), "--path",
                        path], cwd=ROOT, check=True)
        base = child("--bare", str(size), "--out", str(folder / "bare.xlsx"))
        done = child("--export", "--path", path, "--out", str(folder / "ledger.xlsx"))
        results.append({"cases": size, "bare": base, "export": done})
        for name in os.listdir(folder):
            os.remove(folder / name)
        folder.rmdir()
    print(f"{'cases':>10}{'bare s':>9}{'bare MB':>9}{'export s':>10}{'x bare':>8}"
          f"{'rows/s':>9}{'file MB':>9}{'RSS MB':>8}")
    for r in results:
        b, e = r["bare"], r["export"]
        print(f"{r['cases']:>10,}{b['seconds']:>9.2f}{b['rss_mb']:>9.1f}{e['seconds']:>10.2f}"
              f"{e['seconds'] / b['seconds']:>8.2f}{r['cases'] / e['seconds']:>9,.0f}"
              f"{e['bytes'] / 1e6:>9.1f}{e['rss_mb']:>8.1f}")
    first, last = results[0]["export"], results[-1]["export"]
    print(f"\npeak RSS x{last['rss_mb'] / first['rss_mb']:.2f} for x"
          f"{results[-1]['cases'] / results[0]['cases']:.0f} the cases")


if __name__ == "__main__":
    main_()
