"""The pygls server of ``zeph-tui lsp``: the editor's own rename, with call sites.

Attach it to an editor next to the language's usual server. Features (LSP 3.17):

- ``textDocument/prepareRename`` and ``textDocument/rename``
  (:mod:`~zeph_tui.drivers.lsp_face.native`): the editor prompts for the
  name (Helix ``space r``, Neovim ``vim.lsp.buf.rename()``, VS Code F2); the
  face plans with :func:`zeph_tui.core.code.rename.plan_rename`, shows the
  call sites before the edit and summarises after.
- ``textDocument/codeAction`` + ``workspace/executeCommand``
  ``zeph.renameWithCallSites`` (:mod:`~zeph_tui.drivers.lsp_face.actions`)
  for clients that prefer a code action; it never invents a name.

The language servers behind (through :mod:`lsp_bridge`) start when the
client is initialized and stay warm for the face's whole life: each
document the editor opens is analysed in the background, so a rename
answers without waiting for a cold index. Tasks the face starts are owned
by it and cancelled at ``shutdown``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lsp_bridge import LspBridge
from lsp_bridge.navigation import identifier_at, path_from_uri
from zeph_tui.core.tasks import BackgroundTasks

__all__ = ["WARM_PREFIX", "ZephLanguageServer"]

#: ``window/logMessage`` prefix once a document the editor opened is analysed.
WARM_PREFIX = "zeph: servers warm:"

log = logging.getLogger(__name__)


class ZephLanguageServer(LanguageServer):
    """pygls server owning one :class:`~lsp_bridge.LspBridge` for the workspace.

    Args:
        workspace: fixed root, or ``None`` to take the client's root at initialize.
    """

    def __init__(self, workspace: Path | None, diagnostics_timeout_s: float) -> None:
        from zeph_tui import __version__

        super().__init__("zeph-tui", __version__)
        self.fixed_root = workspace
        self.diagnostics_timeout_s = diagnostics_timeout_s
        self._bridge: LspBridge | None = None
        self._tasks = BackgroundTasks(log, logging.WARNING, "background task failed")

    def root(self) -> Path:
        if self.fixed_root is not None:
            return self.fixed_root
        root = self.workspace.root_path
        return Path(root).resolve() if root else Path.cwd()

    def bridge(self) -> LspBridge:
        """The bridge to the real servers, created on first use."""
        if self._bridge is None:
            self._bridge = LspBridge(self.root(), diagnostics_timeout_s=self.diagnostics_timeout_s)
        return self._bridge

    def owned(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` in the background; the face cancels it at shutdown."""
        return self._tasks.spawn(work)

    async def close_bridge(self) -> None:
        """Cancel the background tasks, then stop every server."""
        await self._tasks.cancel_all()
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            await bridge.aclose()

    def point(self, uri: str, position: types.Position) -> tuple[Path, int, int, str]:
        """``(path, line, column, identifier)``: 1-based, column in code points."""
        doc = self.workspace.get_text_document(uri)
        lines = doc.lines
        server_pos = self.workspace.position_codec.position_from_client_units(lines, position)
        line_text = lines[server_pos.line].rstrip("\r\n") if server_pos.line < len(lines) else ""
        span = identifier_at(line_text, server_pos.character)
        name = line_text[span[0] : span[1]] if span else ""
        return path_from_uri(uri), server_pos.line + 1, server_pos.character + 1, name

    def buffer_text(self, uri: str) -> str | None:
        """The editor's text of ``uri`` when the editor has it open, else ``None``."""
        doc = self.workspace.text_documents.get(uri)
        return doc.source if doc is not None else None

    def tell(self, kind: types.MessageType, text: str, *, log_too: str | None = None) -> None:
        """``window/showMessage`` of ``text``, and ``window/logMessage`` of ``log_too``."""
        self.window_show_message(types.ShowMessageParams(kind, text))
        if log_too is not None:
            self.window_log_message(types.LogMessageParams(types.MessageType.Log, log_too))
