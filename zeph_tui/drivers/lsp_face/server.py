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
import gc
import logging
import sys
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
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
        self._heap_frozen = False

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve LSP on ``stdin``/``stdout`` (default: the process's) until ``exit``.

        pygls' own loop reads each header line and each body in a worker
        thread (three thread hops per message); here a pipe, socket or
        terminal is read on the event loop (``loop.connect_read_pipe``), so a
        request reaches its handler in the loop turn its bytes arrive. Any
        other stdin (a regular file) gets pygls' threaded reader.
        """
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(self._serve(stdin or sys.stdin.buffer))
        except BrokenPipeError:
            log.error("the client closed the connection: shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # untyped in pygls

    async def _serve(self, stdin: BinaryIO) -> None:
        reader: _PipeReader | StdinAsyncReader
        stream = asyncio.StreamReader()
        try:
            await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(stream), stdin
            )
            reader = _PipeReader(stream)
        except ValueError:  # not a pipe, socket or character device
            reader = StdinAsyncReader(stdin, self.thread_pool)
        assert self._stop_event is not None
        await run_async(
            stop_event=self._stop_event,
            reader=reader,
            protocol=self.protocol,
            logger=log,
            error_handler=self.report_server_error,
        )

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

    def freeze_heap(self) -> None:
        """Once start-up is over, keep what it made out of the collector's way (``gc.freeze``).

        Called when the first opened document is analysed: modules, servers
        and caches are loaded by then. The garbage is collected first, and
        every object left moves to the permanent generation, so a later full
        collection scans only what came since (unfrozen, one landed in a warm
        rename and took ~25 ms of its reply). Later calls do nothing.
        """
        if not self._heap_frozen:
            self._heap_frozen = True
            gc.collect()
            gc.freeze()

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


class _PipeReader:
    """pygls' reader interface over an :class:`asyncio.StreamReader` (``b""`` at the end)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream

    async def readline(self) -> bytes:
        return await self._stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self._stream.readexactly(n)
        except asyncio.IncompleteReadError:  # the client went away mid-message
            return b""
