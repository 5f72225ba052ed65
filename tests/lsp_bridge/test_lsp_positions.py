"""UTF-16 <-> code points and 0- <-> 1-based conversions (lsp_bridge.positions)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from lsp_bridge.positions import (
    codepoint_to_utf16,
    from_lsp_position,
    split_lines,
    to_lsp_position,
    utf16_to_codepoint,
)

LINE = "a😀b𝔘c"  # U+1F600 and U+1D518 are astral: two UTF-16 units each


def test_astral_characters_count_two_units() -> None:
    assert [codepoint_to_utf16(LINE, i) for i in range(6)] == [0, 1, 3, 4, 6, 7]
    assert [utf16_to_codepoint(LINE, u) for u in (0, 1, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]


def test_offset_inside_surrogate_pair_rounds_past_the_pair() -> None:
    assert utf16_to_codepoint(LINE, 2) == 2


def test_clamping_beyond_line_end() -> None:
    assert utf16_to_codepoint(LINE, 99) == len(LINE)
    assert codepoint_to_utf16(LINE, 99) == 7


def test_one_based_round_trip_on_document() -> None:
    lines = split_lines("x = 1\r\ns = '😀😀' + name\n")
    pos = to_lsp_position(lines, 2, 13)  # 1-based col 13 is the 'n' of name
    assert pos == types.Position(line=1, character=14)
    assert from_lsp_position(lines, pos) == (2, 13)


def test_split_lines_handles_all_terminators() -> None:
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c", ""]


@given(st.text(), st.integers(min_value=0, max_value=50))
def test_round_trip_property(line: str, col: int) -> None:
    line = line.replace("\n", "").replace("\r", "")
    col = min(col, len(line))
    assert utf16_to_codepoint(line, codepoint_to_utf16(line, col)) == col
    assert codepoint_to_utf16(line, col) == len(line[:col].encode("utf-16-le")) // 2
