"""Small text helpers every face shares: counted nouns, line counts, JSON objects.

Plain functions on ``str``; no I/O, no imports beyond the standard library.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["count_lines", "parse_json_object", "plural"]


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one.

    Args:
        count: how many.
        noun: the singular noun (``"file"``).
        plural_noun: the plural when it is not ``noun + "s"``.

    Returns:
        ``"1 file"``, ``"0 files"``, ``"3 files"``.
    """
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural_noun or noun + 's'}"


def count_lines(text: str) -> int:
    """Lines in ``text`` as an editor shows them: an open last line counts, a final newline ends one.

    Returns:
        ``0`` for ``""``; ``1`` for ``"VALUE = 1\\n"`` and for ``"abc"``; ``2`` for ``"a\\nb"``.
    """
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text`` (RFC 8259), with an error a person can act on.

    Raises:
        ValueError: ``"Expecting value at line 1 column 7"`` (where the text
            stops being JSON), or ``"got list, not an object"``.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"got {type(value).__name__}, not an object")
    return value
