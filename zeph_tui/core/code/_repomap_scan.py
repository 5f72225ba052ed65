"""Scanning for :mod:`zeph_tui.core.code.repomap`: which files, and what each one holds.

:func:`walk` yields the source files under a root in sorted order, skipping
:data:`SKIP_DIRS`, ``*.egg-info``, paths matched by any ``.gitignore`` met on
the way (root or nested, via ``pathspec``), files over :data:`MAX_FILE_BYTES`
and files of no outline language. :func:`file_info` outlines one file
(:mod:`zeph_tui.core.code.outline`) into a :class:`FileInfo`, cached in memory
by ``(path, mtime_ns, size)``; binary files give None.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from zeph_tui.core.code.outline import Symbol, language_for_path, outline

__all__ = [
    "CLASS_KINDS",
    "MAX_FILE_BYTES",
    "SKIP_DIRS",
    "WORD",
    "FileInfo",
    "file_info",
    "subwords",
    "walk",
]

MAX_FILE_BYTES = 1_000_000
"""Files larger than this are left out of the map."""

SKIP_DIRS: frozenset[str] = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", "build",
        "dist", "target", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox",
        ".eggs", ".idea", ".vscode", ".next", "site-packages",
    }
)  # fmt: skip
"""Directory names never walked into (besides ``*.egg-info`` and .gitignore matches)."""

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
"""An identifier of three characters or more (what a file mentions, what a task quotes)."""
_SUBWORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
CLASS_KINDS = frozenset({"class", "struct", "interface", "enum"})
"""Symbol kinds whose members are shown in the map."""
_CACHE_MAX_FILES = 50_000


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What the map needs of one file."""

    symbols: tuple[Symbol, ...]  # top-level symbols and members of top-level classes
    words: frozenset[str]  # identifiers (3+ characters) mentioned in the file
    tokens: tuple[str, ...]  # BM25 document tokens from symbols and words (path added later)


_cache: dict[Path, tuple[tuple[int, int], FileInfo]] = {}
_cache_lock = threading.Lock()


@lru_cache(maxsize=65_536)
def subwords(word: str) -> tuple[str, ...]:
    """Lower-case sub-words of an identifier (``parseHTTPRequest`` -> parse, http, request, ...)."""
    parts = [p.lower() for p in _SUBWORD.findall(word)]
    lowered = word.lower().strip("_")
    if lowered and lowered not in parts:
        parts.append(lowered)
    return tuple(p for p in parts if len(p) > 1)


def _gitignore(directory: Path) -> Any:
    """``directory/.gitignore`` as a ``pathspec`` matcher; ``None`` if absent or no pathspec."""
    try:
        import pathspec

        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    except (ImportError, OSError):
        return None


def _ignored(rel: str, specs: dict[str, Any]) -> bool:
    """Whether any ``.gitignore`` in an ancestor directory matches ``rel`` (posix, from root)."""
    cut = 0
    while True:
        spec = specs.get(rel[:cut])
        if spec is not None and spec.match_file(rel[cut:]):
            return True
        cut = rel.find("/", cut, len(rel) - 1) + 1
        if cut == 0:
            return False


def walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Source files under ``root`` in sorted order, honouring every ``.gitignore`` met."""
    specs: dict[str, Any] = {}  # directory prefix ("" or "a/b/") -> matcher
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        if ".gitignore" in filenames and (spec := _gitignore(Path(dirpath))) is not None:
            specs[prefix] = spec
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS
            and not d.endswith(".egg-info")
            and not _ignored(f"{prefix}{d}/", specs)
        )
        for name in sorted(filenames):
            if language_for_path(name) is None or _ignored(prefix + name, specs):
                continue
            path = Path(dirpath, name)
            try:
                stat = path.stat()
            except OSError:
                continue
            if stat.st_size <= MAX_FILE_BYTES:
                yield path, stat


def file_info(path: Path, stat: os.stat_result) -> FileInfo | None:
    """The outline of one file (cached by mtime and size); None when unreadable or binary."""
    key = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        hit = _cache.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None  # binary
    text = data.decode("utf-8", "replace")
    language = language_for_path(path)
    symbols = outline(text, language) if language else []
    top = {s.name for s in symbols if s.parent is None and s.kind in CLASS_KINDS}
    shown = tuple(s for s in symbols if s.parent is None or s.parent in top)
    words = frozenset(WORD.findall(text))
    tokens = [t for s in shown for t in subwords(s.name) * 2]
    tokens.extend(t for word in words for t in subwords(word))
    info = FileInfo(shown, words, tuple(tokens))
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX_FILES:
            _cache.clear()
        _cache[path] = (key, info)
    return info
