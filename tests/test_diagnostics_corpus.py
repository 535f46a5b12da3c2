"""The per-code corpus: tests/diagnostics/<code>-<slug>.policy with its rendered (.txt) and JSON (.json) goldens."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from trainrules.api import check
from trainrules.diagnostics import CATALOG, Severity
from trainrules.render import diagnostic_to_dict, render_text

Golden = Callable[[Path, str], None]

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "diagnostics"
FIXTURES = sorted(CORPUS.glob("*.policy"))
_NAME = re.compile(r"^(?P<code>[EW]\d{3})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.policy$")

#: Codes whose input cannot be a small file in the corpus (a missing file, a file over the size
#: limit, a raw control character, two hundred thousand nodes), each exercised instead by the
#: named test: (test file, test function).
DEDICATED: dict[str, tuple[str, str]] = {
    "E101": ("test_limits.py", "test_missing_file_is_e101"),
    "E102": ("test_limits.py", "test_huge_file_is_refused_before_reading"),
    "E103": ("test_limits.py", "test_control_character_is_e103"),
    "E114": ("test_limits.py", "test_too_many_nodes_is_e114"),
}


def _code(fixture: Path) -> str:
    m = _NAME.match(fixture.name)
    assert m is not None, f"{fixture.name} is not named <code>-<slug>.policy"
    return m["code"]


def _rel(fixture: Path) -> str:
    return fixture.relative_to(REPO).as_posix()


def _json_text(diagnostics: list[object]) -> str:
    return json.dumps(diagnostics, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_rendered_text_matches_golden(fixture: Path, golden: Golden) -> None:
    """What a user sees for each corpus policy is the reviewed .txt golden."""
    actual = render_text(check(_rel(fixture))) + "\n"
    golden(fixture.with_suffix(".txt"), actual)


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_json_matches_golden(fixture: Path, golden: Golden) -> None:
    """What an editor receives for each corpus policy is the reviewed .json golden."""
    actual = _json_text([diagnostic_to_dict(d) for d in check(_rel(fixture))])
    golden(fixture.with_suffix(".json"), actual)


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_produces_its_code(fixture: Path) -> None:
    """The code in a fixture's file name is among the diagnostics it produces."""
    codes = [d.code for d in check(_rel(fixture))]
    assert _code(fixture) in codes


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_every_diagnostic_has_a_hint(fixture: Path) -> None:
    """Each diagnostic tells the author what to do, in both languages: no empty hint."""
    missing = [d.code for d in check(_rel(fixture)) if not d.hint.strip() or not d.hint_en.strip()]
    assert [] == missing


def test_fixture_names_follow_the_pattern() -> None:
    """Every corpus policy is named <code>-<slug>.policy with a lower-case ASCII slug."""
    assert FIXTURES, "the corpus is empty"
    assert [] == [p.name for p in FIXTURES if _NAME.match(p.name) is None]


def test_every_golden_belongs_to_a_fixture() -> None:
    """No .txt or .json golden is left behind after its policy was renamed or removed."""
    stems = {p.stem for p in FIXTURES}
    orphans = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".txt", ".json") and p.stem not in stems)
    assert [] == orphans


def test_every_catalog_code_is_covered() -> None:
    """Each CATALOG code has a corpus fixture, or is in the documented set of dedicated tests."""
    covered = {_code(p) for p in FIXTURES} | set(DEDICATED)
    assert [] == sorted(set(CATALOG) - covered)


def test_every_fixture_code_is_in_the_catalog() -> None:
    """No fixture is named after a code the catalog does not declare."""
    assert [] == sorted({_code(p) for p in FIXTURES} - set(CATALOG))


def test_dedicated_codes_are_in_the_catalog() -> None:
    """The dedicated-test set names only real catalog codes."""
    assert [] == sorted(set(DEDICATED) - set(CATALOG))


@pytest.mark.parametrize(("code", "where"), sorted(DEDICATED.items()))
def test_dedicated_test_exists(code: str, where: tuple[str, str]) -> None:
    """Each code without a fixture is exercised by a test function that exists under the documented name."""
    filename, function = where
    tree = ast.parse((REPO / "tests" / filename).read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert function in names, f"{code}: tests/{filename} has no {function}"
    source = (REPO / "tests" / filename).read_text(encoding="utf-8")
    body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    assert code in (ast.get_source_segment(source, body) or ""), f"{function} does not mention {code}"


@pytest.mark.usefixtures("at_repo_root")
def test_cli_json_agrees_with_the_api_and_exit_status_is_worst() -> None:
    """`trainrules check tests/diagnostics --format json` reports per file what the API reports, and exits 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "trainrules", "check", "tests/diagnostics", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 2 == proc.returncode
    report = json.loads(proc.stdout)
    by_file = {f["file"]: f["diagnostics"] for f in report["files"]}
    assert [_rel(p) for p in FIXTURES] == sorted(by_file)
    for p in FIXTURES:
        assert [diagnostic_to_dict(d) for d in check(_rel(p))] == by_file[_rel(p)], p.name


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("fixture", [p for p in FIXTURES if p.name.startswith("W")], ids=lambda p: p.stem)
def test_warning_fixtures_have_no_errors(fixture: Path) -> None:
    """A W-code fixture shows a warning-only policy: it has no errors (so the CLI would exit 1)."""
    assert [] == [d.code for d in check(_rel(fixture)) if d.severity is Severity.ERROR]
