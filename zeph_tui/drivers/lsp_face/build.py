"""Assembles the ``zeph-tui lsp`` server: the native rename, the code action, warm-up.

:func:`build_server` registers the features of :mod:`.native` and :mod:`.actions`
on a :class:`~zeph_tui.drivers.lsp_face.server.ZephLanguageServer`, starts the
language servers at ``initialized`` and analyses each opened document in the
background (a ``window/logMessage`` starting with ``WARM_PREFIX`` says when;
the first one also freezes the start-up heap:
:meth:`~zeph_tui.drivers.lsp_face.server.ZephLanguageServer.freeze_heap`).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp_bridge.navigation import path_from_uri
from zeph_tui.core.config import DIAGNOSTICS_TIMEOUT_S
from zeph_tui.drivers.lsp_face.actions import register_actions
from zeph_tui.drivers.lsp_face.native import register_native
from zeph_tui.drivers.lsp_face.server import WARM_PREFIX, ZephLanguageServer

__all__ = ["build_server"]


async def _warm(ls: ZephLanguageServer, path: Path) -> None:
    from zeph_tui.core.code.rename_sync import sync_target

    root = ls.root()
    if path.is_relative_to(root) and await asyncio.to_thread(path.is_file):
        start_s = time.monotonic()
        await sync_target(ls.bridge(), path)
        elapsed_ms = (time.monotonic() - start_s) * 1000
        shown = path.relative_to(root).as_posix()
        text = f"{WARM_PREFIX} {shown} analysed in {elapsed_ms:.0f} ms"
        ls.freeze_heap()
        ls.window_log_message(types.LogMessageParams(types.MessageType.Log, text))


def build_server(
    workspace: Path | None, diagnostics_timeout_s: float = DIAGNOSTICS_TIMEOUT_S
) -> ZephLanguageServer:
    """The configured server (features registered), not started.

    ``diagnostics_timeout_s``: ``[lsp] diagnostics_timeout_s`` of the settings.
    """
    server = ZephLanguageServer(workspace, diagnostics_timeout_s)
    register_native(server)
    register_actions(server)

    @server.feature(types.INITIALIZED)
    def _initialized(ls: ZephLanguageServer, params: types.InitializedParams) -> None:
        ls.bridge()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def _did_open(ls: ZephLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.owned(_warm(ls, path_from_uri(params.text_document.uri)))

    @server.feature(types.SHUTDOWN)
    async def _shutdown(ls: ZephLanguageServer, params: Any) -> None:
        await ls.close_bridge()

    return server
