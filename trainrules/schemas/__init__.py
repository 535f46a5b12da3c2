"""The JSON Schemas (draft 2020-12) of what trainrules writes, shipped in the package (docs/results.md).

``decision`` (``trainrules.decision/3``), ``group`` (``trainrules.group/1``), ``run``
(``trainrules.run/1``), ``results`` (the JSON results file: ``{"decisions", "groups", "run"}``),
``jsonl-line`` (one line of a JSON Lines results file) and ``summary`` (``evaluate --summary``).
Each has an ``$id`` under ``https://trainrules.invalid/schemas/`` (an identifier, never fetched) and
the envelopes refer to the others by relative file name, so a validator needs all of them: e.g. with
``jsonschema`` and ``referencing``, ``Registry().with_resources((s["$id"], Resource.from_contents(s))
for s in map(load, NAMES))``. ``trainrules schema NAME`` prints one.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Final

__all__ = ["NAMES", "load", "text"]

#: The schemas shipped, by name.
NAMES: Final = ("decision", "group", "run", "results", "jsonl-line", "summary")


def text(name: str) -> str:
    """The schema ``name`` (one of :data:`NAMES`) as the JSON text shipped.

    Raises:
        KeyError: no schema has that name.
    """
    if name not in NAMES:
        raise KeyError(f"no schema named {name!r}; the schemas: {', '.join(NAMES)}")
    return resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


def load(name: str) -> dict[str, object]:
    """The schema ``name`` (one of :data:`NAMES`), parsed.

    Raises:
        KeyError: no schema has that name.
    """
    schema: dict[str, object] = json.loads(text(name))
    return schema
