"""Hover, definition, references and rename (LSP 3.17 §language features).

:class:`Queries` is composed into ``LspBridge`` and reaches documents only
through the :class:`~lsp_bridge.documents.DocumentHost` interface. Positions
in and out are 1-based with code-point columns; the conversion to LSP units
goes through :mod:`lsp_bridge.positions`. The document is opened from disk
first when the bridge does not have it open yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from .client import LspClient
from .documents import Document, DocumentHost
from .errors import LspRequestError, ServerUnavailable
from .navigation import hover_text, identifier_at, to_location, to_locations
from .positions import codepoint_to_utf16, line_at, split_lines, to_lsp_position
from .results import HoverInfo, Location, RenameTarget
from .supervisor import ServerSlot

__all__ = ["Queries"]


class Queries:
    """Position-based requests over the documents of ``host``.

    Args:
        host: the owner of the documents (``LspBridge``).
    """

    def __init__(self, host: DocumentHost) -> None:
        self._host = host

    def _lines_of(self, path: Path) -> list[str]:
        return self._host.lines_of(path)

    async def _ask(
        self,
        path: Path,
        line: int,
        col: int,
        wants: Callable[[types.ServerCapabilities], Any],
        ask: Callable[[LspClient, types.TextDocumentPositionParams], Any],
    ) -> tuple[Any, ServerSlot | None, Document]:
        """Ask each server of the document that has the capability; first non-empty wins."""
        doc = await self._host.opened(path)
        position = to_lsp_position(split_lines(doc.text), line, col)
        where = types.TextDocumentPositionParams(types.TextDocumentIdentifier(doc.uri), position)
        errors: list[str] = []
        asked = False
        for slot in doc.slots:
            try:
                client = await slot.ensure()
            except ServerUnavailable as exc:
                errors.append(str(exc))
                continue
            if not wants(client.capabilities):
                continue
            asked = True
            try:
                result = await ask(client, where)
            except LspRequestError as exc:
                errors.append(str(exc))
                continue
            if result:
                return result, slot, doc
        if errors and not asked:
            raise LspRequestError("; ".join(errors))
        return None, doc.slots[0] if doc.slots else None, doc

    def _call(self, method: str, params: Any) -> Callable[[LspClient, Any], Any]:
        timeout_s = self._host.request_timeout_s

        async def call(client: LspClient, where: types.TextDocumentPositionParams) -> Any:
            return await client.request(method, params(where), timeout_s=timeout_s)

        return call

    async def hover(self, path: Path, line: int, col: int) -> HoverInfo | None:
        """Hover text at 1-based ``line``/``col`` (code points), or ``None`` when empty.

        Raises:
            LspRequestError: no server of the file could be asked.
        """
        params = lambda w: types.HoverParams(w.text_document, w.position)  # noqa: E731
        result, slot, _doc = await self._ask(
            path,
            line,
            col,
            lambda c: c.hover_provider,
            self._call(types.TEXT_DOCUMENT_HOVER, params),
        )
        text = hover_text(result)
        if not text or slot is None:
            return None
        location = None
        if result.range is not None:
            location = to_location(_doc.uri, result.range, self._lines_of)
        return HoverInfo(text=text, server=slot.server.name, location=location)

    async def _locations(
        self,
        path: Path,
        line: int,
        col: int,
        wants: Callable[[types.ServerCapabilities], Any],
        method: str,
        params: Callable[[types.TextDocumentPositionParams], Any],
    ) -> list[Location]:
        result, _slot, _doc = await self._ask(path, line, col, wants, self._call(method, params))
        return to_locations(result, self._lines_of)

    async def definition(self, path: Path, line: int, col: int) -> list[Location]:
        """Where the symbol at ``line``/``col`` is defined (1-based, sorted)."""
        return await self._locations(
            path,
            line,
            col,
            lambda c: c.definition_provider,
            types.TEXT_DOCUMENT_DEFINITION,
            lambda w: types.DefinitionParams(w.text_document, w.position),
        )

    async def references(
        self, path: Path, line: int, col: int, *, include_declaration: bool = True
    ) -> list[Location]:
        """Every reference to the symbol at ``line``/``col``, across files, sorted."""
        context = types.ReferenceContext(include_declaration=include_declaration)
        return await self._locations(
            path,
            line,
            col,
            lambda c: c.references_provider,
            types.TEXT_DOCUMENT_REFERENCES,
            lambda w: types.ReferenceParams(context, w.text_document, w.position),
        )

    async def prepare_rename(self, path: Path, line: int, col: int) -> RenameTarget:
        """Check that the symbol at ``line``/``col`` can be renamed.

        Servers without ``prepareRename`` (pylsp) get a local fallback: the
        identifier under the cursor, with ``supported=False``.

        Raises:
            LspRequestError: nothing renameable there, or no server can rename.
        """
        doc = await self._host.opened(path)
        lines = split_lines(doc.text)
        for slot in doc.slots:
            try:
                client = await slot.ensure()
            except ServerUnavailable:
                continue
            provider = client.capabilities.rename_provider
            if not provider:
                continue
            at = _Spot(doc, lines, line, col, slot.server.name, self._lines_of)
            if isinstance(provider, types.RenameOptions) and provider.prepare_provider:
                position = to_lsp_position(lines, line, col)
                params = types.PrepareRenameParams(types.TextDocumentIdentifier(doc.uri), position)
                result = await client.request(
                    types.TEXT_DOCUMENT_PREPARE_RENAME,
                    params,
                    timeout_s=self._host.request_timeout_s,
                )
                return _prepared(result, at)
            return _local_target(at)
        raise LspRequestError(f"no server of {doc.path.name} can rename")

    async def rename(self, path: Path, line: int, col: int, new_name: str) -> types.WorkspaceEdit:
        """Ask for the edit renaming the symbol at ``line``/``col`` to ``new_name``.

        Returns:
            The server's ``WorkspaceEdit`` (not applied; LSP units).

        Raises:
            LspRequestError: the server refused or returned no edit.
        """
        params = lambda w: types.RenameParams(w.text_document, w.position, new_name)  # noqa: E731
        result, _slot, doc = await self._ask(
            path,
            line,
            col,
            lambda c: c.rename_provider,
            self._call(types.TEXT_DOCUMENT_RENAME, params),
        )
        if not isinstance(result, types.WorkspaceEdit):
            raise LspRequestError(f"no rename edit for {doc.path.name}:{line}:{col}")
        return result


@dataclass(frozen=True, slots=True)
class _Spot:
    """A 1-based position (code points) in an opened document, and the server asked there."""

    doc: Document
    lines: list[str]
    line: int
    col: int
    server: str
    lines_of: Callable[[Path], list[str]]

    @property
    def shown(self) -> str:
        return f"{self.doc.path.name}:{self.line}:{self.col}"


def _local_target(at: _Spot) -> RenameTarget:
    text = line_at(at.lines, at.line - 1)
    span = identifier_at(text, at.col - 1)
    if span is None:
        raise LspRequestError(f"no identifier at {at.shown}")
    start = types.Position(at.line - 1, codepoint_to_utf16(text, span[0]))
    end = types.Position(at.line - 1, codepoint_to_utf16(text, span[1]))
    location = to_location(at.doc.uri, types.Range(start, end), at.lines_of)
    return RenameTarget(location, text[span[0] : span[1]], at.server, supported=False)


def _prepared(result: Any, at: _Spot) -> RenameTarget:
    if result is None:
        raise LspRequestError(f"{at.server}: nothing to rename at {at.shown}")
    if isinstance(result, types.Range):
        rng, placeholder = result, None
    elif isinstance(result, types.PrepareRenamePlaceholder):
        rng, placeholder = result.range, result.placeholder
    else:  # default behavior: the identifier under the cursor
        target = _local_target(at)
        return RenameTarget(target.location, target.placeholder, at.server, supported=True)
    location = to_location(at.doc.uri, rng, at.lines_of)
    if placeholder is None:
        text = line_at(at.lines, rng.start.line)
        placeholder = (
            text[location.col - 1 : location.end_col - 1]
            if location.end_line == location.line
            else ""
        )
    return RenameTarget(location, placeholder, at.server, supported=True)
