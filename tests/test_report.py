"""The auditor's report (issue 12): one self-contained HTML page of a run.

Content tests parse the page with html.parser and run everywhere. The browser tests open the page in
headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by selenium): no console
errors, a search for an id shows that teacher's explanation in the words of ``explain``, and the
numbers on the page equal the results file's. Without a browser they SKIP, saying why (``.ci/run``
installs one).
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from trainrules import report
from trainrules.api import load, loads
from trainrules.cli import main
from trainrules.records import read_records, read_schools

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

#: (policy, an id to search for): both seed scoring examples and document 003.
CASES = {
    "004": ("lanxi_2019-2020_term1_online-school", "T0016"),
    "000": ("lanxi_2021-2022_term1_career-identity", "T0010"),
    "003": ("anhui_2021-2025_guopei", "P03"),
}
HOSTILE = "</script><script>alert(1)</script>"
HOSTILE_POLICY = f"""方案 示例 {{
  标题 "{HOSTILE}<img src=x onerror=alert(2)>"
  时区 "Asia/Shanghai"             依据 G1
  期间 2024-09-01 至 2024-12-31
  总分 100
}}
假设 日期截止 "只写日期的截止指当日结束前 {HOSTILE}。" 依据 G2

部分 县本 满分 100 依据 X1-01 "三、考核" {{
  项目 作业一 满分 100 依据 X1-02 "三、1" {{
    截止 2024-10-15 24:00 前   基于 日期截止
    逾期 得 0
    缺交 得 0
  }}
}}
合格 当 总分 不少于 60 授予 36 学时   依据 X1-03 "四"
"""


def _paths(name: str) -> tuple[Path, Path]:
    return REPO / "policies" / f"{name}.policy", REPO / "policies" / "examples" / name / "records.json"


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


class _Page(HTMLParser):
    """What the tests read from a page: elements by attribute, their text, and every script element."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in ("meta", "rect", "line", "input", "br", "img"):  # void or self-closed in this page
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("meta", "rect", "line", "input", "br", "img") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [
            (a, "".join(t))
            for g, a, t in self.elements
            if (tag is None or g == tag) and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> str:
        (found,) = self.find(id=ident)
        return found[1]

    def counts(self) -> dict[str, str]:
        return {
            a["data-count"]: text.strip() for _, a, t in self.elements if "data-count" in a for text in ["".join(t)]
        }

    def bars(self, chart: str) -> dict[str, tuple[int, int, str]]:
        """The bars of an SVG chart: key -> (passed, assessed, rate)."""
        inside = False
        out = {}
        for tag, a, _ in self.elements:
            if tag == "svg":
                inside = a.get("id") == chart
            elif inside and tag == "g" and "bar" in a.get("class", ""):
                out[a["data-key"]] = (int(a["data-passed"]), int(a["data-assessed"]), a["data-rate"])
        return out

    def explanations(self) -> dict[str, list[str]]:
        """Decompress the page's index and chunks as the script does: id -> the explanations with that id."""
        index = json.loads(gzip.decompress(base64.b64decode(self.by_id("index"))))
        out: dict[str, list[str]] = {}
        for n, chunk in enumerate(index):
            texts = json.loads(gzip.decompress(base64.b64decode(self.by_id(f"chunk-{n}"))))
            assert len(texts) == len(chunk["i"]) == len(chunk["n"])
            for ident, text in zip(chunk["i"], texts, strict=True):
                out.setdefault(ident, []).append(text)
        return out


def _expected_numbers(results: Path) -> dict[str, Any]:
    """Counts, pass rate and per-school rates computed from a results file's decisions (not from the report)."""
    data = json.loads(results.read_text(encoding="utf-8"))
    decisions = data["decisions"] if isinstance(data, dict) else data
    status = {k: sum(1 for d in decisions if d["status"] == k) for k in ("assessed", "not_enrolled", "exempt", "error")}
    verdicts = [d for d in decisions if d["status"] == "assessed" and d["passed"] is not None]
    # the pass rule does not apply to some teachers (003): they are not failures and are left out of the rates
    judged = [d for d in verdicts if d.get("pass_applicable", True)]
    schools: dict[str, list[int]] = {}
    for d in judged:
        tally = schools.setdefault(d["school"] or "（无学校）", [0, 0])
        tally[0] += d["passed"] is True
        tally[1] += 1
    passed = sum(1 for d in judged if d["passed"] is True)
    rate = (Decimal(passed) / Decimal(len(judged))).quantize(Decimal("0.0001")) if judged else None
    return {
        "in": len(decisions),
        "evaluated": len(decisions) - status["error"],
        "errors": status["error"],
        **status,
        "passed": passed,
        "not_applicable": len(verdicts) - len(judged),
        "rate": rate,
        "schools": {
            k: (p, n, str((Decimal(p) / Decimal(n)).quantize(Decimal("0.0001")))) for k, (p, n) in schools.items()
        },
    }


def _percent(rate: Decimal) -> str:
    return f"{rate * 100:.2f}%"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """For each case: the report page and the results file of ``evaluate --report`` (one run of each)."""
    out = {}
    for key, (name, _) in CASES.items():
        policy, records = _paths(name)
        where = tmp_path_factory.mktemp(f"report-{key}")
        page, results = where / "report.html", where / "results.json"
        result = _run("evaluate", policy, records, "-o", results, "--report", page)
        assert result.exit_code in (0, 1), result.output
        assert page.exists()
        assert results.exists()
        out[key] = (page, results)
    return out


def _explain_text(name: str, ident: str, lang: str = "zh") -> str:
    policy, records = _paths(name)
    result = _run("explain", policy, records, "--id", ident, "--lang", lang)
    assert result.exit_code in (0, 1)
    return result.stdout.rstrip("\n")


# ---------- the page's content, without a browser ----------


@pytest.mark.parametrize("key", list(CASES))
def test_numbers_equal_the_results_file(pages: dict[str, tuple[Path, Path]], key: str) -> None:
    page, results = pages[key]
    html = _Page(page.read_text(encoding="utf-8"))
    want = _expected_numbers(results)
    counts = html.counts()
    for k in ("in", "evaluated", "errors", "assessed", "not_enrolled", "exempt"):
        assert counts[k] == str(want[k]), k
    assert int(counts["in"]) == int(counts["evaluated"]) + int(counts["errors"])
    assert counts["passed"] == str(want["passed"])
    assert counts["pass_rate"] == _percent(want["rate"])
    assert counts.get("pass_not_applicable", "0") == str(want["not_applicable"])
    assert counts["not_passed"] == str(want["assessed"] - want["not_applicable"] - want["passed"])
    if key == "003":  # P07, P10–P23: "不合格：合格规则不适用" — 3 of the 6 the rule applies to passed
        assert (want["not_applicable"], want["rate"]) == (15, Decimal("0.5000"))
    (rate,) = html.find(data_count="pass_rate")
    assert rate[0]["data-rate"] == str(want["rate"])
    assert html.bars("school-rates") == want["schools"]


@pytest.mark.parametrize("key", list(CASES))
def test_every_teacher_has_the_words_of_explain(pages: dict[str, tuple[Path, Path]], key: str) -> None:
    name, ident = CASES[key]
    texts = _Page(pages[key][0].read_text(encoding="utf-8")).explanations()
    assert texts[ident] == [_explain_text(name, ident)]
    data = json.loads(_paths(name)[1].read_text(encoding="utf-8"))
    ids = [t["id"] for t in data["teachers"] if isinstance(t, dict) and isinstance(t.get("id"), str) and t["id"]]
    assert set(ids) <= set(texts)  # every teacher with an id can be found


def test_the_page_is_self_contained(pages: dict[str, tuple[Path, Path]]) -> None:
    text = pages["004"][0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "@import" not in text
    assert "url(" not in text
    html = _Page(text)
    scripts = html.find("script")
    assert [a.get("type", "") for a, _ in scripts[:2]] == ["application/json", "application/octet-stream"]
    assert sum(1 for a, _ in scripts if "type" not in a) == 1  # the one script that runs
    assert not html.find("link")
    assert not html.find("img")
    assert not html.find("iframe")


def test_the_plan_and_its_assumptions_are_shown(pages: dict[str, tuple[Path, Path]]) -> None:
    policy = load(_paths(CASES["004"][0])[0])
    html = _Page(pages["004"][0].read_text(encoding="utf-8"))
    text = "".join(t for _, t in html.find("body"))
    assert policy.title in text
    for a in policy.assumptions():
        assert a.text in text
    sha = html.by_id("sha256")
    assert re.fullmatch(r"[0-9a-f]{64}", sha)


def test_unencoded_clauses_are_listed(tmp_path: Path) -> None:
    policy = load(_paths(CASES["003"][0])[0])
    assert policy.unencoded(), "document 003 declares 不编码 clauses"
    html = report.collect(policy, []).render()
    for u in policy.unencoded():
        assert u.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


def test_the_pass_mark_is_drawn_only_for_total_not_below_n(pages: dict[str, tuple[Path, Path]]) -> None:
    html = _Page(pages["004"][0].read_text(encoding="utf-8"))
    (line,) = html.find("line", id="pass-mark")
    bins = [a for a, _ in html.find("g", **{"class": "bin"})]
    sixty = next(i for i, b in enumerate(bins) if b["data-low"] == "60")
    tags = [(tag, a) for tag, a, _ in html.elements]
    xs = [int(tags[n + 2][1]["x"]) for n, (tag, a) in enumerate(tags) if tag == "g" and a.get("class") == "bin"]
    (bar,) = {b - a for a, b in itertools.pairwise(xs)}  # each bin's rect follows its <g> and <title>
    assert Decimal(line[0]["x1"]) == sixty * bar  # the line is at the left edge of the bin that starts at 60
    assert "合格线 60" in html.by_id("mark-note")
    assert report.pass_mark(load(_paths(CASES["000"][0])[0]).plan) == Decimal(70)
    no_mark = _Page(pages["003"][0].read_text(encoding="utf-8"))
    assert not no_mark.find("line", id="pass-mark")
    assert not no_mark.find(id="mark-note")  # 003 scores no points: no totals chart, so no note about its mark
    assert report.pass_mark(load(_paths(CASES["003"][0])[0]).plan) is None


def test_histogram_counts_every_assessed_total(pages: dict[str, tuple[Path, Path]]) -> None:
    page, results = pages["000"]
    html = _Page(page.read_text(encoding="utf-8"))
    data = json.loads(results.read_text(encoding="utf-8"))
    decisions = data["decisions"] if isinstance(data, dict) else data
    totals = [Decimal(d["total"]) for d in decisions if d["status"] == "assessed" and d["total"] is not None]
    bins = [a for a, _ in html.find("g", **{"class": "bin"})]
    assert sum(int(b["data-teachers"]) for b in bins) == len(totals)
    for b in bins:
        low, high = Decimal(b["data-low"]), Decimal(b["data-high"])
        last = b is bins[-1]
        inside = [t for t in totals if low <= t < high or (last and t == high)]
        assert int(b["data-teachers"]) == len(inside)


def test_group_findings_and_record_errors_are_listed(pages: dict[str, tuple[Path, Path]]) -> None:
    page, results = pages["000"]
    html = _Page(page.read_text(encoding="utf-8"))
    findings = html.find("tr", **{"class": "finding"})
    assert {a["data-state"] for a, _ in findings} == {"held", "failed"}
    assert any("R000-08" in t and "5%" in t for _, t in findings)  # the citation and its section
    (failed,) = [t for a, t in findings if a["data-state"] == "failed" and "学科 = 数学" in t and "实地考核名额" in t]
    # in words: what is counted, the limit with its rounding and the numbers put in, the comparison, who was counted
    assert "提交了“教学设计实地考核”的人数 2 应不超过 上限 向下取整(5% × 7) 0" in failed
    assert "已考核人数 7" in failed
    assert "计入的教师（提交了“教学设计实地考核”的人数）：T0023, T0032" in failed
    data = json.loads(results.read_text(encoding="utf-8"))
    decisions = data["decisions"] if isinstance(data, dict) else data
    errors = [d for d in decisions if d["status"] == "error"]
    rows = html.find("tr", **{"class": "record-error"})
    assert len(rows) >= len(errors) > 0
    for d in errors:
        assert any(d["location"] in t for _, t in rows)


def test_english_page(tmp_path: Path) -> None:
    name, ident = CASES["000"]
    policy, records = _paths(name)
    page = tmp_path / "en.html"
    assert _run("report", policy, records, "-o", page, "--lang", "en").exit_code == 1  # the example has bad records
    html = _Page(page.read_text(encoding="utf-8"))
    assert html.find("html", lang="en")
    assert "Pass rate per school" in page.read_text(encoding="utf-8")
    assert html.explanations()[ident] == [_explain_text(name, ident, "en")]


def test_chunks_split_a_large_school(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "CHUNK_TEACHERS", 3)
    name, _ = CASES["000"]
    policy, records = _paths(name)
    html = _Page(report.collect(load(policy), read_records(records), read_schools(records)).render())
    index = json.loads(gzip.decompress(base64.b64decode(html.by_id("index"))))
    assert len(index) > 5
    assert all(len(c["i"]) <= 3 for c in index)
    texts = html.explanations()
    assert texts["T0010"] == [_explain_text(name, "T0010")]


def test_chunks_follow_the_input_order_whatever_the_schools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Interleaved schools do not multiply the chunks (each compressed alone): full chunks, in input order."""
    monkeypatch.setattr(report, "CHUNK_TEACHERS", 3)
    monkeypatch.setattr(report, "MAX_BARS", 2)
    name, _ = CASES["000"]
    policy, records = _paths(name)
    built = report.collect(load(policy), read_records(records), read_schools(records))
    schools = len(built.summary.by_school)
    assert schools > 2
    html = _Page(built.render())
    assert len(html.bars("school-rates")) == 2
    assert f"另有 {schools - 2} 项未画出" in "".join(t for _, t in html.find("p"))
    lowest = sorted(built.summary.by_school.items(), key=lambda kv: (kv[1].rate, kv[0]))[:2]
    assert list(html.bars("school-rates")) == [k for k, _ in lowest]  # beyond MAX_BARS: the lowest rates drawn
    index = json.loads(gzip.decompress(base64.b64decode(html.by_id("index"))))
    assert all(len(c["i"]) == 3 for c in index[:-1])  # every chunk full but the last
    data = json.loads(records.read_text(encoding="utf-8"))
    teachers = [t for t in data["teachers"] if isinstance(t, dict) and (t.get("id") or t.get("name"))]
    assert [i for c in index for i in c["i"]] == [str(t.get("id") or "") for t in teachers]  # input order
    ids = {t["id"] for t in teachers if isinstance(t.get("id"), str) and t["id"]}
    assert ids <= set(html.explanations())


def test_a_plan_without_a_pass_rule_has_no_pass_rate() -> None:
    name = "lanxi_2023_research-training"
    policy, records = _paths(name)
    loaded = load(policy)
    assert loaded.plan.outcome is None
    html = _Page(report.collect(loaded, read_records(records), read_schools(records)).render())
    assert "pass_rate" not in html.counts()
    assert not html.find("svg", id="school-rates")
    notes = "".join(t for _, t in html.find("p"))
    assert "本方案没有合格规则" in notes
    assert "本方案不计总分（没有计分部分）" in notes  # no totals chart and no pass mark for a plan without points
    assert not html.find("svg", id="histogram")
    assert "T02" in html.explanations()


@pytest.mark.parametrize("name", ["lanxi_2023_research-training", "district_2016-2020_13th-five-year-training"])
def test_a_plan_without_points_shows_its_results_and_what_is_owed(name: str, tmp_path: Path) -> None:
    """001/002: no totals; each numeric result's spread and what each requirement line still owes, as the results."""
    policy, records = _paths(name)
    page, results = tmp_path / "r.html", tmp_path / "r.json"
    _run("evaluate", policy, records, "-o", results, "--report", page)
    html = _Page(page.read_text(encoding="utf-8"))
    assert not html.find("svg", id="histogram")
    assert not html.find("svg", id="loss-chart")  # no points, so no lost points either
    decisions = [d for d in json.loads(results.read_text(encoding="utf-8"))["decisions"] if d["status"] == "assessed"]
    rows = {a["data-result"]: a for a, _ in html.find("tr") if "data-result" in a}
    assert rows
    for result, row in rows.items():
        values = [Decimal(d["results"][result]["value"]) for d in decisions if d["results"][result]["applicable"]]
        assert (row["data-teachers"], Decimal(row["data-sum"])) == (str(len(values)), sum(values))
        assert html.find("svg", id=f"result-{list(rows).index(result)}")
    owed = {a["data-owed"]: a for a, _ in html.find("tr") if "data-owed" in a}
    for requirement, row in owed.items():
        if " / " in requirement:
            continue
        lines = [  # the main line's owed; with 逐 summed over the values (as 名称.欠)
            sum(Decimal(line["owed"]) for line in q["lines"] if line["label"] is None)
            for d in decisions
            for q in [d["requirements"][requirement]]
            if q["applicable"] and q["lines"] and q["lines"][0]["label"] is None
        ]
        assert Decimal(row["data-sum"]) == sum(lines)
        assert row["data-owing"] == str(sum(1 for x in lines if x))
    assert owed
    assert "达到率" in "".join(t for _, t in html.find("th"))  # the % column has a header


def test_output_may_not_be_an_input(tmp_path: Path) -> None:
    policy, records = _paths(CASES["004"][0])
    copy = tmp_path / "records.json"
    shutil.copy(records, copy)
    before = copy.read_bytes()
    result = _run("report", policy, copy, "-o", copy)
    assert result.exit_code == 2
    assert "就是输入文件" in result.stderr
    assert copy.read_bytes() == before


def test_records_from_stdin_are_refused(tmp_path: Path) -> None:
    policy, _ = _paths(CASES["004"][0])
    result = CliRunner().invoke(main, ["report", str(policy), "-", "-o", str(tmp_path / "r.html")], input="[]")
    assert result.exit_code == 2
    assert "请给出记录文件" in result.stderr
    assert not (tmp_path / "r.html").exists()


def _hostile_files(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "hostile.policy"
    policy.write_text(HOSTILE_POLICY, encoding="utf-8")
    records = tmp_path / "records.json"
    teachers = [
        {"id": "H1", "name": HOSTILE, "school": HOSTILE, "subject": "<b>语文</b>", "items": {}},
        {
            "id": "H2",
            "name": "正常",
            "school": "一中",
            "items": {"作业一": {"submitted_at": "2024-10-01", "score": "70"}},
        },
        {"id": "H2", "name": "<!-- 重复 -->", "school": "一中", "items": {}},
    ]
    records.write_text(json.dumps({"teachers": teachers}, ensure_ascii=False), encoding="utf-8")
    return policy, records


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    policy, records = _hostile_files(tmp_path)
    loads(HOSTILE_POLICY)  # the policy is valid: its text reaches the page
    page = tmp_path / "report.html"
    result = _run("report", policy, records, "-o", page)
    assert result.exit_code == 1, result.output  # the repeated id is a record error
    text = page.read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "<img" not in text
    assert "<b>" not in text
    assert "<!-- 重复" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    html = _Page(text)
    assert len(html.find("script")) == 3 + len(json.loads(gzip.decompress(base64.b64decode(html.by_id("index")))))
    assert any(HOSTILE in t for _, t in html.find("title"))  # shown as text, in the title and the chart
    assert any(a.get("data-key") == HOSTILE for a, _ in html.find("g"))
    assert HOSTILE in html.explanations()["H1"][0]


# ---------- in a real browser ----------


def _no_browser() -> str | None:
    try:
        import selenium  # noqa: F401  # only to know whether it is installed
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver; .ci/run does it)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium through chromedriver, with a fresh profile and nothing that reaches the network."""
    missing = _no_browser()
    if missing is not None:
        pytest.skip(f"BROWSER TESTS SKIPPED: no headless Chromium here: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _search(driver: Any, query: str) -> list[tuple[str, str]]:
    """Type ``query`` into the page's search box, submit, and return the shown (id, text) pairs."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(query)
    driver.execute_script("document.getElementById('status').textContent = ''")
    driver.find_element(By.CSS_SELECTOR, "#search button").click()
    WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.ID, "status").text and "…" not in d.find_element(By.ID, "status").text
    )
    return [
        (p["id"], p["text"])
        for p in driver.execute_script(
            "return Array.from(document.querySelectorAll('#hits pre'), p => ({id: p.dataset.id, text: p.textContent}))"
        )
    ]


