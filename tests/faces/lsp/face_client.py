"""A real LSP client (pygls ``LanguageClient``) driving ``zeph-tui lsp`` in a subprocess.

Used by the face tests and ``bench/rename.py``. The client answers
``window/showMessageRequest`` with :attr:`FaceClient.answer` (``"Apply"`` by
default) and records every request, message and log line.
"""

from __future__ import annotations

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
    """

    def __init__(self, root: Path, *, annotations: bool = False) -> None:
        self.root = root
        self.annotations = annotations
        self.answer: str | None = "Apply"
        self.requests: list[str] = []
        self.messages: list[str] = []
        self.logs: list[str] = []
        self.client = LanguageClient("face-test", "1")
        self.versions: dict[str, int] = {}

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

    async def stop(self) -> None:
        """shutdown, exit, wait for the process."""
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()
