"""Every depth, size and count limit in one place, each with the diagnostic or error it gives.

docs/limits.md lists them for users. The record-input limits are enforced in
``trainrules.records`` and ``trainrules.values``; their values are stated here (a test keeps
the two in step) so that this module is the one list of what trainrules refuses.
"""

from __future__ import annotations

__all__ = [
    "MAX_DEFINITION_DEPTH",
    "MAX_DIAGNOSTICS_SHOWN",
    "MAX_EACH_VALUES",
    "MAX_EACH_WORK",
    "MAX_ENTRIES",
    "MAX_ENTRIES_SHOWN",
    "MAX_ENTRY_ROWS",
    "MAX_HINT_CANDIDATES",
    "MAX_HINT_NAME_CHARS",
    "MAX_JSON_FILE_BYTES",
    "MAX_JSON_RECORD_CHARS",
    "MAX_LINE_CHARS",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_POLICY_BYTES",
    "MAX_POLICY_FRACTION_DIGITS",
    "MAX_POLICY_INTEGER_DIGITS",
    "MAX_RECORD_FIELD_CHARS",
    "MAX_RECORD_FRACTION_DIGITS",
    "MAX_RECORD_INTEGER_DIGITS",
    "MAX_RECORD_LABELS",
    "MAX_RECORD_WHOLE_NUMBER",
    "MAX_TOKENS",
    "MAX_XLSX_CELL_BYTES",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "MAX_XLSX_WHOLE_PARTS_BYTES",
    "YEARS",
]

# ---------- policy text ----------

#: A policy file (or text) larger than this many bytes is refused before parsing: **E102**.
#: A real plan is a few KB.
MAX_POLICY_BYTES = 200_000
#: Deepest nesting of brackets and operators in one expression or block: **E113**.
MAX_NESTING = 64
#: Most syntax-tree nodes one policy may have: **E114**.
MAX_NODES = 50_000
#: Deepest nesting *across* definitions: an expression's own levels plus, for each name it
#: refers to (a 定义, an item, a part, 总分), that name's depth, counted the same way: **E104**.
#: ``定义 y0 = y1 + 1`` is 2 levels above ``y1``. Evaluation follows these references on the
#: Python stack; at this depth it stays far below Python's default recursion limit (1000).
MAX_DEFINITION_DEPTH = 128

#: Most digits before / after the decimal point of a number written in a policy: **E203**
#: (enforced in ``trainrules.syntax.lower``).
MAX_POLICY_INTEGER_DIGITS = 15
MAX_POLICY_FRACTION_DIGITS = 10
#: Years a date may have, in a policy (**E201**) and in a record (an error for that record).
YEARS = (1900, 2999)

#: Most words, numbers and signs one policy may have, counted before parsing so that an
#: oversized policy is refused at once: **E114** (parsing this many takes about half a second).
MAX_TOKENS = 50_000

# ---------- diagnostics ----------

#: Rendered diagnostics stop after this many, with "… and N more"; "did you mean" hints are
#: computed only for these (no diagnostic code: the rest are counted, not shown).
MAX_DIAGNOSTICS_SHOWN = 50
#: An unknown name longer than this many characters gets no "did you mean" hint (E301, E304).
MAX_HINT_NAME_CHARS = 64
#: At most this many candidate names are compared for one "did you mean" hint (E301, E304);
#: beyond it the hint is left out rather than computed slowly.
MAX_HINT_CANDIDATES = 5_000

# ---------- records (enforced in trainrules.values and trainrules.records) ----------

