"""AST to checked policy: build the symbol tables, refuse cycles and over-deep definitions, then run the PASSES."""

from __future__ import annotations

from collections.abc import Callable

from trainrules.check import (
    bands,
    citations,
    definitions,
    division,
    foreach,
    labels,
    lists,
    names,
    outcomes,
    period,
    points,
    time,
    types,
    units,
    unused,
)
from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["PASSES", "check_module"]

Pass = Callable[[CheckedPolicy, Collector], None]

#: The checks, in order; each adds diagnostics and never raises.
PASSES: tuple[Pass, ...] = (
    citations.check_citations,
    types.check_types,
    foreach.check_foreach,
    units.check_units,
    lists.check_lists,
    labels.check_labels,
    bands.check_bands,
    outcomes.check_outcomes,
    points.check_points,
    division.check_division,
    period.check_period,
    time.check_time,
    unused.check_unused,
)


def check_module(module: ast.Module, out: Collector) -> CheckedPolicy | None:
    """Check a lowered module; returns the checked policy, or None when the tables could not be built."""
    plan = names.single_plan(module, out)
    if plan is None:
        return None
    policy = names.build(module, plan, out)
    if not definitions.check_definitions(policy, out):
        return policy  # a cycle or a chain too deep: the passes below would follow it recursively
    for check in PASSES:
        check(policy, out)
    return policy
