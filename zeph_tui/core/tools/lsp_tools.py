"""Language-server tools for the model: ``diagnostics``, ``hover``, ``definition``, ``references``.

All four go through :class:`~zeph_tui.core.code.intel.LspCodeIntel`. Lines
and columns the model gives and sees are 1-based; columns count characters
(code points). References are grouped by file and by the enclosing
function/class (tree-sitter, :func:`zeph_tui.core.code.outline.enclosing_symbol`),
each with its source line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from zeph_tui.core.code.intel import CodeIntelError
from zeph_tui.core.code.outline import enclosing_symbol, language_for_path
from zeph_tui.core.code.render import (
    display_path,
    item_payload,
    render_diagnostics,
)
from zeph_tui.core.errors import ToolError, ToolInputError
from zeph_tui.core.events import Location as EventLocation
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    from lsp_bridge import DiagnosticItem, Location
    from zeph_tui.core.code.intel import LspCodeIntel

__all__ = ["Definition", "Diagnostics", "Hover", "References", "lsp_tools"]

_MAX_REFERENCES = 200
_MAX_HOVER_CHARS = 4000


def lsp_tools(intel: LspCodeIntel) -> list[Tool]:
    """The four language-server tools bound to ``intel``."""
    return [Diagnostics(intel), Hover(intel), Definition(intel), References(intel)]


class _LspTool(Tool, kind="search"):
    def __init__(self, intel: LspCodeIntel) -> None:
        self.intel = intel

    def _check_handled(self, path: Path, ctx: ToolContext) -> None:
        if not self.intel.handles(path):
            raise ToolError(f"no language server handles {ctx.roots.display_path(path)}")


class _PositionTool(_LspTool):
    """A query at ``path:line:column`` (``hover``, ``definition``, ``references``)."""

    async def _position(self, args: Mapping[str, Any], ctx: ToolContext) -> tuple[Path, int, int]:
        """The checked 1-based ``(path, line, column)`` of ``args``, the bridge started."""
        await self.intel.bridge()
        path = ctx.roots.resolve_for_read(args["path"])
        line, column = int(args["line"]), int(args["column"])
        if line < 1 or column < 1:
            raise ToolInputError("line and column are 1-based (>= 1)")
        if not path.is_file():
            raise ToolError(f"file not found: {ctx.roots.display_path(path)}")
        self._check_handled(path, ctx)
        return path, line, column

    def title(self, args: Mapping[str, Any]) -> str:
        where = f"{args.get('path', '?')}:{args.get('line', '?')}:{args.get('column', '?')}"
        return f"{self.name.capitalize()} {where}"


class Diagnostics(_LspTool, name="diagnostics", kind="read"):
    def title(self, args: Mapping[str, Any]) -> str:
        return f"Diagnostics {args.get('path') or '(open files)'}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path: Path | None = None
        if args.get("path"):
            path = ctx.roots.resolve_for_read(args["path"])
            if not path.is_file():
                raise ToolError(f"file not found: {ctx.roots.display_path(path)}")
            await self.intel.bridge()
            self._check_handled(path, ctx)
        try:
            items = await self.intel.diagnostics(path)
        except CodeIntelError as exc:
            raise ToolError(f"diagnostics failed: {exc}") from exc
        text = render_diagnostics(items, self.intel.workspace)
        if not text:
            scope = ctx.roots.display_path(path) if path else "the open files"
            text = f"No diagnostics in {scope}."
        return ToolResult(
            text,
            locations=(EventLocation(str(path)),) if path else (),
            raw_extras=_diagnostics_extras(items, path, self.intel.workspace),
        )


def _diagnostics_extras(
    items: Sequence[DiagnosticItem], path: Path | None, root: Path
) -> dict[str, Any]:
    """Structured diagnostics for faces (item shape in :mod:`zeph_tui.core.code.intel`).

    With ``path``: ``{"diagnostics": {"path", "version": None, "items", "new": [],
    "fixed": [], "pending": [], "missing": []}}`` (the file's full set). Without:
    ``{"diagnosticsByPath": {path: [Item, ...]}}`` for the open files that have any.
    """
    if path is not None:
        payload = {
            "path": display_path(path, root),
            "version": None,
            "items": [item_payload(d) for d in items],
            "new": [],
            "fixed": [],
            "pending": [],
            "missing": [],
        }
        return {"diagnostics": payload}
    by_path: dict[str, list[dict[str, Any]]] = {}
    for d in items:
        by_path.setdefault(display_path(d.path, root), []).append(item_payload(d))
    return {"diagnosticsByPath": by_path}


class Hover(_PositionTool, name="hover", kind="read"):
    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path, line, column = await self._position(args, ctx)
        try:
            info = await self.intel.hover(path, line, column)
        except CodeIntelError as exc:
            raise ToolError(f"hover failed: {exc}") from exc
        shown = f"{ctx.roots.display_path(path)}:{line}:{column}"
        if info is None:
            return ToolResult(f"No hover information at {shown}.")
        text = info.text if len(info.text) <= _MAX_HOVER_CHARS else info.text[:_MAX_HOVER_CHARS]
        return ToolResult(
            f"{shown} ({info.server}):\n{text}", locations=(EventLocation(str(path), line),)
        )


class _LocationsTool(_PositionTool):
    """A position query answered by source locations (``definition``, ``references``)."""

    _max_locations: ClassVar[int | None] = None
    """How many of the found locations the event carries (``None``: all)."""

    async def _lookup(self, path: Path, line: int, column: int) -> list[Location]:
        raise NotImplementedError

    def _render(self, found: list[Location]) -> str:
        raise NotImplementedError

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path, line, column = await self._position(args, ctx)
        try:
            found = await self._lookup(path, line, column)
        except CodeIntelError as exc:
            raise ToolError(f"{self.name} failed: {exc}") from exc
        if not found:
            return ToolResult(f"No {self.name} found at {ctx.roots.display_path(path)}:{line}.")
        shown = found[: self._max_locations]
        return ToolResult(
            self._render(found),
            locations=tuple(EventLocation(str(loc.path), loc.line) for loc in shown),
        )


class Definition(_LocationsTool, name="definition"):
    async def _lookup(self, path: Path, line: int, column: int) -> list[Location]:
        return await self.intel.definition(path, line, column)

    def _render(self, found: list[Location]) -> str:
        return "\n".join(loc.render(self.intel.workspace) for loc in found)


class References(_LocationsTool, name="references"):
    _max_locations: ClassVar[int | None] = 50

    async def _lookup(self, path: Path, line: int, column: int) -> list[Location]:
        return await self.intel.references(path, line, column)

    def _render(self, found: list[Location]) -> str:
        return group_references(found, self.intel.workspace)


def group_references(found: list[Location], root: Path) -> str:
    """Render locations grouped by file, then enclosing symbol (``(module level)`` if none)."""
    shown = found[:_MAX_REFERENCES]
    by_file: dict[Path, list[Location]] = {}
    for loc in shown:
        by_file.setdefault(loc.path, []).append(loc)
    lines = [
        f"{len(found)} reference{'s' if len(found) != 1 else ''} in "
        f"{len({loc.path for loc in found})} file(s):"
    ]
    for file, locations in by_file.items():
        lines.append(display_path(file, root))
        language = language_for_path(file)
        try:
            source = file.read_text(encoding="utf-8", errors="replace") if language else ""
        except OSError:
            source = ""
        groups: dict[str, list[Location]] = {}
        for loc in locations:
            scope = enclosing_symbol(source, language, loc.line) if language and source else None
            groups.setdefault(scope or "(module level)", []).append(loc)
        for scope, members in groups.items():
            lines.append(f"  {scope}")
            lines += [f"    {loc.line}:{loc.col}: {loc.source_line.strip()}" for loc in members]
    if len(found) > len(shown):
        lines.append(f"... and {len(found) - len(shown)} more")
    return "\n".join(lines)
