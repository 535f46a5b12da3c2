"""File to file: ``trainrules evaluate POLICY in.jsonl -o out.jsonl`` (and ``-o out.json``) as a subprocess.

Usage::

    python benchmarks/bench_files.py [--n 1000000] [--runs 1] [--formats jsonl,json] [--seed 4]
                                     [--dir DIR] [--keep] [--profile [--profile-n 50000]]

Generates N teacher records (plus 50 school lines) to a temporary JSON Lines file with
benchmarks/generate.py (streamed), then runs the installed command once per run and
output format, measuring the whole process from outside: wall time (our own monotonic
clock around the child, and GNU time's figure), user and system CPU, and peak resident
memory (``/usr/bin/time -v``'s "Maximum resident set size"; without GNU time,
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the largest child so far). The
figures include interpreter start-up, loading the policy (parsing the grammar), the
school pass over the input and writing the output (fsynced and renamed).

``--profile`` runs the same command once under cProfile on ``--profile-n`` records and
prints the top 25 functions by cumulative and by internal time.
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEFAULT_SCHOOLS, DEFAULT_SEED, source_fingerprint, write_jsonl

POLICY = Path(__file__).resolve().parent.parent / "policies" / "lanxi_2019-2020_term1_online-school.policy"
GNU_TIME = Path("/usr/bin/time")


@attrs.frozen
class Run:
    """One finished run of the command."""

    wall: float
    user: float | None
    system: float | None
    peak_kib: int | None
    exit_code: int
    out_bytes: int
    out_lines: int


def command() -> list[str]:
    """The installed ``trainrules`` next to this interpreter, else ``python -m trainrules``."""
    script = Path(sys.executable).parent / "trainrules"
    if script.exists():
        return [str(script)]
    found = shutil.which("trainrules")
    return [found] if found else [sys.executable, "-m", "trainrules"]


def _gnu_time_works() -> bool:
    if not GNU_TIME.exists():
        return False
    try:
        probe = subprocess.run([str(GNU_TIME), "-v", "true"], capture_output=True, text=True, check=False)  # noqa: S603 -- fixed arguments
    except OSError:
        return False
    return "Maximum resident set size" in probe.stderr


def _parse_gnu_time(text: str) -> tuple[float | None, float | None, int | None]:
    def number(label: str) -> float | None:
        m = re.search(rf"{re.escape(label)}: *([0-9.]+)", text)
        return float(m.group(1)) if m else None

    peak = number("Maximum resident set size (kbytes)")
    return number("User time (seconds)"), number("System time (seconds)"), int(peak) if peak is not None else None


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            lines += chunk.count(b"\n")
    return lines


def run_once(records: Path, out: Path, use_gnu_time: bool) -> Run:
    """Run ``trainrules evaluate`` once; the output file is removed afterwards."""
    base = [*command(), "evaluate", str(POLICY), str(records), "-o", str(out)]
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = Path(tf.name)
    argv = [str(GNU_TIME), "-v", "-o", str(time_file), *base] if use_gnu_time else base
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)  # noqa: S603 -- our own command line
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: some records had errors, which the generated data has on purpose
        raise SystemExit(f"trainrules evaluate failed with exit {done.returncode}:\n{done.stderr[-2000:]}")
    if use_gnu_time:
        user, system, peak = _parse_gnu_time(time_file.read_text())
    else:
        user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
        peak = after.ru_maxrss  # KiB on Linux; the largest child so far, not necessarily this one
    time_file.unlink(missing_ok=True)
    size = out.stat().st_size
    lines = _count_lines(out)
    out.unlink()
    return Run(wall, user, system, peak, done.returncode, size, lines)


def profile_cli(records: Path, workdir: Path, top: int = 25) -> None:
    """Run the command once under cProfile and print the top functions."""
    prof = workdir / "evaluate.prof"
    out = workdir / "profiled.jsonl"
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "trainrules", "evaluate"]
    argv += [str(POLICY), str(records), "-o", str(out)]
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)  # noqa: S603 -- our own command line
    for key in ("cumulative", "tottime"):
        print(f"\n===== trainrules evaluate (cProfile): top {top} by {key} =====")
        pstats.Stats(str(prof), stream=sys.stdout).sort_stats(key).print_stats(top)
    out.unlink(missing_ok=True)


def _fmt(values: list[float], spec: str) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return format(values[0], spec)
    return f"{format(statistics.median(values), spec)} [{format(min(values), spec)}-{format(max(values), spec)}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1_000_000, help="teacher records (default 1000000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per output format (default 1)")
    parser.add_argument("--formats", default="jsonl,json", help="output formats to time (default jsonl,json)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--schools", type=int, default=DEFAULT_SCHOOLS)
    parser.add_argument("--dir", default=None, help="work directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated input file")
    parser.add_argument("--profile", action="store_true", help="profile the command instead of timing it")
    parser.add_argument("--profile-n", type=int, default=50_000, help="records for --profile (default 50000)")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="trainrules-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = args.profile_n if args.profile else args.n
    records = workdir / f"in-{n}-{args.seed}.jsonl"
    try:
        if records.exists():
            print(f"reusing {records}")
        else:
            start = time.perf_counter()
            write_jsonl(n, records, args.seed, args.schools)
            print(f"generated {n} records in {time.perf_counter() - start:.1f}s")
        print(f"input: {records} ({records.stat().st_size / 2**20:.1f} MiB)")
        print(f"trainrules sources: {source_fingerprint()}")
        if args.profile:
            profile_cli(records, workdir)
            return 0
        use_gnu_time = _gnu_time_works()
        print(f"command: {' '.join(command())} evaluate POLICY {records.name} -o out.FORMAT")
        print(
            f"peak memory from: {'/usr/bin/time -v' if use_gnu_time else 'getrusage(RUSAGE_CHILDREN)'}; "
            f"cores: {os.cpu_count()}; Python {sys.version.split()[0]}"
        )
        results: dict[str, list[Run]] = {}
        for i in range(args.runs):
            for fmt in formats if i % 2 == 0 else formats[::-1]:
                run = run_once(records, workdir / f"out.{fmt}", use_gnu_time)
                results.setdefault(fmt, []).append(run)
                peak = f"{run.peak_kib / 1024:.0f} MiB" if run.peak_kib else "?"
                print(
                    f"  run {i + 1} {fmt}: {run.wall:.1f}s wall, peak {peak}, exit {run.exit_code}, "
                    f"{run.out_bytes / 2**20:.0f} MiB out",
                    flush=True,
                )
        print()
        head = ("output", "runs", "wall s", "records/s", "user s", "sys s", "peak RSS MiB")
        print(f"{head[0]:<7} {head[1]:>4} {head[2]:>22} {head[3]:>10} {head[4]:>8} {head[5]:>7} {head[6]:>13}")
        for fmt, runs in results.items():
            walls = [r.wall for r in runs]
            users = [r.user for r in runs if r.user is not None]
            systems = [r.system for r in runs if r.system is not None]
            peaks = [r.peak_kib / 1024 for r in runs if r.peak_kib]
            print(
                f"{fmt:<7} {len(runs):>4} {_fmt(walls, '.1f'):>22} {n / statistics.median(walls):>10,.0f} "
                f"{_fmt(users, '.1f'):>8} {_fmt(systems, '.1f'):>7} {_fmt(peaks, '.0f'):>13}"
            )
            lines = {r.out_lines for r in runs}
            expected = n if fmt == "jsonl" else n + 2  # json: "[", one row per line, "]"
            if lines != {expected}:
                print(f"  note: {fmt} output had {sorted(lines)} lines, expected {expected}")
        return 0
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
