"""The workbook's 明细 of document 004: XlsxWriter against openpyxl, and the cost of the smallest changes.

Usage::

    python benchmarks/bench_workbook.py [--n 100000] [--rounds 2] [--explain 300] [--seed 4]

Generates N teacher records of document 004 (benchmarks/generate.py), evaluates them once and builds
明细's rows once with the workbook's own columns (``trainrules.workbook._columns``, the values as
``_cell`` writes them). Then, round by round, the order reversed every other round, it writes the same
rows with each library in the same process:

``xlsxwriter``  XlsxWriter, ``constant_memory`` (what trainrules.workbook uses)
``openpyxl``    openpyxl, ``write_only``

Each is timed by this process's CPU time (``process_time``) in one pass, and its peak of Python
allocations measured in another pass under ``tracemalloc`` (which slows it, so the two are separate).
tracemalloc sees Python objects only; both libraries write XML from Python (openpyxl through
et_xmlfile, lxml not involved in write-only mode), so it sees what grows.

``--explain K`` then times ``explain(ev, raw)`` (the 明细's 差额 and 最小改变 columns) for the first K
failed teachers and prints the CPU time per failed teacher and the share of failed teachers, which is
what ``limits.MAX_WORKBOOK_CHANGES`` is set against.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEFAULT_SCHOOLS, DEFAULT_SEED, iter_teachers, school_records

from trainrules.api import load
from trainrules.explain import explain
from trainrules.records import RawRecord, iter_records_from_dicts
from trainrules.workbook import _cell, _columns  # private: the exact rows the workbook writes

POLICY = Path(__file__).resolve().parents[1] / "policies" / "lanxi_2019-2020_term1_online-school.policy"


def write_xlsxwriter(rows: Sequence[Sequence[object]], path: str, scratch: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("明细")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def write_openpyxl(rows: Sequence[Sequence[object]], path: str, scratch: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("明细")
    for row in rows:
        sheet.append(list(row))
    book.save(path)


WRITERS: dict[str, Callable[[Sequence[Sequence[object]], str, str], None]] = {
    "xlsxwriter": write_xlsxwriter,
    "openpyxl": write_openpyxl,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--explain", type=int, default=300)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()

    policy = load(POLICY)
    rng = random.Random(args.seed)
    school_dicts = school_records(rng, DEFAULT_SCHOOLS)
    names = [str(s["school"]) for s in school_dicts]
    schools = list(iter_records_from_dicts(school_dicts))
    raws = list(iter_records_from_dicts(iter_teachers(args.n, rng, names)))
    ev = policy.evaluator(schools)
    decisions = list(ev.run(raws))
    columns = _columns(policy, "zh")
    book: Any = type("Book", (), {"_ex": None, "evaluator": None, "lang": "zh"})()  # no changes searched here
    started = time.process_time()
    rows = [[h for h, _ in columns]] + [[_cell(get(d, book)) for _, get in columns] for d in decisions]
    print(f"{args.n:,} teachers, {len(columns)} columns; building the rows: {time.process_time() - started:.2f} s CPU")

    times: dict[str, list[float]] = {name: [] for name in WRITERS}
    peaks: dict[str, list[float]] = {name: [] for name in WRITERS}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for round_no in range(args.rounds):
            order = list(WRITERS) if round_no % 2 == 0 else list(reversed(WRITERS))
            for name in order:
                path = os.path.join(scratch, f"{name}.xlsx")
                started = time.process_time()
                WRITERS[name](rows, path, scratch)
                times[name].append(time.process_time() - started)
                sizes[name] = os.path.getsize(path)
            for name in order:
                tracemalloc.start()
                WRITERS[name](rows, os.path.join(scratch, f"{name}.xlsx"), scratch)
                peaks[name].append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
    del rows
    print("library     CPU s per round                       peak MiB (tracemalloc)   file bytes")
    for name in WRITERS:
        cpu = ", ".join(f"{t:.2f}" for t in times[name])
        mem = ", ".join(f"{m:.1f}" for m in peaks[name])
        print(f"{name:<11} {cpu:<37} {mem:<24} {sizes[name]:,}")

    failed = [d for d in decisions if d.status == "assessed" and d.passed is False]
    by_index = {r.index: r for r in raws}
    sample = failed[: args.explain]
    started = time.process_time()
    for d in sample:
        record = by_index[d.index]
        assert isinstance(record, RawRecord)
        explain(ev, record)
    spent = time.process_time() - started
    if sample:
        each = spent / len(sample)
        print(
            f"smallest changes: {len(failed):,} of {len(decisions):,} failed ({len(failed) / len(decisions):.1%}); "
            f"{each * 1000:.1f} ms CPU per failed teacher over {len(sample)}; "
            f"all of them would take {each * len(failed):.0f} s"
        )


if __name__ == "__main__":
    main()
