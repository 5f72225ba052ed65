"""The face's whole-line ``TextEdit``s (:func:`zeph_tui.drivers.lsp_face.edits.line_edits`).

Applied by an LSP client in its own position units, they must turn the old
text into the new one exactly: in the middle, at a last line without a
newline (where the end is a character count in the client's units), into an
empty file, with UTF-16 units.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lsprotocol import types

from zeph_tui.drivers.lsp_face.edits import line_edits


def _utf16(line: str) -> int:
    return len(line.encode("utf-16-le")) // 2


def _apply(text: str, edits: list[types.TextEdit], units: Callable[[str], int]) -> str:
    """Apply ``edits`` as a client does, positions in ``units`` (here: UTF-16 or code points)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        head = "".join(lines[: position.line])
        if position.line >= len(lines):
            return len(head)
        line, count = lines[position.line], 0
        for index, char in enumerate(line):
            if count >= position.character:
                return len(head) + index
            count += units(char)
        return len(head) + len(line)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = text.splitlines(keepends=True)
    return text


CASES = [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("def total():\n    pass\n\ntotal()\n", "def grand():\n    pass\n\ngrand()\n"),
    ("x = total\ny = total", "x = grand\ny = grand"),  # last line without a newline
    ("ünïcode = '😀😀' + total", "ünïcode = '😀😀' + grand"),  # astral: 2 UTF-16 units each
    ("", "new = 1\n"),
    ("only\n", ""),
    ("a\r\nb\r\n", "a\r\nB\r\n"),
]


@pytest.mark.parametrize(("old", "new"), CASES)
@pytest.mark.parametrize("units", [_utf16, len], ids=["utf-16", "code points"])
def test_edits_turn_old_into_new(old: str, new: str, units: Callable[[str], int]) -> None:
    edits = line_edits(old, new, units)
    assert _apply(old, edits, units) == new
    starts = [(e.range.start.line, e.range.start.character) for e in edits]
    assert starts == sorted(starts)
    assert all(e.range.start.character == 0 for e in edits)


def test_only_changed_lines_are_sent() -> None:
    old = "".join(f"line {i}\n" for i in range(100))
    new = old.replace("line 10\n", "LINE 10\n").replace("line 90\n", "LINE 90\n")
    edits = line_edits(old, new, len)
    assert [(e.range.start.line, e.range.end.line, e.new_text) for e in edits] == [
        (10, 11, "LINE 10\n"),
        (90, 91, "LINE 90\n"),
    ]
    assert line_edits(old, old, len) == []


def test_end_of_a_last_line_without_newline_is_in_client_units() -> None:
    (edit,) = line_edits("a = '😀'", "b = '😀'", _utf16)
    assert edit.range.end == types.Position(line=0, character=8)  # 7 code points, 8 UTF-16 units