def _console(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]


@pytest.mark.parametrize("key", list(CASES))
def test_in_the_browser(browser: Any, pages: dict[str, tuple[Path, Path]], key: str) -> None:
    name, ident = CASES[key]
    page, results = pages[key]
    browser.get(page.as_uri())
    assert _console(browser) == []
    shown = _search(browser, ident)
    assert shown == [(ident, _explain_text(name, ident))]
    assert _console(browser) == []
    want = _expected_numbers(results)
    counts = browser.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('[data-count]'),"
        " e => [e.dataset.count, e.textContent.trim()]))"
    )
    for k in ("in", "evaluated", "errors", "assessed", "not_enrolled", "exempt", "passed"):
        assert counts[k] == str(want[k]), k
    assert counts["pass_rate"] == _percent(want["rate"])
    assert counts.get("pass_not_applicable", "0") == str(want["not_applicable"])
    assert counts["not_passed"] == str(want["assessed"] - want["not_applicable"] - want["passed"])
    if key == "003":  # P07, P10–P23: "不合格：合格规则不适用" — 3 of the 6 the rule applies to passed
        assert (want["not_applicable"], want["rate"]) == (15, Decimal("0.5000"))
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('#school-rates g.bar'),"
        " g => [g.dataset.key, +g.dataset.passed, +g.dataset.assessed, g.dataset.rate])"
    )
    assert {k: (p, n, r) for k, p, n, r in bars} == want["schools"]


