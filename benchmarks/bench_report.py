"""The report at scale: size and build time of ``trainrules report`` for document 004, and its speed in Chromium.

Usage::

    python benchmarks/bench_report.py [--n 100000] [--seed 4] [--schools 50] [--keep DIR] [--no-browser]

Generates N teachers (benchmarks/generate.py), runs ``trainrules report`` on them as a
subprocess and prints the wall and CPU time of the build, its peak memory (the child's
maximum RSS), the page's size and how much of it is compressed explanations. Then, unless
``--no-browser`` (or no /usr/bin/chromium + chromedriver), opens the page in headless
Chromium and times the page load and a search for one id (index and chunk decompressed).
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_jsonl

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "policies" / "lanxi_2019-2020_term1_online-school.policy"


def _browser(page: Path, teacher: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
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
        f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        driver.set_page_load_timeout(300)
        start = time.perf_counter()
        driver.get(page.resolve().as_uri())  # --keep may be a relative directory
        loaded = time.perf_counter() - start
        print(f"browser: page loaded in {loaded:.2f} s")
        for attempt in ("first", "second"):
            start = time.perf_counter()
            driver.find_element(By.ID, "q").clear()
            driver.find_element(By.ID, "q").send_keys(teacher)
            driver.execute_script("document.getElementById('hits').textContent = ''")
            driver.find_element(By.CSS_SELECTOR, "#search button").click()
            WebDriverWait(driver, 300).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hits pre"))
            print(f"browser: {attempt} search for {teacher}: {time.perf_counter() - start:.2f} s")
        heap = driver.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : null")
        if heap:
            print(f"browser: JS heap after searching {heap / 2**20:.0f} MiB")
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        print(f"browser: console errors: {errors or 'none'}")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--schools", type=int, default=50, help="schools, interleaved in the records (e.g. 300)")
    parser.add_argument("--keep", type=Path, default=None, help="write the records and the page here")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    where = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    where.mkdir(parents=True, exist_ok=True)
    records, page = where / "in.jsonl", where / "report.html"
    write_jsonl(args.n, records, seed=args.seed, schools=args.schools)
    command = [sys.executable, "-m", "trainrules", "report", str(POLICY), str(records), "-o", str(page)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # our own command
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"report failed ({done.returncode}): {done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = page.read_text(encoding="utf-8")
    blobs = sum(len(m) for m in re.findall(r'<script type="application/octet-stream" id="[^"]+">([^<]*)<', text))
    size = page.stat().st_size
    rss = after.ru_maxrss / 1024
    print(f"{args.n} teachers: report built in {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {rss:.0f} MiB")
    print(f"page: {size / 2**20:.1f} MiB ({size / args.n:.0f} bytes/teacher), compressed data {blobs / 2**20:.1f} MiB")
    if not args.no_browser and Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists():
        _browser(page, f"T{args.n // 2:07d}")  # ids as generate.py writes them


if __name__ == "__main__":
    main()
