"""Hover prefetch after a read: what the symbols used in the lines read are.

Identifiers come from tree-sitter (:func:`zeph_tui.core.code.outline.
identifiers_in_range`: used here, not defined in this file); the language
server says where each is defined; those defined in another file get a hover
(signature + first doc line). Workspace symbols rank before library ones;
modules are skipped (their hover says nothing useful).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_bridge import Location, LspBridge, LspBridgeError
from zeph_tui.core.code.outline import identifiers_in_range, language_for_path
from zeph_tui.core.code.render import HoverEntry, hover_summary

__all__ = ["prefetch_hovers"]

_MAX_CANDIDATES = 30
_CONCURRENT_REQUESTS = 6
_SKIPPED_PREFIXES = ("(module)", "module ", "package ", "namespace ")


async def _definitions(
    bridge: LspBridge, path: Path, candidates: list[tuple[str, int, int]]
) -> dict[int, tuple[str, int, int, Location]]:
    """Index into ``candidates`` -> (name, line, col, definition in another file)."""
    found: dict[int, tuple[str, int, int, Location]] = {}
    gate = asyncio.Semaphore(_CONCURRENT_REQUESTS)

    async def one(index: int, name: str, line: int, col: int) -> None:
        async with gate:
            try:
                locations = await bridge.definition(path, line, col)
            except LspBridgeError:
                return
        elsewhere = [loc for loc in locations if loc.path.resolve() != path]
        if elsewhere:
            found[index] = (name, line, col, elsewhere[0])

    # The first request opens the document (and may start the server): do it alone.
    if candidates:
        await one(0, *candidates[0])
    async with asyncio.TaskGroup() as group:
        for index, (name, line, col) in enumerate(candidates[1:], 1):
            group.create_task(one(index, name, line, col))
    return found


async def prefetch_hovers(
    bridge: LspBridge,
    path: Path,
    text: str,
    line_start: int,
    line_end: int,
    found: list[tuple[int, HoverEntry]],
    *,
    root: Path,
    max_symbols: int,
) -> None:
    """Append ``(rank, HoverEntry)`` to ``found`` as hovers arrive.

    The caller waits on this within its time budget and renders whatever is
    in ``found`` then, so results are appended one by one, never at the end.

    Args:
        bridge: the workspace's bridge.
        path: the file read (absolute, resolved).
        text: its content (the lines refer to it).
        line_start, line_end: the 1-based inclusive range read.
        found: output list; rank orders workspace symbols first, then source order.
        root: the workspace root (ranks workspace definitions first).
        max_symbols: stop after this many hovers.
    """
    language = language_for_path(path)
    if language is None:
        return
    identifiers = await asyncio.to_thread(
        identifiers_in_range, text, language, line_start, line_end
    )
    definitions = await _definitions(bridge, path, identifiers[:_MAX_CANDIDATES])
    ranked = sorted(
        definitions.items(),
        key=lambda item: (not item[1][3].path.is_relative_to(root), item[0]),
    )
    for rank, (_index, (name, line, col, where)) in enumerate(ranked):
        if len(found) >= max_symbols:
            return
        try:
            info = await bridge.hover(path, line, col)
        except LspBridgeError:
            continue
        if info is None:
            continue
        signature, doc = hover_summary(info.text)
        if not signature or signature.startswith(_SKIPPED_PREFIXES):
            continue
        found.append((rank, HoverEntry(name, where.path, where.line, signature, doc)))
