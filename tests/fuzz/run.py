"""Coverage-guided fuzzing of one target with atheris (libFuzzer): the long run.

Usage (from the repository root; ``pip install atheris`` first)::

    python tests/fuzz/run.py TARGET [libFuzzer flags...]
    python tests/fuzz/run.py policy -max_total_time=600 -timeout=10 -rss_limit_mb=2048

TARGET is one of policy, json, jsonl, csv, xlsx (tests/fuzz/fuzz_targets.py). The corpus
lives in ``.fuzz/TARGET/`` (seeded with the shipped policies and records on first use); a
crash or hang is saved by libFuzzer as ``crash-*`` / ``timeout-*`` in the current directory
and is replayed with ``python tests/fuzz/run.py TARGET crash-…``. The slowest input seen so
far, and its time, are kept in ``.fuzz/TARGET.slowest`` (and ``.slowest.txt``).
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
with atheris.instrument_imports(include=["trainrules"]):
    from fuzz_targets import REPO, TARGETS, seeds


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer flags...]")
    name = sys.argv.pop(1)
    target = TARGETS[name]
    corpus = REPO / ".fuzz" / name
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for seed in seeds(name):
            (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)  # a file name, not security
    for seed in seeds(name):  # warm up (caches, lazy imports) so that the slowest input is not merely the first
        target(seed)
    slowest = [0.0]
    record = REPO / ".fuzz" / f"{name}.slowest"

    def run(data: bytes) -> None:
        start = time.perf_counter()
        target(data)
        spent = time.perf_counter() - start
        if spent > slowest[0]:
            slowest[0] = spent
            record.write_bytes(data)
            record.with_suffix(".slowest.txt").write_text(f"{spent:.3f} s, {len(data)} bytes\n", encoding="utf-8")

    args = sys.argv if any(not a.startswith("-") for a in sys.argv[1:]) else [*sys.argv, str(corpus)]
    atheris.Setup(args, run)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
