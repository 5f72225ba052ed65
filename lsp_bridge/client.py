"""One running language server: spawn, initialize, requests, push diagnostics, close.

Wraps pygls 2.1's ``LanguageClient`` and works around two of its pitfalls:
it never drains the server's stderr (a chatty server then blocks on a full
pipe), and it cannot parse pylsp's notebook capability (see ``_converter``).
The server runs in its own process group; closing sends shutdown/exit, then
SIGTERM, then SIGKILL to the group (LSP 3.17 §shutdown, §exit).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient

from ._converter import tolerant_converter
from .errors import LspRequestError, ServerUnavailable
from .registry import ServerDef

__all__ = ["LspClient", "Publish", "client_capabilities"]

logger = logging.getLogger(__name__)

_STDERR_TAIL_LINES = 40
_PUBLISH_HISTORY = 16


@dataclass(frozen=True)
class Publish:
    """One ``textDocument/publishDiagnostics`` as received.

    Attributes:
        seq: arrival number, increasing per client across all documents.
        version: the document version the server stated, or ``None``.
        diagnostics: the diagnostics, LSP units (0-based, UTF-16).
        arrived_s: ``time.monotonic()`` at arrival, seconds.
    """

    seq: int
    version: int | None
    diagnostics: tuple[types.Diagnostic, ...]
    arrived_s: float


def client_capabilities() -> types.ClientCapabilities:
    """The capabilities the bridge announces (LSP 3.17 §initialize)."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf16]
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True, related_information=True
            ),
            diagnostic=types.DiagnosticClientCapabilities(dynamic_registration=False),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
            definition=types.DefinitionClientCapabilities(link_support=True),
            references=types.ReferenceClientCapabilities(),
            rename=types.RenameClientCapabilities(prepare_support=True),
        ),
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=True,
            configuration=True,
            workspace_folders=True,
            # servers register their watchers; the bridge then announces created,
            # changed and deleted files itself (LSP 3.17 §workspace/didChangeWatchedFiles)
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True, relative_pattern_support=True
            ),
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[
                    types.ResourceOperationKind.Create,
                    types.ResourceOperationKind.Rename,
                    types.ResourceOperationKind.Delete,
                ],
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=False),
        ),
        window=types.WindowClientCapabilities(work_done_progress=True),
    )


def _section(settings: Mapping[str, Any], section: str | None) -> Any:
    if not section:
        return dict(settings)
    if section in settings:
        return settings[section]
    node: Any = settings
    for part in section.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class _PyglsClient(LanguageClient):
    """pygls client that tells its owner when the server process exits."""

    def __init__(self, owner: LspClient) -> None:
        super().__init__("lsp_bridge", "0.1", converter_factory=tolerant_converter)
        self._owner = owner

    async def server_exit(self, server: asyncio.subprocess.Process) -> None:
        self._owner._on_exit(server.returncode)


