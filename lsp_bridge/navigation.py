"""Convert hover, definition and reference answers to people units."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types

from .positions import from_lsp_position, line_at
from .results import Location

__all__ = ["hover_text", "identifier_at", "path_from_uri", "to_location", "to_locations"]

LinesOf = Callable[[Path], list[str]]

_IDENT = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def path_from_uri(uri: str) -> Path:
    """Turn a ``file://`` URI into a path (percent-decoded).

    Cached: a rename's edit names dozens of files, and the next one the same.
    """
    return Path(unquote(urlparse(uri).path))


def to_location(uri: str, rng: types.Range, lines_of: LinesOf) -> Location:
    """Build a :class:`~lsp_bridge.results.Location` from a URI and an LSP range."""
    path = path_from_uri(uri)
    lines = lines_of(path)
    line, col = from_lsp_position(lines, rng.start)
    end_line, end_col = from_lsp_position(lines, rng.end)
    return Location(path, line, col, end_line, end_col, line_at(lines, line - 1))


def to_locations(result: Any, lines_of: LinesOf) -> list[Location]:
    """Normalise ``Location | Location[] | LocationLink[] | None`` to Locations, sorted."""
    if result is None:
        return []
    items: Sequence[Any] = result if isinstance(result, list | tuple) else [result]
    found: list[Location] = []
    for item in items:
        if isinstance(item, types.LocationLink):
            found.append(to_location(item.target_uri, item.target_selection_range, lines_of))
        elif isinstance(item, types.Location):
            found.append(to_location(item.uri, item.range, lines_of))
    unique = {(loc.path, loc.line, loc.col): loc for loc in found}
    return [unique[key] for key in sorted(unique)]


def hover_text(hover: types.Hover | None) -> str:
    """The hover's contents as text (markdown kept as is); ``""`` when empty."""
    if hover is None:
        return ""
    contents: Any = hover.contents
    parts = contents if isinstance(contents, list | tuple) else [contents]
    texts = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, types.MarkupContent):
            texts.append(part.value)
        elif isinstance(part, types.MarkedStringWithLanguage):
            texts.append(f"```{part.language}\n{part.value}\n```")
    return "\n\n".join(t.strip() for t in texts if t.strip())


def identifier_at(line: str, col0: int) -> tuple[int, int] | None:
    """Return the 0-based code-point span of the identifier at ``col0`` in ``line``."""
    for match in _IDENT.finditer(line):
        if match.start() <= col0 <= match.end():
            return match.start(), match.end()
    return None
