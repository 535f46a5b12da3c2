"""The command line (click): the only module that prints or exits."""

from __future__ import annotations

import sys
from typing import Literal

import attrs
import click
import orjson

from trainrules.api import _analyse, iter_policy_files, load
from trainrules.diagnostics import PolicyError, Severity
from trainrules.render import diagnostic_to_dict, render_text, summary_line

__all__ = ["main"]

Lang = Literal["zh", "en"]
_LANG = click.Choice(["zh", "en"])
_FORMAT = click.Choice(["text", "json"])


def _dump(data: object) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode("utf-8") + "\n")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trainrules")
def main() -> None:
    """trainrules: teacher-training plans as checkable, executable policy."""


@main.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=_FORMAT, default="text", help="text for people, json for editors and tools.")
@click.option("--assumptions", is_flag=True, help="Also list each policy's assumptions (rulings the source does not state).")
@click.option("--lang", type=_LANG, default="zh", help="Language of the engine's own words.")
def check_cmd(paths: tuple[str, ...], fmt: str, assumptions: bool, lang: Lang) -> None:
    """Check policy files (or directories of them). Exit 0 clean, 1 only warnings, 2 errors."""
    worst = 0
    report = []
    for path in iter_policy_files(list(paths)):
        checked, diags = _analyse(path, None)
        errors = any(d.severity is Severity.ERROR for d in diags)
        worst = max(worst, 2 if errors or checked is None else 1 if diags else 0)
        infos = []
        if assumptions and not errors and checked is not None:
            infos = load(path).assumptions()
        if fmt == "json":
            report.append({"file": path, "diagnostics": [diagnostic_to_dict(d) for d in diags],
                           "assumptions": [attrs.asdict(a) for a in infos] if assumptions else None})
            continue
        if diags:
            click.echo(render_text(diags, lang), err=False)
            click.echo("")
        click.echo(f"{path}: {summary_line(diags, lang)}")
        if assumptions and infos:
            click.echo(_assumptions_text(infos, lang))
    if fmt == "json":
        _dump({"schema": "trainrules.check/1", "files": report})
    sys.exit(worst)


def _assumptions_text(infos: list, lang: Lang) -> str:  # type: ignore[type-arg]  # list of AssumptionInfo
    lines = [f"  {len(infos)} 条假设：" if lang == "zh" else f"  {len(infos)} assumption(s):"]
    for a in infos:
        ids = ", ".join(a.rule_ids)
        value = f" = {a.value}" if a.value else ""
        lines.append(f"  - {a.name}{value}  [{ids}]  ({'第' if lang == 'zh' else 'line '}{a.line}{'行' if lang == 'zh' else ''})")
        lines.append(f"      {a.text}")
        if a.relied_on_by:
            head = "被依赖：" if lang == "zh" else "relied on by: "
            lines.append(f"      {head}{'、'.join(a.relied_on_by)}")
    return "\n".join(lines)


def run() -> None:
    """Entry point that turns an unexpected PolicyError into diagnostics instead of a traceback."""
    try:
        main()
    except PolicyError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
