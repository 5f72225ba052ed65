"""core.text: counted nouns and line counts shared by every face."""

from __future__ import annotations

import pytest

from zeph_tui.core.text import count_lines, parse_json_object, plural


@pytest.mark.parametrize(("count", "expected"), [(0, "0 files"), (1, "1 file"), (2, "2 files")])
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "file") == expected


def test_plural_with_an_irregular_noun() -> None:
    assert plural(2, "entry", "entries") == "2 entries"


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 0), ("VALUE = 1\n", 1), ("abc", 1), ("a\nb", 2), ("a\nb\n", 2), ("\n", 1)],
)
def test_count_lines_counts_an_open_last_line(text: str, lines: int) -> None:
    assert count_lines(text) == lines


def test_parse_json_object_says_where_the_text_stops_being_json() -> None:
    assert parse_json_object('{"a": [1]}') == {"a": [1]}
    with pytest.raises(ValueError, match=r"^Expecting ',' delimiter at line 2 column 1$"):
        parse_json_object('{"a": 1\n"b": 2}')
    with pytest.raises(ValueError, match=r"^got str, not an object$"):
        parse_json_object('"text"')