#: Longest text value accepted from a record field: an error for that record.
MAX_RECORD_FIELD_CHARS = 1000
#: Most digits before / after the decimal point of a number in a record: an error for that record.
MAX_RECORD_INTEGER_DIGITS = 18
MAX_RECORD_FRACTION_DIGITS = 10
#: Largest whole number (整数, a word count) in a record: an error for that record.
MAX_RECORD_WHOLE_NUMBER = 10**12
#: Most labels in one 标签集 field of a record: an error for that record.
MAX_RECORD_LABELS = 1000
#: Most entries one list of one record may have (``培训记录: 列表 {…}``): beyond it the record is an
#: error naming the list. The checker's bounds use it too: a sum over a list of values at most M is
#: at most MAX_ENTRIES × M, and a count is 0 to MAX_ENTRIES.
MAX_ENTRIES = 10_000
#: Most values one ``逐 名 取自 式`` runs over (``序列(甲, 乙)`` or a list): a written range beyond it is
#: E352 at check time, a computed one an error for that record, never a long run.
MAX_EACH_VALUES = 1_000
#: Most values × entries one ``逐`` of a 要求 or per-teacher 核查 may take for one record when its rule
#: aggregates over a list for each value (every value reads every entry): beyond it an error for that
#: record saying so, never a long run. 1,000 values × 10,000 entries took 81 s of CPU for one teacher
#: (about 8 µs per entry read, ``benchmarks/each_work.py``); at this bound a record takes about 4 s.
#: A rolling window over 37 months reads 37 × the entries, so up to 13,500 entries. A written range of
#: more than 100 values with such an aggregate is W559 at check time.
MAX_EACH_WORK = 500_000
#: An explanation lists at most this many entries per reason a filter dropped them (and per list of
#: kept entries), then "… 另 N 条" (no diagnostic: the rest are counted, not shown).
MAX_ENTRIES_SHOWN = 20
#: Longest JSON line, CSV physical line or CSV cell, in characters: an error for that line.
MAX_LINE_CHARS = 1 << 20
#: Longest single record of a .json document, in characters: an error for that record (it is
#: skipped without being decoded; the other records are read).
MAX_JSON_RECORD_CHARS = 16 * MAX_LINE_CHARS
#: Largest .json records file: RecordsFileError, exit 2 (use JSON Lines). It is read as a stream
#: (one record in memory at a time), twice (checked whole, then read), so the cap bounds time.
MAX_JSON_FILE_BYTES = 256 << 20
#: Sum of the uncompressed sizes an xlsx archive declares: RecordsFileError, exit 2.
MAX_XLSX_UNCOMPRESSED_BYTES = 512 << 20
#: Longest run of text in a worksheet's XML (one cell): RecordsFileError, exit 2. Worksheets larger
#: than this are scanned for such a run before they are parsed, since the parser holds one text node
#: whole (a 450 MiB cell in a 464 KB file needed 1.3 GiB).
MAX_XLSX_CELL_BYTES = 64 << 20
#: Sum of the uncompressed parts of an xlsx that are parsed whole (everything but the worksheets,
#: which are streamed): the shared-strings table above all, which takes up to about 1.7x its XML
#: size in memory (benchmarks/memory.py): RecordsFileError, exit 2.
MAX_XLSX_WHOLE_PARTS_BYTES = 128 << 20

# ---------- outputs (enforced in trainrules.writers) ----------

#: Most rows an xlsx output sheet may have, the header included (Excel opens no more):
#: OutputError suggesting .csv or .jsonl, exit 2, nothing written.
MAX_XLSX_ROWS = 1_048_576

# ---------- entries in long format (enforced in trainrules.records) ----------

#: Most rows one long-format entries file (``--entries 培训记录=events.csv``) may have:
#: RecordsFileError, exit 2 (split the run). The file is indexed in memory by teacher id, about
#: 230 bytes per entry of five short fields (benchmarks/README.md), so the cap bounds memory (under 1 GiB).
MAX_ENTRY_ROWS = 3_000_000

#: Teachers named per 计数 of a group finding (the workbook's 核查 sheet): the rest are counted, not named,
#: so a check over a whole county cannot make the run keep every id in memory.
MAX_GROUP_MEMBERS_SHOWN = 200

#: Failed teachers whose smallest passing changes the workbook's 明细 searches (each search re-evaluates the
#: record some tens of times; benchmarks/bench_workbook.py): the rest say they were not searched and
#: name the ``explain --id`` command that searches them.
MAX_WORKBOOK_CHANGES = 10_000
