"""The refusals of a rename, checked before any server is asked (one place for every face).

Each check raises :class:`RenameRefused` (a :class:`RenameError`) with the
one line a person sees:

- :func:`check_in_workspace`: ``<path> is outside the workspace <root>``;
- :func:`check_saved`: ``<file> has unsaved changes: save the file first``
  (the servers read the disk, so an editor buffer that differs from it,
  lines moved or not, would get a wrong edit);
- :func:`symbol_at`: the cursor must be on an identifier that is not a
  keyword (``def|`` with the cursor on the space after ``def`` is refused);
- :func:`check_new_name`: the language's own rules; Python:
  ``str.isidentifier()`` and not ``keyword.iskeyword`` (so ``ñame_ok`` is
  fine, ``class``, ``a b`` and ``1x`` are not); other languages: not empty,
  no whitespace, and the server's answer decides the rest.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from zeph_tui.core.errors import ZephError

__all__ = [
    "RenameError",
    "RenameRefused",
    "check_in_workspace",
    "check_new_name",
    "check_saved",
    "symbol_at",
]

_WORD = re.compile(r"\w+")


class RenameError(ZephError):
    """The rename cannot be planned or applied (message says why; nothing changed)."""


class RenameRefused(RenameError):
    """The request itself is refused: a person's mistake (name, position, unsaved, outside)."""


def _shown(path: Path, root: Path) -> str:
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
        raise RenameRefused(f"{_shown(path, root)} has unsaved changes: save the file first")


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
            return match.start() + 1, match.end() + 1, word
    raise RenameRefused(
        f"nothing to rename at {shown}:{line}:{column}: the cursor is not on an identifier"
    )


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
