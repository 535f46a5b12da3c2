"""Bytes per record of ``trainrules evaluate``'s outputs on document 004 (issue 12: compact by default).

Usage::

    python benchmarks/output_size.py [--n 100000] [--seed 4] [--dir DIR]

Generates N teacher records with benchmarks/generate.py, runs the installed command once per output
(``.jsonl``, ``.json``, ``.csv``, ``.jsonl --lang en``, ``.jsonl --explain``) and prints each file's size
and its bytes per record (the file's size over N: the run and group findings are included).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEFAULT_SEED, write_jsonl

POLICY = Path(__file__).resolve().parent.parent / "policies" / "lanxi_2019-2020_term1_online-school.policy"
RUNS = [
    ("out.jsonl", []),
    ("out.json", []),
    ("out.csv", []),
    ("en.jsonl", ["--lang", "en"]),
    ("x.jsonl", ["--explain"]),
]


def main() -> None:
    """Generate, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dir", default=None, help="work directory (default: a temporary one, removed)")
    args = parser.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="trainrules-size-"))
    try:
        records = work / "in.jsonl"
        write_jsonl(args.n, records, seed=args.seed)
        command = shutil.which("trainrules") or str(Path(sys.executable).parent / "trainrules")
        print(f"{args.n:,} records, document 004, seed {args.seed}")
        print(f"{'output':<28} {'bytes':>14} {'bytes/record':>13}")
        for name, options in RUNS:
            out = work / name
            argv = [command, "evaluate", str(POLICY), str(records), "-o", str(out), *options]
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)  # noqa: S603 -- our own command line
            size = out.stat().st_size
            label = " ".join([out.suffix, *options])
            print(f"{label:<28} {size:>14,} {size / args.n:>13,.0f}")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
