"""Line mapping through an edit and introduced/fixed deltas (lsp_bridge.delta)."""

from __future__ import annotations

from pathlib import Path

from lsp_bridge.delta import compute_delta, line_map
from lsp_bridge.results import DiagnosticItem

P = Path("/w/a.py")


def item(line: int, message: str, severity: str = "error") -> DiagnosticItem:
    return DiagnosticItem(P, line, 1, line, 2, severity, "src", "C1", message, "srv", "")  # type: ignore[arg-type]


def test_line_map_shifts_lines_below_an_insertion() -> None:
    old = "a\nb\nc\n"
    new = "a\nX\nY\nb\nc\n"
    mapping = line_map(old, new)
    assert mapping[1] == 1
    assert mapping[2] == 4
    assert mapping[3] == 5


def test_shifted_unchanged_diagnostic_is_neither_new_nor_fixed() -> None:
    old = "a\nb\nc\n"
    new = "inserted\na\nb\nc\n"
    new_items, fixed = compute_delta(old, new, [item(3, "bad c")], [item(4, "bad c")])
    assert new_items == []
    assert fixed == []


def test_same_message_on_other_unchanged_line_is_new_and_old_is_fixed() -> None:
    old = "a\nb\nc\n"
    new = "a\nb\nc\n"
    new_items, fixed = compute_delta(old, new, [item(1, "m")], [item(3, "m")])
    assert [d.line for d in new_items] == [3]
    assert [d.line for d in fixed] == [1]


def test_diagnostic_on_changed_line_matches_by_message() -> None:
    old = "a\nb = 1\nc\n"
    new = "a\nb = 2\nc\n"
    new_items, fixed = compute_delta(
        old, new, [item(2, "m")], [item(2, "m"), item(2, "other", "warning")]
    )
    assert [d.message for d in new_items] == ["other"]
    assert fixed == []


def test_errors_sorted_first() -> None:
    new_items, _ = compute_delta("", "a\nb\n", [], [item(1, "w", "warning"), item(2, "e")])
    assert [d.severity for d in new_items] == ["error", "warning"]
