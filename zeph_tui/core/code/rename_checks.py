"""The refusals of a rename, checked before any server is asked (one place for every face).

Each check raises :class:`RenameRefused` (a :class:`RenameError`) with the
one line a person sees:

- :func:`check_in_workspace`: ``<path> is outside the workspace <root>``;
- :func:`check_saved`: ``<file> has unsaved changes: save the file first``
  (the servers read the disk, so an editor buffer that differs from it,
  lines moved or not, would get a wrong edit);
- :func:`symbol_at`: the cursor must be on an identifier that is not a
  keyword (``def|`` with the cursor on the space after ``def`` is refused)
  and, where tree-sitter knows the language, not inside a comment or a
  string (an f-string's or template's interpolation is code);
- :func:`check_new_name`: the language's own rules; Python:
  ``str.isidentifier()`` and not ``keyword.iskeyword`` (so ``ñame_ok`` is
  fine, ``class``, ``a b`` and ``1x`` are not); other languages: not empty,
  no whitespace, and the server's answer decides the rest.
"""

from __future__ import annotations

import keyword
import re
from functools import lru_cache
from pathlib import Path

from zeph_tui.core.errors import ZephError

__all__ = [
    "RenameError",
    "RenameRefused",
    "check_in_workspace",
    "check_new_name",
    "check_saved",
    "shown_path",
    "symbol_at",
]

_WORD = re.compile(r"\w+")
_CODE_INSIDE = frozenset({"interpolation", "template_substitution", "format_expression"})


class RenameError(ZephError):
    """The rename cannot be planned or applied (message says why; nothing changed)."""


class RenameRefused(RenameError):
    """The request itself is refused: a person's mistake (name, position, unsaved, outside)."""


@lru_cache(maxsize=4096)
def shown_path(path: Path, root: Path) -> str:
    """``path`` as people see it: relative to ``root`` (POSIX) when inside it, else absolute.

    Cached: a summary names each of dozens of files more than once.
    """
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def check_in_workspace(path: Path, root: Path) -> None:
    """Refuse a file outside ``root`` (both absolute and resolved).

    Raises:
        RenameError: ``<path> is outside the workspace <root>; ...``.
    """
    if not path.is_relative_to(root):
        raise RenameRefused(
            f"{path} is outside the workspace {root}; "
            "open the file from a workspace that contains it"
        )


def check_saved(path: Path, root: Path, buffer_text: str | None, disk_text: str) -> None:
    """Refuse when the editor's buffer (``None``: no editor) differs from the disk.

    Raises:
        RenameError: ``<file> has unsaved changes: save the file first``.
    """
    if buffer_text is not None and buffer_text != disk_text:
        raise RenameRefused(f"{shown_path(path, root)} has unsaved changes: save the file first")


def _is_keyword(word: str, language: str | None) -> bool:
    return language == "python" and keyword.iskeyword(word)


def symbol_at(
    source: str, line: int, column: int, language: str | None, shown: str
) -> tuple[int, int, str]:
    """The identifier under 1-based ``line``/``column`` (code points) of ``source``.

    The cursor must be on one of its characters (``start <= column < end``).

    Returns:
        ``(start_col, end_col, word)``: 1-based, end exclusive, code points.

    Raises:
        RenameError: no identifier there, or a keyword of ``language``.
    """
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    col0 = column - 1
    for match in _WORD.finditer(text):
        if match.start() <= col0 < match.end():
            word = match.group()
            if word[0].isdigit():
                break
            if _is_keyword(word, language):
                raise RenameRefused(
                    f"nothing to rename at {shown}:{line}:{column}: "
                    f"{word!r} is a {_language_name(language)} keyword"
                )
            inside = _literal_at(source, line, col0, language)
            if inside is not None:
                raise RenameRefused(f"nothing to rename at {shown}:{line}:{column}: {inside}")
            return match.start() + 1, match.end() + 1, word
    raise RenameRefused(
        f"nothing to rename at {shown}:{line}:{column}: the cursor is not on an identifier"
    )


def _literal_at(source: str, line: int, col0: int, language: str | None) -> str | None:
    """``"the cursor is in a comment"`` (or string) at 1-based ``line``, 0-based ``col0``."""
    if language is None:
        return None
    from zeph_tui.core.code._outline_grammar import parse

    try:
        parsed = parse(source, language)
    except Exception:  # a broken grammar: the server decides
        parsed = None
    if parsed is None:  # a language tree-sitter does not know here
        return None
    tree = parsed[2]
    text = source.splitlines()[line - 1]
    byte = len(text[:col0].encode("utf-8", "surrogatepass"))
    node = tree.root_node.descendant_for_point_range((line - 1, byte), (line - 1, byte))
    while node is not None and node.type not in _CODE_INSIDE:
        if "comment" in node.type:
            return "the cursor is in a comment"
        if "string" in node.type:
            return "the cursor is in a string"
        node = node.parent
    return None


def _language_name(language: str | None) -> str:
    return {"python": "Python"}.get(language or "", language or "")


def check_new_name(new_name: str, language: str | None) -> None:
    """Check ``new_name`` with the rules of ``language`` (an outline language name).

    Raises:
        RenameError: a keyword, or not an identifier of the language.
    """
    if language == "python":
        if keyword.iskeyword(new_name):
            raise RenameRefused(f"{new_name!r} is a Python keyword, not a valid new name")
        if not new_name.isidentifier():
            raise RenameRefused(f"{new_name!r} is not a valid Python identifier")
        return
    if not new_name or any(c.isspace() for c in new_name):
        raise RenameRefused(f"{new_name!r} is not a valid name: it is empty or contains whitespace")
