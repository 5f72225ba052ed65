"""The one place where positions change units.

LSP positions are 0-based lines and 0-based columns counted in UTF-16 code
units (LSP 3.17 §"Position", default ``positionEncoding`` utf-16). People and
the model use 1-based lines and 1-based columns counted in code points (Python
``str`` indices + 1). Every conversion between the two goes through here.
"""

from __future__ import annotations

from lsprotocol import types

__all__ = [
    "codepoint_to_utf16",
    "from_lsp_position",
    "line_at",
    "split_lines",
    "to_lsp_position",
    "utf16_to_codepoint",
]


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines the way LSP counts them (``\\n``, ``\\r\\n``, ``\\r``).

    Returns:
        The lines without their terminators; an empty text gives ``[""]`` and a
        trailing newline gives a trailing empty line, as editors show it.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines


def line_at(lines: list[str], line0: int) -> str:
    """Return line ``line0`` (0-based) or ``""`` when out of range."""
    return lines[line0] if 0 <= line0 < len(lines) else ""


def utf16_to_codepoint(line: str, col16: int) -> int:
    """Convert a UTF-16 code-unit offset within ``line`` to a code-point offset.

    Args:
        line: the text of the line, without terminator.
        col16: 0-based offset in UTF-16 code units; clamped to the line end. An
            offset that falls inside a surrogate pair rounds up past the pair.

    Returns:
        The 0-based code-point offset.
    """
    if col16 <= 0:
        return 0
    if line.isascii() or max(line) <= "\uffff":  # one unit per code point
        return min(col16, len(line))
    units = 0
    for index, char in enumerate(line):
        if units >= col16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def codepoint_to_utf16(line: str, col: int) -> int:
    """Convert a 0-based code-point offset within ``line`` to UTF-16 code units.

    ``col`` is clamped to ``[0, len(line)]``.
    """
    col = max(0, min(col, len(line)))
    if line.isascii():
        return col
    return sum(2 if ord(char) > 0xFFFF else 1 for char in line[:col])


def to_lsp_position(lines: list[str], line1: int, col1: int) -> types.Position:
    """Convert a 1-based (line, code-point column) to an LSP ``Position``.

    Args:
        lines: the document split with :func:`split_lines`.
        line1: 1-based line; values below 1 are clamped to 1.
        col1: 1-based column in code points; clamped to the line.

    Returns:
        ``Position(line=line1 - 1, character=<UTF-16 offset>)``.
    """
    line0 = max(0, line1 - 1)
    return types.Position(line=line0, character=codepoint_to_utf16(line_at(lines, line0), col1 - 1))


def from_lsp_position(lines: list[str], position: types.Position) -> tuple[int, int]:
    """Convert an LSP ``Position`` to a 1-based (line, code-point column) pair."""
    line = line_at(lines, position.line)
    return position.line + 1, utf16_to_codepoint(line, position.character) + 1