class LspClient:
    """A connection to one spawned language server for one workspace root.

    Args:
        server: the definition (its ``command`` is run with ``argv[0]`` replaced
            by ``executable``).
        executable: resolved path of ``server.command[0]``.
        root: workspace root folder sent as ``rootUri`` and the only workspace folder.
    """

    def __init__(self, server: ServerDef, executable: str, root: Path) -> None:
        self.server = server
        self.root = root
        self._argv = [executable, *server.command[1:]]
        self._client = _PyglsClient(self)
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self.capabilities = types.ServerCapabilities()
        self.publishes: dict[str, collections.deque[Publish]] = {}
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        self.returncode: int | None = None
        self.exited = asyncio.Event()
        self._changed = asyncio.Event()
        #: work-done progress tokens begun and not ended (``$/progress``, LSP 3.17 §workDoneProgress)
        self.progress: set[int | str] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stderr_task: asyncio.Task[None] | None = None
        self._process: asyncio.subprocess.Process | None = None
        #: Called as ``on_publish(uri, version, empty, arrived_s)`` after each publish.
        self.on_publish: Callable[[str, int | None, bool, float], None] | None = None
        self._register_handlers()

    # -- lifecycle -----------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The server's process id once started."""
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        """``True`` while the server process runs."""
        return self._process is not None and not self.exited.is_set()

    async def start(self, *, timeout_s: float = 30.0) -> None:
        """Spawn the server and run ``initialize`` + ``initialized``.

        Raises:
            ServerUnavailable: it could not be spawned, died, or did not answer
                ``initialize`` within ``timeout_s`` seconds (it is then killed).
        """
        try:
            await self._client.start_io(*self._argv, cwd=str(self.root), start_new_session=True)
        except OSError as exc:
            raise ServerUnavailable(f"{self.server.name}: cannot start: {exc}") from exc
        self._process = self._client._server
        if self._process is None or self._process.stderr is None:
            raise ServerUnavailable(f"{self.server.name}: spawned without pipes")
        self._stderr_task = asyncio.create_task(self._drain_stderr(self._process.stderr))
        params = types.InitializeParams(
            process_id=os.getpid(),
            root_uri=self.root.as_uri(),
            root_path=str(self.root),
            workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name=self.root.name)],
            capabilities=client_capabilities(),
            initialization_options=dict(self.server.init_options) or None,
            client_info=types.ClientInfo(name="lsp_bridge", version="0.1"),
        )
        try:
            result = await self.request(types.INITIALIZE, params, timeout_s=timeout_s)
        except LspRequestError as exc:
            await self.aclose(timeout_s=1.0)
            tail = " | ".join(list(self.stderr_tail)[-3:])
            raise ServerUnavailable(
                f"{self.server.name}: initialize failed: {exc} {tail}".strip()
            ) from exc
        self.capabilities = result.capabilities
        self._client.protocol.notify(types.INITIALIZED, types.InitializedParams())
        if self.server.settings:
            self._client.protocol.notify(
                types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                types.DidChangeConfigurationParams(settings=dict(self.server.settings)),
            )

    async def aclose(self, *, timeout_s: float = 3.0) -> None:
        """Shut the server down: shutdown → exit → SIGTERM → SIGKILL (process group)."""
        if self._process is None:
            return
        if self.alive:
            with contextlib.suppress(LspRequestError, ConnectionError, RuntimeError):
                await self.request(types.SHUTDOWN, None, timeout_s=timeout_s / 2)
                self._client.protocol.notify(types.EXIT, None)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s / 2):
                    await self._process.wait()
            if self._process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, sig)
        await self._process.wait()
        # A server may leave children in its group (node workers): end them too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            pygls_client: Any = self._client
            await pygls_client.stop()
        if self._stderr_task is not None:
            self._stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stderr_task
        self._on_exit(self._process.returncode)

    def _on_exit(self, returncode: int | None) -> None:
        self.returncode = returncode
        self.exited.set()
        self._changed.set()
        self._idle.set()

    async def _drain_stderr(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    # -- messages ------------------------------------------------------------------
    def notify(self, method: str, params: Any) -> None:
        """Send a notification; silently dropped when the server has exited."""
        if self.alive:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self._client.protocol.notify(method, params)

    async def request(self, method: str, params: Any, *, timeout_s: float) -> Any:
        """Send a request and await its typed result (lsprotocol types).

        Raises:
            LspRequestError: error response, timeout (a ``$/cancelRequest`` is
                sent), or the server exited while the request was pending.
        """
        if self._process is None or self.exited.is_set():
            raise LspRequestError(f"{self.server.name}: server is not running")
        # String ids: pygls keeps incoming requests' futures in the same table
        # as ours, so a numeric id equal to a server request's id would collide.
        msg_id = f"bridge-{next(self._ids)}"
        future = self._client.protocol.send_request_async(method, params, msg_id=msg_id)
        try:
            async with asyncio.timeout(timeout_s):
                return await future
        except TimeoutError as exc:
            self.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            raise LspRequestError(
                f"{self.server.name}: {method} timed out after {timeout_s:g} s"
            ) from exc
        except JsonRpcException as exc:
            raise LspRequestError(f"{self.server.name}: {method} failed: {exc}") from exc
        except (RuntimeError, ConnectionError) as exc:
            raise LspRequestError(f"{self.server.name}: {method}: {exc}") from exc

    async def wait_changed(self, deadline_s: float) -> bool:
        """Wait until a publish arrives or the server exits, up to ``deadline_s``.

        Args:
            deadline_s: absolute ``time.monotonic()`` deadline, seconds.

        Returns:
            ``False`` when the deadline passed first.
        """
        self._changed.clear()
        remaining = deadline_s - time.monotonic()
        if remaining <= 0:
            return False
        try:
            async with asyncio.timeout(remaining):
                await self._changed.wait()
        except TimeoutError:
            return False
        return True

    async def wait_idle(self, deadline_s: float) -> bool:
        """Wait until no work-done progress of the server runs (project loading, indexing).

        Args:
            deadline_s: absolute ``time.monotonic()`` deadline, seconds.

        Returns:
            ``False`` when the deadline passed (or the server exited) first.
        """
        remaining = deadline_s - time.monotonic()
        try:
            async with asyncio.timeout(max(remaining, 0)):
                while self.progress and not self.exited.is_set():
                    self._idle.clear()
                    await self._idle.wait()
        except TimeoutError:
            return False
        return not self.progress

    def _on_progress(self, params: types.ProgressParams) -> None:
        value = params.value
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        if kind == "begin":
            self.progress.add(params.token)
        elif kind == "end":
            self.progress.discard(params.token)
        if not self.progress:
            self._idle.set()

    def last_seq(self) -> int:
        """The newest publish arrival number for any document (0 when none)."""
        newest = [d[-1].seq for d in self.publishes.values() if d]
        return max(newest, default=0)

    def _on_publish(self, params: types.PublishDiagnosticsParams) -> None:
        history = self.publishes.setdefault(params.uri, collections.deque(maxlen=_PUBLISH_HISTORY))
        publish = Publish(
            next(self._seq), params.version, tuple(params.diagnostics), time.monotonic()
        )
        history.append(publish)
        self._changed.set()
        if self.on_publish is not None:
            self.on_publish(params.uri, params.version, not publish.diagnostics, publish.arrived_s)

    def _register_handlers(self) -> None:
        feature: Any = self._client.feature  # pygls' decorator is untyped

        def _publish(params: types.PublishDiagnosticsParams) -> None:
            self._on_publish(params)

        def _configuration(params: types.ConfigurationParams) -> list[Any]:
            return [_section(self.server.settings, item.section) for item in params.items]

        def _apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            return types.ApplyWorkspaceEditResult(
                applied=False, failure_reason="lsp_bridge applies edits only on request"
            )

        def _folders(params: None) -> list[types.WorkspaceFolder]:
            return [types.WorkspaceFolder(uri=self.root.as_uri(), name=self.root.name)]

        def _progress(params: types.ProgressParams) -> None:
            self._on_progress(params)

        feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(_publish)
        feature(types.WORKSPACE_CONFIGURATION)(_configuration)
        feature(types.WORKSPACE_APPLY_EDIT)(_apply_edit)
        feature(types.WORKSPACE_WORKSPACE_FOLDERS)(_folders)
        feature(types.PROGRESS)(_progress)
        for method in (
            types.CLIENT_REGISTER_CAPABILITY,
            types.CLIENT_UNREGISTER_CAPABILITY,
            types.WINDOW_WORK_DONE_PROGRESS_CREATE,
            types.WORKSPACE_DIAGNOSTIC_REFRESH,
            types.WORKSPACE_SEMANTIC_TOKENS_REFRESH,
            types.WORKSPACE_INLAY_HINT_REFRESH,
            types.WORKSPACE_CODE_LENS_REFRESH,
            types.WINDOW_SHOW_MESSAGE_REQUEST,
        ):
            feature(method)(_null_handler)
        for method in (
            types.WINDOW_LOG_MESSAGE,
            types.WINDOW_SHOW_MESSAGE,
            types.TELEMETRY_EVENT,
        ):
            feature(method)(_ignore)


def _null_handler(params: Any) -> None:
    return None


def _ignore(params: Any) -> None:
    return None
