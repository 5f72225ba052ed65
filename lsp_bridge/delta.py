"""Diagnostic deltas across an edit, and their rendering.

Old diagnostics are moved through the edit with a line map computed by
``difflib`` from the old text to the new one. A diagnostic on an unchanged
line matches a new one on its mapped line with the same source, code and
message; one on a changed line matches any new one with the same source,
code and message inside the changed region. Unmatched new ones were
introduced, unmatched old ones were fixed.
"""

from __future__ import annotations

import collections
import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

from lsprotocol import types

from .positions import from_lsp_position, line_at, split_lines
from .results import DiagnosticItem, Severity

__all__ = ["compute_delta", "line_map", "render_items", "sort_items", "to_item"]

_SEVERITY: dict[int, Severity] = {1: "error", 2: "warning", 3: "info", 4: "hint"}
_RANK = {"error": 0, "warning": 1, "info": 2, "hint": 3}


def to_item(path: Path, lines: list[str], diag: types.Diagnostic, server: str) -> DiagnosticItem:
    """Convert an LSP diagnostic of the document ``lines`` to a :class:`DiagnosticItem`."""
    line, col = from_lsp_position(lines, diag.range.start)
    end_line, end_col = from_lsp_position(lines, diag.range.end)
    message = " ".join(part.strip() for part in diag.message.splitlines() if part.strip())
    return DiagnosticItem(
        path=path,
        line=line,
        col=col,
        end_line=end_line,
        end_col=end_col,
        severity=_SEVERITY.get(int(diag.severity or 1), "error"),
        source=diag.source or server,
        code=None if diag.code is None else str(diag.code),
        message=message,
        server=server,
        source_line=line_at(lines, line - 1),
    )


def sort_items(items: Iterable[DiagnosticItem]) -> list[DiagnosticItem]:
    """Errors first, then by line, column, source, message."""
    return sorted(items, key=lambda d: (_RANK[d.severity], d.line, d.col, d.source, d.message))


def line_map(old_text: str, new_text: str) -> dict[int, int]:
    """Map 1-based old line numbers of unchanged lines to their new line numbers."""
    old_lines = split_lines(old_text)
    new_lines = split_lines(new_text)
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a0, a1, b0, _b1 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(a1 - a0):
                mapping[a0 + offset + 1] = b0 + offset + 1
    return mapping


def _key(item: DiagnosticItem) -> tuple[str, str | None, str, str]:
    return (item.source, item.code, item.message, item.server)


def compute_delta(
    old_text: str,
    new_text: str,
    before: Sequence[DiagnosticItem],
    after: Sequence[DiagnosticItem],
) -> tuple[list[DiagnosticItem], list[DiagnosticItem]]:
    """Return ``(introduced, fixed)`` between two diagnostic sets of one file.

    Args:
        old_text, new_text: the document before and after the edit.
        before: diagnostics of ``old_text`` (lines refer to it).
        after: diagnostics of ``new_text``.

    Returns:
        Both lists sorted errors first; not capped.
    """
    mapping = line_map(old_text, new_text)
    exact: dict[tuple[object, ...], list[DiagnosticItem]] = collections.defaultdict(list)
    loose: dict[tuple[object, ...], list[DiagnosticItem]] = collections.defaultdict(list)
    for item in before:
        new_line = mapping.get(item.line)
        if new_line is None:
            loose[_key(item)].append(item)
        else:
            exact[(new_line, *_key(item))].append(item)
    introduced: list[DiagnosticItem] = []
    mapped_new_lines = set(mapping.values())
    for item in after:
        bucket = exact.get((item.line, *_key(item)))
        if bucket:
            bucket.pop()
            continue
        spare = loose.get(_key(item))
        if spare and item.line not in mapped_new_lines:
            spare.pop()
            continue
        introduced.append(item)
    fixed = [i for group in (*exact.values(), *loose.values()) for i in group]
    return sort_items(introduced), sort_items(fixed)


def render_items(title: str, items: Sequence[DiagnosticItem], limit: int, root: Path) -> list[str]:
    """Render up to ``limit`` items under ``title``; says how many were left out."""
    if not items:
        return []
    lines = [f"{title}:"]
    lines += [item.render(root) for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return lines
