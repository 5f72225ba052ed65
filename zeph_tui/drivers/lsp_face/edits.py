"""Editor-side text edits for a planned rename, independent of the position encoding.

The editor may have negotiated UTF-8, UTF-16 or UTF-32 columns with this
face, while the language server behind it spoke UTF-16. Whole-line edits
need no column at all: each changed run of lines is replaced from column 0
of its first line to column 0 of the line after it. Only an edit that runs
to the end of a file without a final newline needs the last line's length,
which the caller gives in the editor's units.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from lsprotocol import types

__all__ = ["line_edits"]


def line_edits(old_text: str, new_text: str, units: Callable[[str], int]) -> list[types.TextEdit]:
    """Line-granular ``TextEdit``s turning ``old_text`` into ``new_text``.

    Args:
        old_text: the document as the editor has it.
        new_text: the wanted content.
        units: length of a line in the editor's position units (for the
            end of a file that has no final newline).

    Returns:
        Non-overlapping edits in document order (LSP 3.17 §TextEdit).
    """
    old = old_text.splitlines(keepends=True)
    new = new_text.splitlines(keepends=True)
    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(line=i1, character=0)
        if i2 < len(old) or not old or old[-1].endswith(("\n", "\r")):
            end = types.Position(line=i2, character=0)
        else:  # through the last line, which has no newline
            last = old[-1]
            end = types.Position(line=len(old) - 1, character=units(last))
        edits.append(types.TextEdit(types.Range(start, end), "".join(new[j1:j2])))
    return edits
