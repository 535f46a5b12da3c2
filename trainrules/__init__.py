"""trainrules: teacher-training plans as executable, checkable policy.

The public API: :func:`load` a policy file or :func:`loads` policy text (both raise
:class:`PolicyError` with diagnostics), :func:`check` a file or :func:`checks` text without
raising, then ``policy.evaluate(records)`` for :class:`Results` (decisions, group findings and the
:class:`RunSummary` as ``.run``) or ``policy.explain(record)`` for one teacher's :class:`Explanation`.
The JSON Schemas of the outputs are in :mod:`trainrules.schemas`.
"""

from trainrules.api import AssumptionInfo, Policy, UnencodedInfo, check, checks, load, loads
from trainrules.diagnostics import Diagnostic, PolicyError, Severity
from trainrules.explain import Explanation, explain, render_explanation
from trainrules.params import ParamError
from trainrules.records import RawRecord, ReadProblem, RecordsFileError, read_records, read_schools
from trainrules.render import render_text
from trainrules.results import (
    Decision,
    GroupFinding,
    ItemResult,
    PartResult,
    RequirementResult,
    Results,
    ResultValue,
    Step,
)
from trainrules.run import RunSummary
from trainrules.source import Source, Span

__all__ = [
    "AssumptionInfo",
    "Decision",
    "Diagnostic",
    "Explanation",
    "GroupFinding",
    "ItemResult",
    "ParamError",
    "PartResult",
    "Policy",
    "PolicyError",
    "RawRecord",
    "ReadProblem",
    "RecordsFileError",
    "RequirementResult",
    "ResultValue",
    "Results",
    "RunSummary",
    "Severity",
    "Source",
    "Span",
    "Step",
    "UnencodedInfo",
    "check",
    "checks",
    "explain",
    "load",
    "loads",
    "read_records",
    "read_schools",
    "render_explanation",
    "render_text",
]

__version__ = "0.1.0"
