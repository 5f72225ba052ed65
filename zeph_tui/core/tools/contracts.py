"""The model-facing contract of every built-in tool, read from ``contracts.md``.

``contracts.md`` holds one section per tool: ``## name``, the description as
prose (line breaks fold to single spaces) and a fenced ``json`` block with the
input schema (JSON Schema 2020-12; key order is kept as written, so the specs a
provider sends, and with them its prompt cache, do not move). A tool class
names its contract with a class keyword, ``class Bash(Tool, name="bash")``, and
:meth:`zeph_tui.core.tools.base.Tool.__init_subclass__` fills ``description``
and ``input_schema`` from here. The file is read once per process, at the first
tool class defined (about 0.3 ms).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["CONTRACTS_PATH", "ToolContractError", "contract", "contracts"]

CONTRACTS_PATH = Path(__file__).with_name("contracts.md")

_SECTION = re.compile(
    r"^## (?P<name>\S+)\n(?P<prose>.*?)^```json\n(?P<schema>.*?)^```$", re.M | re.S
)


class ToolContractError(LookupError):
    """``contracts.md`` has no section for a tool, or a section does not parse.

    A programming error in zeph-tui itself (the file ships with the package).
    """


@cache
def contracts() -> dict[str, tuple[str, dict[str, Any]]]:
    """``{name: (description, input_schema)}`` of every section, in file order.

    Raises:
        ToolContractError: a section's JSON block is not a JSON object.
    """
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for match in _SECTION.finditer(CONTRACTS_PATH.read_text(encoding="utf-8")):
        name = match["name"]
        try:
            schema = json.loads(match["schema"])
        except json.JSONDecodeError as exc:
            raise ToolContractError(f"contracts.md, tool {name!r}: {exc}") from exc
        if not isinstance(schema, dict):
            raise ToolContractError(f"contracts.md, tool {name!r}: the schema is not an object")
        found[name] = (" ".join(match["prose"].split()), schema)
    return found


def contract(name: str) -> tuple[str, dict[str, Any]]:
    """``(description, input_schema)`` of the tool ``name``; the schema is a fresh copy.

    Raises:
        ToolContractError: ``contracts.md`` has no section ``## name``.
    """
    try:
        description, schema = contracts()[name]
    except KeyError:
        raise ToolContractError(f"contracts.md has no section for tool {name!r}") from None
    return description, json.loads(json.dumps(schema))
