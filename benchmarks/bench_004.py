"""In-process benchmark of document 004: the engine versus a hand-written scorer, and the cost of explanations.

Usage::

    python benchmarks/bench_004.py [--n 200000] [--rounds 7] [--seed 4] [--only NAME,...]
    python benchmarks/bench_004.py --profile [run|eval|validate|run-recorder] [--n 50000]

Generates N teacher records in memory (benchmarks/generate.py), flattens them into
RawRecords once (what ``read_records`` would yield), validates them once with the
engine's own validator, checks that the engine and benchmarks/handwritten.py agree on
every record, and then times, in one process, round by round, the order reversed every
other round, with the garbage collector off inside each timed section:

``validate``      the part of ``Evaluator._decide`` before scoring: ``validator.teacher``
                  (parsing, ids) plus the school lookup and the ``base`` dict.
``eval``          scoring alone, on the pre-validated records: ``_Ctx`` + ``Evaluator._assess``
                  + ``_feed`` (group checks), exactly what ``_decide`` does after validation
                  (private names: there is no public entry point for pre-validated records).
``eval+rec``      the same with a ``Recorder`` tracer (explanations kept).
``hand``          ``score_004`` on the same pre-validated records.
``run``           ``Evaluator.run`` over the RawRecords with no tracer: validate + score.
``run+null``      ``Evaluator.run(..., NullTracer)``: every tracer hook runs, nothing is kept
                  (not timed by default: ``--only ...,run+null``).
``run+rec``       ``Evaluator.run(..., Recorder)``: explanations kept.

Figures: records/s per section by the wall clock (perf_counter) and by this process's
CPU time (process_time, steadier on a shared machine), median over rounds with min and
max, and the median of per-round ratios (eval/hand, run/hand, run/(validate+hand),
run+rec/run, ...).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from trainrules.api import Policy, load
from trainrules.evaluate import Evaluator, NullTracer, Recorder
from trainrules.records import RawRecord, ReadProblem, iter_records_from_dicts
from trainrules.results import Decision, Problem

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEFAULT_SCHOOLS, DEFAULT_SEED, iter_teachers, school_records, source_fingerprint
from handwritten import score_004

try:  # private: the only way to score a record that is already validated
    from trainrules.evaluate import EvalError, _Ctx
except ImportError:  # pragma: no cover - the engine changed; eval alone is then not measured
    _Ctx = None  # type: ignore[assignment,misc]  # fallback when the private class is gone
    EvalError = None  # type: ignore[assignment,misc]  # likewise

POLICY = Path(__file__).resolve().parent.parent / "policies" / "lanxi_2019-2020_term1_online-school.policy"
SECTIONS = ("validate", "eval", "eval+rec", "hand", "run", "run+null", "run+rec")
DEFAULT_SECTIONS = ("validate", "eval", "eval+rec", "hand", "run", "run+rec")


@attrs.frozen
class Prepared:
    """One record validated once: the ``base`` fields of its Decision, its values and its school's values."""

    base: dict[str, Any]
    rec: dict[str, object]
    school: dict[str, object]


@attrs.frozen
class Data:
    """Everything the timed sections read."""

    policy: Policy
    schools: list[RawRecord | ReadProblem]
    raws: list[RawRecord | ReadProblem]
    prepared: list[Prepared]
    invalid: int


def build(n: int, seed: int, n_schools: int) -> Data:
    """Generate, flatten and validate the records (untimed)."""
    policy = load(POLICY)
    rng = random.Random(seed)
    school_dicts = school_records(rng, n_schools)
    names = [str(s["school"]) for s in school_dicts]
    schools = list(iter_records_from_dicts(school_dicts))
    raws = list(iter_records_from_dicts(iter_teachers(n, rng, names)))
    ev = policy.evaluator(schools)
    prepared: list[Prepared] = []
    invalid = 0
    for raw in raws:
        found = prevalidate(ev, raw)
        if isinstance(found, Prepared):
            prepared.append(found)
        else:
            invalid += 1
    return Data(policy, schools, raws, prepared, invalid)


def prevalidate(ev: Evaluator, raw: RawRecord | ReadProblem) -> Prepared | list[Problem]:
    """What ``Evaluator._decide`` does before scoring: validate, look the school up, build ``base``."""
    if isinstance(raw, ReadProblem):
        return [Problem("", raw.message_zh, raw.message_en)]
    rec, problems = ev.validator.teacher(raw.fields)
    school_values: dict[str, object] = {}
    school = rec.get("school")
    if ev.plan.school_fields and not problems:
        name = str(school) if school is not None else ""
        if name in ev.school_problems:
            problems.extend(ev.school_problems[name])
        elif name in ev.schools:
            school_values = ev.schools[name]
        else:
            problems.append(Problem("school", "no school record", "no school record"))
    if problems:
        return problems
    base = {
        "index": raw.index,
        "id": rec.get("id"),
        "name": rec.get("name"),
        "school": school,
        "subject": rec.get("subject"),
        "location": raw.location,
    }
    return Prepared(base, rec, school_values)


