"""Small text helpers every face shares: counted nouns and line counts.

Plain functions on ``str``; no I/O, no imports beyond the standard library.
"""

from __future__ import annotations

__all__ = ["count_lines", "plural"]


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
