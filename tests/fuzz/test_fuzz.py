"""A short, deterministic fuzz run of every target in CI (hypothesis; a few seconds in all).

Inputs are random bytes and seed inputs with a few random edits (bytes replaced, deleted or
inserted). The long, coverage-guided run uses atheris: tests/fuzz/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fuzz_targets import TARGETS, seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Edit = tuple[int, int, bytes]

#: Examples per target: together a few seconds on one core.
EXAMPLES = {"policy": 100, "json": 150, "jsonl": 100, "csv": 150, "xlsx": 60}


def _apply(seed: bytes, edits: list[Edit]) -> bytes:
    data = bytearray(seed)
    for position, removed, inserted in edits:
        at = position % (len(data) + 1)
        data[at : at + removed] = inserted
    return bytes(data)


def _inputs(target: str) -> st.SearchStrategy[bytes]:
    edit = st.tuples(st.integers(0, 1 << 20), st.integers(0, 16), st.binary(max_size=12))
    mutated = st.builds(_apply, st.sampled_from(seeds(target)), st.lists(edit, max_size=6))
    return st.one_of(st.binary(max_size=300), mutated)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeds_pass(target: str) -> None:
    """Every seed input runs through its target (the harness itself works)."""
    for seed in seeds(target):
        TARGETS[target](seed)


def _fuzz(target: str) -> Callable[[], None]:
    @settings(max_examples=EXAMPLES[target], deadline=None, suppress_health_check=list(HealthCheck))
    @given(_inputs(target))
    def run(data: bytes) -> None:
        TARGETS[target](data)

    return run


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_short_fuzz_run(target: str) -> None:
    """Random and mutated inputs never crash a target (bounded examples, replayed identically in CI)."""
    _fuzz(target)()


REGRESSIONS = sorted((Path(__file__).parent / "regressions").glob("*-*"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_found_by_fuzzing(path: Path) -> None:
    """Every input a long run found a crash with (named ``<target>-<what>``) stays fixed."""
    TARGETS[path.name.split("-", 1)[0]](path.read_bytes())