def evaluate_prepared(ev: Evaluator, prepared: Iterable[Prepared], tracer_factory: Any = None) -> Iterator[Decision]:
    """Score pre-validated records as ``_decide`` + ``run`` do after validation (group checks fed too)."""
    if _Ctx is None or EvalError is None:
        raise RuntimeError("trainrules.evaluate no longer has _Ctx/EvalError: evaluation alone cannot be timed")
    group_checks = ev.plan.group_checks
    for p in prepared:
        tracer = tracer_factory() if tracer_factory is not None else None
        ctx = _Ctx(ev, p.rec, p.school, tracer, None)
        try:
            decision = ev._assess(ctx, p.base)
        except EvalError as exc:
            yield ev._error(p.base, [exc.problem], tracer)
            continue
        except (ArithmeticError, TypeError) as exc:
            yield ev._error(p.base, [Problem("", f"无法计算：{exc}", f"cannot compute: {exc}")], tracer)
            continue
        if group_checks and decision.status == "assessed":
            ev._feed(ctx)
        yield decision


# ---------- the self-check ----------


def _engine_view(d: Decision) -> dict[str, object]:
    out: dict[str, object] = {"status": d.status, "total": d.total, "passed": d.passed, "hours": d.hours}
    if d.status == "assessed":
        online = [i for i in d.items if i.part == "网络研修"]
        out["bands"] = tuple(i.band for i in online)
        out["check"] = d.checks[0].passed if d.checks else None
    return out


def _same(engine: Mapping[str, object], hand: Mapping[str, object]) -> bool:
    keys = ("status", "total", "passed", "hours", "bands", "check")
    return all(engine.get(k) == hand.get(k) for k in keys)


def self_check(data: Data, show: int = 10) -> int:
    """Run the engine (full path) and the hand-written scorer on every record; print and count disagreements."""
    ev = data.policy.evaluator(data.schools)
    decisions = {d.index: d for d in ev.run(data.raws)}
    counts: dict[str, int] = {}
    mismatches = 0
    for p in data.prepared:
        engine = _engine_view(decisions[p.base["index"]])
        hand = score_004(p.rec, ev.schools)
        counts[str(engine["status"])] = counts.get(str(engine["status"]), 0) + 1
        if not _same(engine, hand):
            mismatches += 1
            if mismatches <= show:
                print(f"  MISMATCH {p.base['id']}: engine {engine} / hand {hand}")
    for d in decisions.values():
        if d.status == "error" and d.problems and d.problems[0].field != "items.校本成绩.score":
            counts["error (other)"] = counts.get("error (other)", 0) + 1
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    verdict = "agree on every record" if mismatches == 0 else f"DISAGREE on {mismatches} records"
    print(
        f"self-check: engine and hand-written {verdict} ({len(data.prepared)} records: {statuses}; "
        f"{data.invalid} failed validation)"
    )
    return mismatches


# ---------- timing ----------


def _drain(it: Iterable[object]) -> None:
    for _ in it:
        pass


def section(data: Data, name: str) -> tuple[Callable[[], object], Callable[[object], None]]:
    """(setup, body) of one timed section; setup is untimed (a fresh Evaluator: it tracks ids and groups)."""
    policy, schools, raws, prepared = data.policy, data.schools, data.raws, data.prepared

    def fresh() -> object:
        return policy.evaluator(schools)

    def validate(ev: Any) -> None:
        for raw in raws:
            prevalidate(ev, raw)

    def hand(ev: Any) -> None:
        school_values = ev.schools
        for p in prepared:
            score_004(p.rec, school_values)

    bodies: dict[str, Callable[[Any], None]] = {
        "validate": validate,
        "eval": lambda ev: _drain(evaluate_prepared(ev, prepared)),
        "eval+rec": lambda ev: _drain(evaluate_prepared(ev, prepared, Recorder)),
        "hand": hand,
        "run": lambda ev: _drain(ev.run(raws)),
        "run+null": lambda ev: _drain(ev.run(raws, NullTracer)),
        "run+rec": lambda ev: _drain(ev.run(raws, Recorder)),
    }
    return fresh, bodies[name]


@attrs.frozen
class Timing:
    """One timed section: wall seconds (perf_counter) and this process's CPU seconds (process_time)."""

    wall: float
    cpu: float


def time_once(setup: Callable[[], object], body: Callable[[object], None]) -> Timing:
    state = setup()
    gc.collect()
    gc.disable()
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        body(state)
        return Timing(time.perf_counter() - start, time.process_time() - cpu_start)
    finally:
        gc.enable()


