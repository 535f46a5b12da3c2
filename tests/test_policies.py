"""The two seed policies: they load, declare the rulings they rely on, and cite every rule of their document."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from trainrules.api import check, load

REPO = Path(__file__).resolve().parents[1]
POLICY_2019 = REPO / "policies" / "lanxi_2019-2020_term1_online-school.policy"
POLICY_2021 = REPO / "policies" / "lanxi_2021-2022_term1_career-identity.policy"
INVENTORY = REPO.parent / "shared" / "spec" / "rule-inventory.md"

#: (assumption name, rule id of the ruling) for each policy, read off the policy and the rule inventory:
#: G2 date-only deadlines, G3 clock-time deadlines, G5 floor of the 5% cap, G7 specific beats general,
#: G8 early submission; the R-ids are the document rulings (exemption as permission, declared band gap,
#: late school results, not enrolled, too-short reflection, the 70/100 scaling) and one reading of R000-08
#: the inventory leaves open (certificates only for work done within its window), and the bands' precision
#: (a score finer than the 0.1 the bands are written in, between two bands, is refused, not guessed).
ASSUMPTIONS = {
    POLICY_2019: {
        ("日期截止", "G2"),
        ("提前提交", "G8"),
        ("免修为许可", "R004-03"),
        ("不合格档", "R004-05"),
        ("档次精度", "R004-05"),
        ("成绩迟报", "R004-06"),
        ("以上含本数", "G5"),
        ("具体优先", "G7"),
    },
    POLICY_2021: {
        ("日期截止", "G2"),
        ("时刻截止", "G3"),
        ("提前提交", "G8"),
        ("未入班不考核", "R000-02"),
        ("字数不足视为未交", "R000-06"),
        ("不合格档", "R000-06"),
        ("档次精度", "R000-06"),
        ("县本折算", "R000-07"),
        ("成绩迟报", "R000-10"),
        ("名额向下取整", "G5"),
        ("以上含本数", "G5"),
        ("证书须按时", "R000-08"),
        ("具体优先", "G7"),
    },
}
POLICIES = sorted(ASSUMPTIONS)


def _inventory_ids(document: str) -> set[str]:
    if not INVENTORY.is_file():
        pytest.skip(f"the rule inventory is not at {INVENTORY} (it lives outside the repository)")
    ids = set(re.findall(rf"^- (R{document}-\d+)\b", INVENTORY.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert ids, f"no R{document}-* ids found in {INVENTORY}"
    return ids


def test_the_seed_policies_exist() -> None:
    """Both seed policies are in policies/."""
    assert [True, True] == [p.is_file() for p in POLICIES]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_seed_policy_loads_without_diagnostics(path: Path) -> None:
    """A seed policy loads with no warnings, and check reports nothing."""
    assert () == load(path).warnings
    assert [] == check(path)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_assumptions_match_the_rulings(path: Path) -> None:
    """The assumptions a seed policy declares are exactly the rulings it relies on, each citing one rule id."""
    infos = load(path).assumptions()
    assert all(1 == len(a.rule_ids) for a in infos), [(a.name, a.rule_ids) for a in infos]
    assert ASSUMPTIONS[path] == {(a.name, a.rule_ids[0]) for a in infos}


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_every_assumption_is_relied_on(path: Path) -> None:
    """Each declared assumption is named by at least one rule's 基于 (none is decoration)."""
    assert [] == [a.name for a in load(path).assumptions() if not a.relied_on_by]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_assumptions_carry_their_text_and_line(path: Path) -> None:
    """Each assumption has its ruling's text and the line it is declared on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for a in load(path).assumptions():
        assert a.text
        assert lines[a.line - 1].startswith(f"假设 {a.name} ")


def test_2019_policy_cites_every_r004_rule() -> None:
    """Every R004-* rule of the inventory is cited somewhere in the 2019 policy."""
    ids = _inventory_ids("004")
    assert [] == sorted(ids - load(POLICY_2019).rule_ids())


def test_2021_policy_cites_every_r000_rule() -> None:
    """Every R000-* rule of the inventory is cited somewhere in the 2021 policy."""
    ids = _inventory_ids("000")
    assert [] == sorted(ids - load(POLICY_2021).rule_ids())


@pytest.mark.parametrize(("path", "document"), [(POLICY_2019, "004"), (POLICY_2021, "000")], ids=["2019", "2021"])
def test_policies_cite_no_unknown_rule(path: Path, document: str) -> None:
    """A seed policy cites only its own document's rules and the general rulings G1-G8."""
    ids = _inventory_ids(document)
    general = {f"G{n}" for n in range(1, 9)}
    assert [] == sorted(load(path).rule_ids() - ids - general)


def test_cli_lists_the_assumptions() -> None:
    """`trainrules check policies/ --assumptions` exits 0 and lists every assumption with its rule id."""
    proc = subprocess.run(
        [sys.executable, "-m", "trainrules", "check", "policies/", "--assumptions"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert 0 == proc.returncode, proc.stdout + proc.stderr
    for path, pairs in ASSUMPTIONS.items():
        assert f"policies/{path.name}: 0 个错误，0 个警告" in proc.stdout
        for name, rule in pairs:
            assert re.search(rf"^  - {re.escape(name)}  \[{re.escape(rule)}\]", proc.stdout, flags=re.MULTILINE), name
    assert "8 条假设" in proc.stdout
    assert "13 条假设" in proc.stdout
