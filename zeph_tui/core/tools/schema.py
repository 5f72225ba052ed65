"""The JSON Schema of tool inputs, built one way for every tool.

A tool's ``input_schema`` is what the model sees of its arguments (sent as the
Anthropic ``input_schema`` / OpenAI ``parameters`` of the tool, JSON Schema
2020-12) and what :func:`zeph_tui.core.tools.base.check_args` checks a call
against. The helpers here name each property once and keep the key order
stable (``type``, ``properties``, ``required``, ``additionalProperties``), so
the specs a provider sends, and with them its prompt cache, do not move.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["PATH_PROPERTY", "object_schema", "position_properties", "schema_property"]

JsonScalar = Literal["string", "integer", "number", "boolean"]


def schema_property(json_type: JsonScalar, description: str) -> dict[str, Any]:
    """A scalar property: ``{"type": json_type, "description": description}``."""
    return {"type": json_type, "description": description}


def object_schema(
    required: Mapping[str, Mapping[str, Any]],
    optional: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    closed: bool = False,
) -> dict[str, Any]:
    """An object schema whose properties say by where they stand whether they are required.

    Args:
        required: the properties a call must give, in the order the model sees them.
        optional: the properties it may leave out, shown after the required ones.
        closed: refuse unknown properties (``"additionalProperties": false``).

    Returns:
        ``{"type": "object", "properties": {...}, "required": [names]}``;
        ``required`` is left out when nothing is, ``"additionalProperties":
        false`` is added when ``closed``.
    """
    schema: dict[str, Any] = {"type": "object", "properties": {**required, **(optional or {})}}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


PATH_PROPERTY = schema_property("string", "Path relative to the workspace.")
"""A tool's ``path`` argument (every file tool words it the same)."""


def position_properties(line_description: str) -> dict[str, dict[str, Any]]:
    """``path``, ``line`` and ``column`` of a position in a workspace file.

    Lines and columns are 1-based; columns count characters (code points).
    Callers put them in the ``required`` of :func:`object_schema`.
    """
    return {
        "path": PATH_PROPERTY,
        "line": schema_property("integer", line_description),
        "column": schema_property("integer", "1-based column (characters)."),
    }
