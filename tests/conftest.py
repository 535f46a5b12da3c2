"""Shared test machinery: the ``--update-goldens`` option, the golden-file helper and the hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

#: The repository root (goldens are generated with paths relative to it).
REPO = Path(__file__).resolve().parents[1]

# "ci" replays the same inputs on every run; "deep" is for deliberate long runs
# (HYPOTHESIS_PROFILE=deep pytest tests/test_laws_parser.py) and explores new inputs each time.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=200, print_blob=True)
settings.register_profile("deep", deadline=None, max_examples=5000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

Golden = Callable[[Path, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--update-goldens``: rewrite golden files from the actual output instead of comparing."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="write golden files (tests/diagnostics/*.txt, *.json, …) from the actual output; review the diff",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare ``actual`` with the golden file at ``path``, or write it under ``--update-goldens``."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, actual: str) -> None:
        if update:
            with path.open("w", encoding="utf-8", newline="\n") as f:
                f.write(actual)
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing: run `pytest --update-goldens`, then read and review it")
        expected = path.read_text(encoding="utf-8")
        assert expected == actual, (
            f"output differs from the golden file {path.relative_to(REPO) if path.is_relative_to(REPO) else path};"
            " if the change is intended, run `pytest --update-goldens` and review the diff"
        )

    return check


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, so relative paths (and goldens) do not depend on the machine."""
    monkeypatch.chdir(REPO)
    return REPO
