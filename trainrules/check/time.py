"""Time: calendar functions and windows whose written arguments cannot work (E207, E209, W530), and the
assumption every month-end shift relies on (E208)."""

from __future__ import annotations

import pendulum

from trainrules.check.walk import children, sites
from trainrules.diagnostics import Collector
from trainrules.errors import ComputeError
from trainrules.functions import CLAMP_ASSUMPTION, FUNCTIONS
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["check_time"]

#: The calendar functions whose result can be moved to a month's last day, and the argument that decides
#: it: a written date whose day cannot be missing from any month (1..28) needs no assumption.
_CLAMP_ARG = {"加年": 0, "加月": 0, "首年": 0, "近月": 0, "周期起": 1, "周期止": 1, "周期序号": 1, "周期": 1}


def _literal(e: ast.Expr) -> object | None:
    if isinstance(e, ast.Number):
        return e.value
    if isinstance(e, ast.DateLit):
        return e.value
    return None


def _never_clamps(fn: str, e: ast.Expr) -> bool:
    arg = e.args[_CLAMP_ARG[fn]] if isinstance(e, ast.Call) and len(e.args) > _CLAMP_ARG[fn] else None
    if not isinstance(arg, ast.DateLit):
        return False
    if fn in ("周期起", "周期止", "周期序号", "周期"):  # whole years from the start: only 02-29 moves
        return (arg.value.month, arg.value.day) != (2, 29)
    return arg.value.day <= 28


def _call(e: ast.Call, policy: CheckedPolicy, out: Collector, needs_clamp: list[ast.Call]) -> None:
    fn = FUNCTIONS.get(e.func)
    if fn is None or not fn.zoned or (fn.max_args is not None and len(e.args) != fn.max_args):
        return  # not a calendar function, or E304 already says the call is wrong
    values = [_literal(a) for a in e.args]
    failed = False
    for check, a, v in zip(fn.checks, e.args, values, strict=False):
        if check is not None and v is not None:
            try:
                check(v)
            except ComputeError as exc:
                out.add("E207", a.span, call=e.span.text, reason=exc.message_zh, reason_en=exc.message_en)
                failed = True
    if not failed and all(v is not None for v in values) and fn.impl is not None:
        try:  # every argument written: the result is known now
            fn.impl(policy.tz, *values)
        except ComputeError as exc:
            out.add("E207", e.span, call=e.span.text, reason=exc.message_zh, reason_en=exc.message_en)
            failed = True
    if e.func in ("月内星期", "当月星期") and not failed:
        n = e.args[-1]
        if isinstance(n, ast.Number) and n.value == 5 and not all(v is not None for v in values):
            out.add("W530", n.span, call=e.span.text)
    if fn.clamps and not _never_clamps(e.func, e):
        needs_clamp.append(e)


def check_time(policy: CheckedPolicy, out: Collector) -> None:
    """Check calendar calls with written arguments, windows with written ends, and the month-end assumption."""
    needs_clamp: list[ast.Call] = []
    for s in sites(policy):
        stack: list[ast.Expr] = [s.expr]
        while stack:
            e = stack.pop()
            if isinstance(e, ast.Call):
                _call(e, policy, out, needs_clamp)
            elif isinstance(e, ast.Window):
                a, b = _literal(e.start), _literal(e.end)
                if isinstance(a, pendulum.Date) and isinstance(b, pendulum.Date) and a > b:
                    out.add("E209", e.span, start=a.isoformat(), end=b.isoformat())
            stack.extend(children(e))
    if needs_clamp and CLAMP_ASSUMPTION not in policy.assumptions:
        first = min(needs_clamp, key=lambda c: c.span.start)
        out.add("E208", first.span, func=first.func, name=CLAMP_ASSUMPTION)
