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

from lsp_bridge.navigation import path_from_uri
from lsp_bridge.workspace_edit import apply_text_edits

__all__ = ["FaceClient", "apply_edit"]


def apply_edit(edit: types.WorkspaceEdit) -> dict[Path, str]:
    """Write ``edit``'s text edits to the files as an editor does (LSP units, UTF-16).

    The one client-side apply of the face tests and ``bench/rename.py`` (the
    face's edits and the bare server's alike). ``documentChanges`` wins over
    ``changes``; resource operations are not supported here.

    Returns:
        Each written file's new text.
    """
    per_file: list[tuple[str, list[Any]]] = []
    if edit.document_changes:
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit), change
            per_file.append((change.text_document.uri, list(change.edits)))
    else:
        per_file = [(uri, list(edits)) for uri, edits in (edit.changes or {}).items()]
    texts: dict[Path, str] = {}
    for uri, edits in per_file:
        path = path_from_uri(uri)
        text = apply_text_edits(path.read_text(encoding="utf-8"), edits)
        path.write_text(text, encoding="utf-8")
        texts[path] = text
    return texts


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
        """Apply ``edit`` like an editor that then saves: files written, didChange + didSave sent."""
        texts = apply_edit(edit)
        for path, text in texts.items():
            uri = path.as_uri()
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
        return list(texts)

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