def bench(data: Data, names: list[str], rounds: int) -> dict[str, list[Timing]]:
    times: dict[str, list[Timing]] = {name: [] for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(time_once(*section(data, name)))
        line = "  ".join(f"{name} {times[name][-1].wall:.2f}s ({times[name][-1].cpu:.2f} cpu)" for name in names)
        print(f"  round {r + 1}/{rounds}: {line}", flush=True)
    return times


def report(times: dict[str, list[Timing]], counts: dict[str, int]) -> None:
    print()
    head = ("section", "records", "wall s", "rec/s wall", "min", "max", "rec/s cpu", "min", "max")
    widths = (-9, 8, 8, 11, 9, 9, 11, 9, 9)
    print(" ".join(f"{h:<{-w}}" if w < 0 else f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
    for name, ts in times.items():
        n = counts[name]
        walls = [n / t.wall for t in ts]
        cpus = [n / t.cpu for t in ts if t.cpu > 0]
        wall_s = statistics.median(t.wall for t in ts)
        rates = [statistics.median(walls), min(walls), max(walls), statistics.median(cpus), min(cpus), max(cpus)]
        cells = [f"{r:>{w},.0f}" for r, w in zip(rates, widths[3:], strict=True)]
        print(f"{name:<9} {n:>8} {wall_s:>8.2f} " + " ".join(cells))

    def ratio(label: str, num: list[str], den: list[str]) -> None:
        if not all(k in times for k in num + den):
            return
        rounds = range(len(times[num[0]]))

        def per(clock: Callable[[Timing], float]) -> list[float]:
            # per-record time ratios, round by round (the sections do not all see the same number of records)
            return [
                sum(clock(times[k][i]) / counts[k] for k in num) / sum(clock(times[k][i]) / counts[k] for k in den)
                for i in rounds
            ]

        wall, cpu = per(lambda t: t.wall), per(lambda t: t.cpu)
        print(
            f"  {label:<33} wall {statistics.median(wall):6.2f} [{min(wall):.2f}-{max(wall):.2f}]"
            f"   cpu {statistics.median(cpu):6.2f} [{min(cpu):.2f}-{max(cpu):.2f}]"
        )

    print("\nratios of time per record, median [min-max] of per-round ratios:")
    ratio("eval / hand", ["eval"], ["hand"])
    ratio("run / hand", ["run"], ["hand"])
    ratio("run / (validate + hand)", ["run"], ["validate", "hand"])
    ratio("validate / run", ["validate"], ["run"])
    ratio("eval / run", ["eval"], ["run"])
    ratio("eval+rec / eval  (explanations)", ["eval+rec"], ["eval"])
    ratio("run+rec / run    (explanations)", ["run+rec"], ["run"])
    ratio("run+null / run   (tracer hooks)", ["run+null"], ["run"])


def profile(data: Data, target: str, top: int = 25) -> None:
    setup, body = section(data, {"run-recorder": "run+rec"}.get(target, target))
    state = setup()
    prof = cProfile.Profile()
    prof.enable()
    body(state)
    prof.disable()
    for key in ("cumulative", "tottime"):
        print(f"\n===== {target}: top {top} by {key} =====")
        pstats.Stats(prof, stream=sys.stdout).sort_stats(key).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200_000, help="teacher records (default 200000)")
    parser.add_argument("--rounds", type=int, default=7, help="timing rounds (default 7)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--schools", type=int, default=DEFAULT_SCHOOLS)
    parser.add_argument(
        "--only",
        default=",".join(DEFAULT_SECTIONS),
        help=f"sections to time, from {','.join(SECTIONS)} (default {','.join(DEFAULT_SECTIONS)})",
    )
    parser.add_argument("--no-check", action="store_true", help="skip the engine/hand-written self-check")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="run",
        choices=["run", "eval", "validate", "run-recorder", "hand"],
        help="profile one section with cProfile instead of timing (default: run)",
    )
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    if _Ctx is None:
        names = [s for s in names if not s.startswith("eval")]
        print("note: trainrules.evaluate._Ctx is gone; eval sections skipped (use run - validate)")

    start = time.perf_counter()
    data = build(args.n, args.seed, args.schools)
    print(
        f"built {len(data.raws)} records ({len(data.prepared)} valid) and {len(data.schools)} schools "
        f"in {time.perf_counter() - start:.1f}s; Python {sys.version.split()[0]}"
    )

    print(f"trainrules sources: {source_fingerprint()}")
    if args.profile:
        profile(data, args.profile)
        return 0

    mismatches = 0 if args.no_check else self_check(data)
    counts = {name: len(data.prepared) if name in ("eval", "eval+rec", "hand") else len(data.raws) for name in names}
    times = bench(data, names, args.rounds)
    report(times, counts)
    if mismatches:
        print(f"\nWARNING: the engine and the hand-written scorer disagree on {mismatches} records (see above)")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
