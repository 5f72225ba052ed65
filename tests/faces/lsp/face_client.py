"""A real LSP client (pygls ``LanguageClient``) driving ``zeph-tui lsp`` in a subprocess.

Used by the face tests and ``bench/rename.py``. The client answers
``window/showMessageRequest`` with :attr:`FaceClient.answer` (``"Apply"`` by
default) and records every request, message and log line.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

__all__ = ["FaceClient"]


class FaceClient:
    """``zeph-tui lsp --workspace root`` with one client.

    Args:
        root: the workspace.
        annotations: advertise ``changeAnnotationSupport`` (VS Code does).
        asks: answer ``window/showMessageRequest`` (``False``: no handler, the
            request gets an error back, as from a client that cannot show it).
    """

    def __init__(self, root: Path, *, annotations: bool = False, asks: bool = True) -> None:
        self.root = root
        self.annotations = annotations
        self.answer: str | None = "Apply"
        self.requests: list[str] = []
        self.messages: list[str] = []
        self.logs: list[str] = []
        self.client = LanguageClient("face-test", "1")
        self.versions: dict[str, int] = {}
        self._logged = asyncio.Event()

        if asks:

            @self.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
            def _ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
                self.requests.append(params.message)
                return types.MessageActionItem(self.answer) if self.answer else None

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def _show(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def _log(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)
            self._logged.set()

    async def start(self) -> None:
        """Spawn the face and initialize it."""
        env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        await self.client.start_io(
            sys.executable, "-m", "zeph_tui", "lsp", "--workspace", str(self.root), env=env
        )
        edit = types.WorkspaceEditClientCapabilities(
            document_changes=True,
            change_annotation_support=(
                types.ChangeAnnotationsSupportOptions(groups_on_label=True)
                if self.annotations
                else None
            ),
        )
        caps = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(workspace_edit=edit)
        )
        await self.client.initialize_async(
            types.InitializeParams(capabilities=caps, root_uri=self.root.as_uri())
        )
        self.client.initialized(types.InitializedParams())

    def open(self, path: Path, text: str | None = None) -> str:
        """didOpen ``path`` with ``text`` (default: the disk); returns the URI."""
        uri = path.as_uri()
        self.versions[uri] = 1
        content = path.read_text() if text is None else text
        item = types.TextDocumentItem(uri, "python", 1, content)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))
        return uri

    async def prepare(self, uri: str, line: int, character: int) -> Any:
        """``textDocument/prepareRename`` at a 0-based position."""
        params = types.PrepareRenameParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character)
        )
        return await self.client.text_document_prepare_rename_async(params)

    async def rename(self, uri: str, line: int, character: int, new_name: str) -> Any:
        """``textDocument/rename`` at a 0-based position."""
        params = types.RenameParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character), new_name
        )
        return await self.client.text_document_rename_async(params)

    def apply(self, edit: types.WorkspaceEdit) -> list[Path]:
        """Apply ``edit`` like an editor that then saves: files written, didChange + didSave sent.

        Positions are taken as code points (the face's edits are whole lines).
        """
        written = []
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit)
            uri = change.text_document.uri
            path = Path(uri.removeprefix("file://"))
            lines = path.read_text().splitlines(keepends=True)
            for text_edit in sorted(change.edits, key=lambda e: e.range.start.line, reverse=True):
                start, end = text_edit.range.start, text_edit.range.end
                head = (
                    "".join(lines[: start.line]) + lines[start.line][: start.character]
                    if start.line < len(lines)
                    else "".join(lines)
                )
                tail = (
                    lines[end.line][end.character :] + "".join(lines[end.line + 1 :])
                    if end.line < len(lines)
                    else ""
                )
                lines = (head + text_edit.new_text + tail).splitlines(keepends=True)
            text = "".join(lines)
            path.write_text(text)
            written.append(path)
            if uri in self.versions:
                self.versions[uri] += 1
                ident = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
                whole = types.TextDocumentContentChangeWholeDocument(text=text)
                self.client.text_document_did_change(
                    types.DidChangeTextDocumentParams(ident, [whole])
                )
                self.client.text_document_did_save(
                    types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
                )
        return written

    async def wait_log(self, prefix: str, *, count: int = 1, timeout_s: float = 120) -> None:
        """Wait until ``count`` log lines start with ``prefix``."""
        async with asyncio.timeout(timeout_s):
            while sum(1 for m in self.logs if m.startswith(prefix)) < count:
                self._logged.clear()
                await self._logged.wait()

    async def stop(self) -> None:
        """shutdown, exit, wait for the process."""
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()