def test_in_the_browser_search_by_name_and_misses(browser: Any, pages: dict[str, tuple[Path, Path]]) -> None:
    name, _ = CASES["000"]
    data = json.loads(_paths(name)[1].read_text(encoding="utf-8"))
    teacher = next(t for t in data["teachers"] if t.get("id") == "T0010")
    browser.get(pages["000"][0].as_uri())
    shown = _search(browser, teacher["name"])
    assert ("T0010", _explain_text(name, "T0010")) in shown
    assert _search(browser, "没有这个人") == []
    assert "没有" in browser.execute_script("return document.getElementById('status').textContent")
    browser.get(pages["000"][0].as_uri() + "#q=T0010")  # a link to one teacher
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.querySelectorAll('#hits pre').length"))
    assert _console(browser) == []
    browser.get(pages["000"][0].as_uri() + "#q=%E4")  # a malformed escape: searched as written, no uncaught error
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.getElementById('status').textContent"))
    assert browser.execute_script("return document.getElementById('q').value") == "%E4"
    assert _console(browser) == []


def test_in_the_browser_hostile_text_does_not_run(browser: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    policy, records = _hostile_files(tmp_path)
    page = tmp_path / "report.html"
    _run("report", policy, records, "-o", page)
    browser.get(page.as_uri())
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018  # reading the alert is what raises when there is none
    shown = _search(browser, "alert(1)")
    assert [i for i, _ in shown] == ["H1"]
    assert HOSTILE in shown[0][1]
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018  # as above
    assert browser.execute_script("return document.querySelectorAll('script:not([type])').length") == 1
    assert "alert" in browser.execute_script("return document.title")  # shown as text
    assert _console(browser) == []


def test_group_findings_in_english_words_with_a_literal_bound_and_members(tmp_path: Path) -> None:
    """002: the count is compared with a number written in the policy (1000): the page shows it."""
    policy, records = _paths("district_2016-2020_13th-five-year-training")
    page = tmp_path / "en.html"
    _run("report", policy, records, "-o", page, "--lang", "en")
    findings = _Page(page.read_text(encoding="utf-8")).find("tr", **{"class": "finding"})
    (total,) = [t for _, t in findings if "骨干教师培训总数" in t]
    assert "teachers for whom '有值(骨干培训级别)' holds 3 must be at least 1000" in total
    assert "teachers counted (teachers for whom '有值(骨干培训级别)' holds): T1, T3, T4" in total


def test_run_times_in_the_plans_zone_and_in_utc(pages: dict[str, tuple[Path, Path]]) -> None:
    html = _Page(pages["004"][0].read_text(encoding="utf-8"))
    run = json.loads(pages["004"][1].read_text(encoding="utf-8"))["run"]
    started = html.by_id("started")
    assert "+08:00 (UTC " + run["started_at"] + ")" in started  # 004's 时区 is Asia/Shanghai
