"""``LspBridge``: the one object the agent talks to.

Lazy start per language, root detection from markers, document sync
(didOpen / versioned full didChange / didSave / didClose, LSP 3.17
§textDocument synchronization), diagnostics after each write as a delta
against the pre-edit set, and hover / definition / references / rename.
Nothing here raises for a missing or dying server: reports say so instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from lsprotocol import types

from .client import LspClient
from .delta import compute_delta, render_items, sort_items
from .detect import detect
from .diagwait import Diags, ServerDied, collect
from .disk_sync import DiskSync
from .documents import Document
from .errors import ServerUnavailable
from .positions import split_lines
from .queries import Queries
from .registry import BUILTIN_SERVERS, DEFAULT_CHOICES, ServerDef, language_for_path
from .results import (
    DiagnosticItem,
    DiagnosticsReport,
    HoverInfo,
    Location,
    RenameTarget,
    ServerStatus,
)
from .supervisor import ServerSlot

__all__ = ["LspBridge"]


class LspBridge:
    """Language servers for one workspace, started lazily per language.

    Args:
        root: workspace root; server roots are searched between a file and it.
        servers: ``None`` for the defaults (per language, the first installed
            of each group in ``DEFAULT_CHOICES``: basedpyright|pyright|pylsp
            plus ruff for Python), else exactly these servers (names of
            built-ins or :class:`ServerDef`s, e.g. from ``parse_server_table``).
        settle_ms: initial wait for follow-up publishes, milliseconds (each
            server then adapts it, see ``ServerSlot.settle_s``).
        diagnostics_timeout_s: how long a write waits for each server, seconds.
        request_timeout_s: timeout of hover/definition/references/rename.
        ready_timeout_s: longest :meth:`wait_ready` wait, seconds.
        empty_grace_ms: wait after an empty first publish from quirky servers.
        max_items: cap of new/fixed diagnostics rendered per file.
        max_restarts: deaths tolerated per server before it is "crashed".
    """

    def __init__(
        self,
        root: Path,
        servers: Sequence[ServerDef | str] | None = None,
        *,
        settle_ms: int = 100,
        diagnostics_timeout_s: float = 10.0,
        request_timeout_s: float = 10.0,
        ready_timeout_s: float = 60.0,
        empty_grace_ms: int = 500,
        max_items: int = 20,
        max_restarts: int = 5,
    ) -> None:
        self.root = root.resolve()
        self._explicit = None if servers is None else [_as_def(s) for s in servers]
        self.settle_ms = settle_ms
        self.diagnostics_timeout_s = diagnostics_timeout_s
        self.request_timeout_s = request_timeout_s
        self.ready_timeout_s = ready_timeout_s
        self._empty_grace_s = empty_grace_ms / 1000
        self._max_items = max_items
        self._max_restarts = max_restarts
        self._slots: dict[tuple[str, Path], ServerSlot] = {}
        self._docs: dict[Path, Document] = {}
        self._missing: dict[str, str] = {}
        self._queries = Queries(self)
        self._disk = DiskSync(self)

    # -- servers -------------------------------------------------------------------
    async def _defs_for(self, path: Path, language: str) -> tuple[list[ServerDef], list[str]]:
        if self._explicit is not None:
            return [s for s in self._explicit if s.matches(path) or language in s.languages], []
        chosen: list[ServerDef] = []
        missing: list[str] = []
        for group in DEFAULT_CHOICES.get(language, ()):
            found = None
            for name in group:
                detection = await detect(BUILTIN_SERVERS[name])
                if detection.available:
                    found = BUILTIN_SERVERS[name]
                    break
                self._missing[name] = detection.describe()
            if found is None:
                missing.append(self._missing[group[0]])
            else:
                chosen.append(found)
        return chosen, missing

    def _root_for(self, path: Path, server: ServerDef) -> Path:
        folder = path.parent
        while folder.is_relative_to(self.root):
            if any((folder / marker).exists() for marker in server.root_markers):
                return folder
            if folder == self.root:
                break
            folder = folder.parent
        return self.root

    def _slot(self, server: ServerDef, root: Path) -> ServerSlot:
        key = (server.name, root)
        slot = self._slots.get(key)
        if slot is None:
            slot = ServerSlot(server, root, self._reopen, max_restarts=self._max_restarts)
            self._slots[key] = slot
        return slot

    def _reopen(self, slot: ServerSlot, client: LspClient) -> None:
        for doc in self._docs.values():
            if slot in doc.slots and doc.opened:  # slot.sent is empty: didOpen
                _send(slot, client, doc, save=False)

    def resolved(self, path: Path) -> Path:
        """``path`` made absolute (from the root) with its symlinks resolved.

        A known document's path (resolved when first seen) is returned as it
        is: a warm rename over dozens of files costs no ``lstat`` per part.
        """
        path = path if path.is_absolute() else self.root / path
        return path if path in self._docs else path.resolve()

    async def _doc(self, path: Path) -> Document:
        path = self.resolved(path)
        doc = self._docs.get(path)
        if doc is None:
            language = language_for_path(path, self._explicit or ()) or "plaintext"
            doc = Document(path=path, uri=path.as_uri(), language=language)
            defs, missing = await self._defs_for(path, language)
            doc.slots = [self._slot(d, self._root_for(path, d)) for d in defs]
            doc.missing = tuple(missing)
            self._docs[path] = doc
        return doc

    async def wait_ready(self, path: Path, timeout_s: float | None = None) -> list[str]:
        """Wait until no server of ``path`` reports work in progress (``$/progress``).

        tsserver loads its project, gopls its packages, under a work-done
        progress; a cross-file request sent meanwhile gets a partial answer.

        Args:
            path: a document (its servers are asked; none is started here).
            timeout_s: seconds, default ``ready_timeout_s``.

        Returns:
            Names of the servers still busy at the deadline (``[]``: ready).
        """
        doc = await self._doc(path)
        deadline_s = time.monotonic() + (self.ready_timeout_s if timeout_s is None else timeout_s)
        busy = []
        for slot in doc.slots:
            client = slot.client
            if client is not None and client.alive and not await client.wait_idle(deadline_s):
                busy.append(slot.server.name)
        return busy

    def lines_of(self, path: Path) -> list[str]:
        """The lines of ``path``: the synced text when open, else the disk (``[]`` on error)."""
        doc = self._docs.get(self.resolved(path))
        if doc is not None and doc.opened:
            return split_lines(doc.text)
        try:
            return split_lines(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return []

    async def opened(self, path: Path) -> Document:
        """The document, opened from disk (without waiting for diagnostics) if needed."""
        doc = await self._doc(path)
        if not doc.opened:
            async with doc.lock:
                if not doc.opened:
                    doc.text = doc.path.read_text(encoding="utf-8", errors="replace")
                    doc.version, doc.opened = doc.version + 1, True
                    for slot in doc.slots:
                        with contextlib.suppress(ServerUnavailable):
                            client = await slot.ensure()
                            if doc.uri not in slot.sent:  # didOpen
                                _send(slot, client, doc, save=False)
        return doc

    # -- queries (lsp_bridge.queries) ----------------------------------------------
    async def hover(self, path: Path, line: int, col: int) -> HoverInfo | None:
        """See :meth:`lsp_bridge.queries.Queries.hover`."""
        return await self._queries.hover(path, line, col)

    async def definition(self, path: Path, line: int, col: int) -> list[Location]:
        """See :meth:`lsp_bridge.queries.Queries.definition`."""
        return await self._queries.definition(path, line, col)

    async def references(
        self, path: Path, line: int, col: int, *, include_declaration: bool = True
    ) -> list[Location]:
        """See :meth:`lsp_bridge.queries.Queries.references`."""
        return await self._queries.references(
            path, line, col, include_declaration=include_declaration
        )

    async def prepare_rename(self, path: Path, line: int, col: int) -> RenameTarget:
        """See :meth:`lsp_bridge.queries.Queries.prepare_rename`."""
        return await self._queries.prepare_rename(path, line, col)

    async def rename(self, path: Path, line: int, col: int, new_name: str) -> types.WorkspaceEdit:
        """See :meth:`lsp_bridge.queries.Queries.rename`."""
        return await self._queries.rename(path, line, col, new_name)

    # -- document sync -------------------------------------------------------------
    async def open_or_change(
        self,
        path: Path,
        text: str,
        *,
        previous_text: str | None = None,
        save: bool = True,
        created: bool = False,
    ) -> DiagnosticsReport:
        """Send ``text`` as the document's new content and report what changed.

        The first call for a path sends didOpen; later ones a versioned
        full-text didChange; then didSave when ``save``. Waits for each server's
        diagnostics of this version (push) or pulls them.

        Args:
            path: file path, absolute or relative to the bridge root.
            text: the full new content.
            previous_text: content before the edit, used as the baseline when
                the document was not open yet (opened first, costs one more
                analysis); otherwise everything found counts as new.
            save: also send didSave (the write hit the disk).
            created: the file did not exist before this write: every running
                server gets ``workspace/didChangeWatchedFiles`` (Created) first,
                so modules written next can import it.

        Returns:
            A :class:`DiagnosticsReport`; servers that did not answer within
            ``diagnostics_timeout_s`` are listed in ``pending``. ``new`` and
            ``fixed`` compare only servers that gave diagnostics before the
            edit too (one that missed the baseline cannot make old
            diagnostics look new); everything counts as new for a document
            opened for the first time without ``previous_text``. Never
            raises for missing or crashed servers.
        """
        doc = await self._doc(path)
        if created:
            self.announce([doc.path], types.FileChangeType.Created)
        async with doc.lock:
            if not doc.opened and previous_text is not None and previous_text != text:
                await self._sync(doc, previous_text, save=False)
            old_text, before = doc.text, doc.items()
            known = set(doc.diags) if doc.opened else None  # servers with a baseline
            answered, pending = await self._sync(doc, text, save=save)
            compared = answered if known is None else answered & known
            before = [d for d in before if d.server in compared]
            return self._report(doc, old_text, before, answered, pending, compared)

    async def _sync(self, doc: Document, text: str, *, save: bool) -> tuple[set[str], list[str]]:
        doc.text, doc.version, doc.opened = text, doc.version + 1, True
        deadline_s = time.monotonic() + self.diagnostics_timeout_s
        results: dict[str, Diags | None] = {}
        async with asyncio.TaskGroup() as group:
            for slot in doc.slots:
                group.create_task(self._sync_one(slot, doc, save, deadline_s, results))
        answered = {name for name, diags in results.items() if diags is not None}
        for name in answered:
            found = results[name]
            if found is not None:
                doc.diags[name] = found
        pending = [slot.server.name for slot in doc.slots if slot.server.name not in answered]
        for name in pending:
            doc.diags.pop(name, None)
        return answered, pending

    async def _sync_one(
        self,
        slot: ServerSlot,
        doc: Document,
        save: bool,
        deadline_s: float,
        results: dict[str, Diags | None],
    ) -> None:
        name = slot.server.name
        results[name] = None
        for _attempt in range(2):
            try:
                client = await slot.ensure()
            except ServerUnavailable:
                return
            seq0 = 0 if slot.sent.get(doc.uri) == doc.version else client.last_seq()
            _send(slot, client, doc, save=save)
            try:
                results[name] = await collect(
                    slot, client, doc.uri, doc.version, seq0, deadline_s,
                    settle_ms=self.settle_ms, empty_grace_s=self._empty_grace_s,
                    previous=doc.diags.get(name),
                )  # fmt: skip
                return
            except ServerDied:
                continue  # restart (ensure) replays didOpen with the current text

    def _report(
        self,
        doc: Document,
        old_text: str,
        before: list[DiagnosticItem],
        answered: set[str],
        pending: list[str],
        compared: set[str],
    ) -> DiagnosticsReport:
        current = doc.items(answered)
        new, fixed = compute_delta(
            old_text, doc.text, before, [d for d in current if d.server in compared]
        )
        shown = doc.path.relative_to(self.root) if doc.path.is_relative_to(self.root) else doc.path
        errors = sum(1 for d in current if d.severity == "error")
        lines = [
            f"diagnostics for {shown} (version {doc.version}): {len(new)} new, "
            f"{len(fixed)} fixed, {len(current)} current ({errors} errors)"
        ]
        lines += render_items("new", new, self._max_items, self.root)
        lines += render_items("fixed", fixed, self._max_items, self.root)
        for name in pending:
            lines.append(
                f"diagnostics pending from {name} (no answer within {self.diagnostics_timeout_s:g} s)"
            )
        lines += [f"no diagnostics from {m}" for m in doc.missing]
        return DiagnosticsReport(
            path=doc.path, version=doc.version, new=tuple(new), fixed=tuple(fixed),
            current=tuple(current), pending=tuple(pending), missing=doc.missing, text="\n".join(lines),
        )  # fmt: skip

    async def close(self, path: Path) -> None:
        """Send didClose to the servers that have ``path`` open and forget it."""
        doc = await self._doc(path)
        async with doc.lock:
            for slot in doc.slots:
                if slot.sent.pop(doc.uri, None) is not None and slot.client is not None:
                    ident = types.TextDocumentIdentifier(doc.uri)
                    slot.client.notify(
                        types.TEXT_DOCUMENT_DID_CLOSE, types.DidCloseTextDocumentParams(ident)
                    )
            self._docs.pop(doc.path, None)

    async def sync_from_disk(
        self, paths: Iterable[Path], *, wait: bool = True
    ) -> list[DiagnosticsReport]:
        """Tell servers about files changed behind their back (by bash, git...).

        Every running server gets ``workspace/didChangeWatchedFiles`` for the
        files whose content it does not have already (open documents with the
        same text are left out, so nothing is re-analysed for nothing); open
        documents whose disk content differs are re-sent like a write;
        deleted open documents are closed. A file whose disk stamp
        (``st_mtime_ns``, ``st_size``) and document version are those of its
        last sync here is not read again: a warm rename re-checks dozens of
        files with one ``stat`` each.

        Args:
            paths: files, absolute or relative to the root.
            wait: wait for the diagnostics of each re-sent document; ``False``
                sends the new text (:meth:`send`) and returns at once, for a
                request that only needs the servers to have it (they handle
                notifications in order).

        Returns:
            One report per open document that changed and was waited for, in
            the given order.
        """
        return await self._disk.sync_from_disk(paths, wait=wait)

    def disk_texts(self) -> Mapping[Path, str]:
        """Exact disk texts seen by the last :meth:`sync_from_disk` (see ``DiskSync.disk_texts``)."""
        return self._disk.disk_texts()

    def disk_text(self, path: Path) -> str | None:
        """``path``'s exact disk text if held at its current stamp (one ``stat``), else ``None``."""
        return self._disk.disk_text(self.resolved(path))

    def observe_disk(self, paths: Iterable[Path]) -> None:
        """Stamp ``paths`` whose disk text is what the servers have; nothing sent (``DiskSync``)."""
        self._disk.observe(paths)

    async def send(self, path: Path, text: str, *, save: bool = True) -> None:
        """Send ``text`` as the document's new content without waiting for diagnostics.

        The document's diagnostics are forgotten (:meth:`answered` is empty)
        until its next :meth:`open_or_change`, which waits for them again.
        Servers not running are not started.
        """
        doc = await self._doc(path)
        async with doc.lock:
            doc.text, doc.version, doc.opened = text, doc.version + 1, True
            doc.diags.clear()
            for slot in doc.slots:
                client = slot.client
                if client is not None and client.alive:
                    _send(slot, client, doc, save=save)

    def document(self, path: Path) -> Document | None:
        """The known document of the resolved ``path`` (opened or not), or ``None``."""
        return self._docs.get(path)

    def announce(self, paths: Sequence[Path], kind: types.FileChangeType) -> None:
        """Send ``workspace/didChangeWatchedFiles`` for ``paths`` to every running server.

        Args:
            paths: absolute paths (nothing is sent for an empty list).
            kind: ``Created``, ``Changed`` or ``Deleted`` (LSP 3.17 §FileChangeType).
        """
        if not paths:
            return
        events = [types.FileEvent(uri=p.as_uri(), type=kind) for p in paths]
        for slot in list(self._slots.values()):
            if slot.client is not None and slot.client.alive:
                slot.client.notify(
                    types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    types.DidChangeWatchedFilesParams(events),
                )

    def diagnostics(self, path: Path | None = None) -> list[DiagnosticItem]:
        """The current merged diagnostics of one open document, or of all of them."""
        if path is not None:
            doc = self._docs.get(self.resolved(path))
            return doc.items() if doc is not None else []
        return sort_items(item for doc in self._docs.values() for item in doc.items())

    def answered(self, path: Path) -> frozenset[str]:
        """Names of the servers whose diagnostics of ``path``'s current version are known."""
        doc = self._docs.get(self.resolved(path))
        return frozenset(doc.diags) if doc is not None and doc.opened else frozenset()

    def status(self) -> list[ServerStatus]:
        """Every server the bridge started or looked for, sorted by name."""
        found = [slot.status() for slot in self._slots.values()]
        names = {s.name for s in found}
        for name, reason in self._missing.items():
            if name not in names:
                found.append(ServerStatus(name, "missing", reason, None, 0, ""))
        return sorted(found, key=lambda s: (s.name, str(s.root)))

    async def aclose(self) -> None:
        """Shut every server down (shutdown/exit, then terminate, then kill)."""
        slots = list(self._slots.values())
        async with asyncio.TaskGroup() as group:
            for slot in slots:
                group.create_task(slot.aclose())
        self._docs.clear()

    async def __aenter__(self) -> LspBridge:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _send(slot: ServerSlot, client: LspClient, doc: Document, *, save: bool) -> None:
    """didOpen, or didChange when the server has an older version; then didSave when ``save``."""
    sent = slot.sent.get(doc.uri)
    if sent is None:
        item = types.TextDocumentItem(doc.uri, doc.language, doc.version, doc.text)
        client.notify(types.TEXT_DOCUMENT_DID_OPEN, types.DidOpenTextDocumentParams(item))
    elif sent != doc.version:
        change = types.TextDocumentContentChangeWholeDocument(text=doc.text)
        ident = types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version)
        client.notify(
            types.TEXT_DOCUMENT_DID_CHANGE, types.DidChangeTextDocumentParams(ident, [change])
        )
    slot.sent[doc.uri] = doc.version
    if save:
        params = types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(doc.uri), doc.text)
        client.notify(types.TEXT_DOCUMENT_DID_SAVE, params)


def _as_def(server: ServerDef | str) -> ServerDef:
    if isinstance(server, ServerDef):
        return server
    try:
        return BUILTIN_SERVERS[server]
    except KeyError:
        raise ServerUnavailable(
            f"unknown server {server!r}; known: {sorted(BUILTIN_SERVERS)}"
        ) from None
