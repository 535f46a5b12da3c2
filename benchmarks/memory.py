"""Peak memory of ``trainrules evaluate`` on the inputs that expand most: a big ``.json`` and a small xlsx
that inflates to hundreds of MiB.

Usage::

    python benchmarks/memory.py [--json-mib 250] [--xlsx-mib 500] [--cases json,xlsx-inline,xlsx-shared]
                                [--dir DIR] [--keep]

Cases:

* ``json``: a ``{"teachers": [...], "schools": [...]}`` document of document-004 records
  (benchmarks/generate.py) of about ``--json-mib`` MiB;
* ``xlsx-inline``: a workbook whose sheet XML inflates to about ``--xlsx-mib`` MiB (inline
  strings, as streaming writers make them), built zip member by zip member, a few MB on disk;
* ``xlsx-shared``: the same size, most of it in the shared-strings table, which openpyxl loads whole;
* ``xlsx-shared-short``: the same with very short shared strings (the most Python objects per byte).

``--lift-caps`` runs the command with the size caps of ``trainrules.limits`` raised, to measure
what they prevent. Each case runs ``trainrules evaluate POLICY INPUT -o OUT.jsonl`` in a fresh child process and
reports its exit code, its first line of stderr (a refusal says why) and its peak resident set
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` measured in a wrapper process that runs only
that one child), in MiB. The figures are reported in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DEFAULT_SEED, _teacher, school_names, school_records

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "lanxi_2019-2020_term1_online-school.policy"
MIB = 1 << 20

_WRAPPER = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
line = (proc.stderr.strip().splitlines() or [""])[-1][:160]
print(proc.returncode, peak, line, sep="\\t")
"""


_LIFTED = """
import sys
from trainrules import limits
from trainrules.cli import main
for name in ("MAX_JSON_FILE_BYTES", "MAX_XLSX_UNCOMPRESSED_BYTES", "MAX_XLSX_WHOLE_PARTS_BYTES"):
    setattr(limits, name, 1 << 40)
sys.argv[0] = "trainrules"
main()
"""


def write_json(path: Path, size: int) -> int:
    """Write a .json document of about ``size`` bytes; return the number of teachers."""
    rng = random.Random(DEFAULT_SEED)
    schools = school_names(50)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"schools": ')
        out.write(json.dumps(school_records(random.Random(DEFAULT_SEED)), ensure_ascii=False))
        out.write(', "teachers": [\n')
        while out.tell() < size - 4096:
            if count:
                out.write(",\n")
            out.write(json.dumps(_teacher(count, rng, schools), ensure_ascii=False))
            count += 1
        out.write("\n]}\n")
    return count


_OOXML = "http://schemas.openxmlformats.org"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL_TYPE = f"{_OOXML}/officeDocument/2006/relationships"
_CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{_OOXML}/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{_SHEET_TYPE}.sharedStrings+xml"/>
</Types>"""
_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_OOXML}/package/2006/relationships">
<Relationship Id="rId1" Type="{_REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{_OOXML}/spreadsheetml/2006/main" xmlns:r="{_REL_TYPE}">
<sheets><sheet name="教师" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_OOXML}/package/2006/relationships">
<Relationship Id="rId1" Type="{_REL_TYPE}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{_REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
_NS = f'xmlns="{_OOXML}/spreadsheetml/2006/main"'


def write_xlsx(path: Path, size: int, *, shared: bool, note: str = "备注" * 200) -> None:
    """A workbook whose XML inflates to about ``size`` bytes: rows of (编号, a note)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        rows = 0
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode())
            header = '<c r="A1" t="inlineStr"><is><t>编号</t></is></c><c r="B1" t="inlineStr"><is><t>备注</t></is></c>'
            sheet.write(f'<row r="1">{header}</row>'.encode())
            written = 0
            string_size = len(f"<si><t>0{note}</t></si>".encode())
            while written < size:
                rows += 1
                r = rows + 1
                cell = (
                    f'<c r="B{r}" t="s"><v>{rows - 1}</v></c>'
                    if shared
                    else f'<c r="B{r}" t="inlineStr"><is><t>{note}</t></is></c>'
                )
                data = f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>T{rows}</t></is></c>{cell}</row>'.encode()
                sheet.write(data)
                written += len(data) + (string_size if shared else 0)
            sheet.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS}>'.encode())
            for i in range(rows if shared else 0):
                strings.write(f"<si><t>{i}{note}</t></si>".encode())
            strings.write(b"</sst>")


def measure(args: list[str]) -> tuple[int, float, str]:
    """Run one command in a wrapper; return its exit code, peak RSS in MiB and last stderr line."""
    argv = [sys.executable, "-c", _WRAPPER, *args]
    out = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603 -- our own command line
    code, peak, line = out.stdout.rstrip("\n").split("\t", 2)
    return int(code), int(peak) / 1024, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json-mib", type=float, default=250)
    parser.add_argument("--xlsx-mib", type=float, default=500)
    parser.add_argument("--cases", default="json,xlsx-inline,xlsx-shared")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--lift-caps", action="store_true", help="raise the size caps of trainrules.limits: see what they prevent"
    )
    opts = parser.parse_args()
    work = opts.dir or Path(tempfile.mkdtemp(prefix="trainrules-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "trainrules", "evaluate", str(POLICY)]
    if opts.lift_caps:
        command[1:3] = ["-c", _LIFTED]
    try:
        for case in opts.cases.split(","):
            if case == "json":
                source = work / "in.json"
                count = write_json(source, int(opts.json_mib * MIB))
                what = f"{count} teachers"
            else:
                source = work / f"{case}.xlsx"
                note = "" if case == "xlsx-shared-short" else "备注" * 200
                write_xlsx(source, int(opts.xlsx_mib * MIB), shared=case.startswith("xlsx-shared"), note=note)
                with zipfile.ZipFile(source) as z:
                    inflated = sum(i.file_size for i in z.infolist())
                what = f"inflates to {inflated / MIB:.0f} MiB"
            size = source.stat().st_size / MIB
            code, peak, line = measure([*command, str(source), "-o", str(work / "out.jsonl")])
            print(f"{case:12} {size:8.1f} MiB on disk ({what}): exit {code}, peak RSS {peak:7.0f} MiB  {line}")
    finally:
        if not opts.keep and opts.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
