"""Every size limit in one place: policy bytes, nesting depth, node count, diagnostics shown."""

from __future__ import annotations

__all__ = [
    "MAX_DIAGNOSTICS_SHOWN",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_POLICY_BYTES",
    "MAX_RECORD_FIELD_CHARS",
]

#: A policy file larger than this is refused before parsing (a real plan is a few KB; the
#: worst case at this size still parses in a few seconds).
MAX_POLICY_BYTES = 200_000
#: Deepest nesting of brackets and operators in one expression or block.
MAX_NESTING = 64
#: Most tree nodes one policy may have.
MAX_NODES = 50_000
#: Rendered diagnostics stop after this many, with "… and N more".
MAX_DIAGNOSTICS_SHOWN = 50
#: Longest text value accepted from a record field.
MAX_RECORD_FIELD_CHARS = 1000

# --- records and outputs (issue 10: memory bounds and Excel's row limit) ---------------------
#: Most rows an xlsx output sheet may have, the header included: Excel opens no more
#: (writers.OutputError suggesting .csv or .jsonl).
MAX_XLSX_ROWS = 1_048_576
#: Largest .json records file. It is read as a stream (one record in memory at a time), twice
#: (checked whole, then read), so the cap bounds time, not memory; JSON Lines has none.
MAX_JSON_FILE_BYTES = 256 << 20
#: Largest sum of the uncompressed sizes an xlsx archive declares (zipfile never reads past them).
MAX_XLSX_UNCOMPRESSED_BYTES = 512 << 20
#: Largest sum of the uncompressed parts of an xlsx that are parsed whole (everything but the
#: worksheets, which are streamed): the shared-strings table above all, which takes up to about
#: 1.7x its XML size in memory (benchmarks/memory.py).
MAX_XLSX_WHOLE_PARTS_BYTES = 128 << 20
