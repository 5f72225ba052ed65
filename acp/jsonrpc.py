"""A JSON-RPC 2.0 peer over newline-delimited frames (either side of ACP).

Spec followed: JSON-RPC 2.0 (https://www.jsonrpc.org/specification), ACP v1
transports and cancellation (https://agentclientprotocol.com/protocol/v1/cancellation).

Incoming requests each run in their own task owned by a
:class:`~acp.supervisor.TaskSupervisor`, so a long ``session/prompt`` does not
block anything else. Incoming notifications are awaited inline by the reader,
in arrival order, so ``session/cancel`` reaches a running prompt at once
(notification handlers must therefore be quick). ``$/cancel_request`` is
handled here: it cancels the task of that request, which answers ``-32800``;
a cancel that overtakes its request is remembered (:mod:`acp.cancels`) and that
request, when it arrives, is answered ``-32800`` at once.
Responses to our own requests are routed by id to waiting futures.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from acp.cancels import CancelMemory
from acp.errors import ConnectionClosedError, RequestError, RequestTimeoutError
from acp.supervisor import TaskSupervisor
from acp.transport import DEFAULT_MAX_FRAME_BYTES, FrameSink, FrameTooLarge, read_frames

__all__ = [
    "CANCEL_REQUEST_METHOD",
    "Connection",
    "NotificationHandler",
    "RequestHandler",
    "RequestId",
    "after_response",
    "encode_frame",
    "find_lone_surrogate",
]

_log = logging.getLogger("acp.jsonrpc")

CANCEL_REQUEST_METHOD = "$/cancel_request"

RequestId = str | int | None
"""A JSON-RPC id: string, integer (int64) or null (``$defs/RequestId``)."""

RequestHandler = Callable[[str, Any], Awaitable[Any]]
"""``async (method, params) -> result``; raise :class:`RequestError` to answer an error."""

NotificationHandler = Callable[[str, Any], Awaitable[None]]
"""``async (method, params) -> None``; exceptions are logged and dropped."""

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# A JSON escape of a surrogate code point: the only way a lone surrogate gets
# into a decoded string (raw surrogate bytes are not valid UTF-8).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_after_response: contextvars.ContextVar[list[Callable[[], Coroutine[Any, Any, None]]] | None] = (
    contextvars.ContextVar("acp_after_response", default=None)
)


def after_response(callback: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``callback()`` once the current request's response has been written and drained.

    Call it from inside a request handler (e.g. to send ``session/update``s that
    a client can only attach to a session once it has read the
    ``session/new`` response). Outside a handler the callback runs as soon as
    possible. Failures are logged.
    """
    callbacks = _after_response.get()
    if callbacks is not None:
        callbacks.append(callback)
    else:
        asyncio.get_running_loop().create_task(callback())


def find_lone_surrogate(value: Any, where: str = "params") -> str | None:
    """The JSON path of the first string (value or key) holding a lone surrogate, or None.

    Iterative (nesting depth is only bounded by the JSON parser), e.g.
    ``find_lone_surrogate({"prompt": [{"text": "\\ud83d"}]}, "")`` is ``"prompt[0].text"``.
    """
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return path or "value"
        elif isinstance(node, dict):
            items = list(node.items())
            for key, item in reversed(items):
                child = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(key):
                    return (path + "." if path else "") + "<key>"
                stack.append((child, item))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(node))))
    return None


def may_hold_surrogates(frame: bytes) -> bool:
    """Cheap pre-check: does the raw frame contain a ``\\uD800``-``\\uDFFF`` escape?"""
    return _SURROGATE_ESCAPE.search(frame) is not None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _is_request_id(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return type(value) is int and _INT64_MIN <= value <= _INT64_MAX


def _id_key(value: RequestId) -> tuple[str, RequestId]:
    return (type(value).__name__, value)


def encode_frame(message: dict[str, Any]) -> bytes:
    """Serialise one message as a UTF-8 JSON line ending in ``\\n``.

    Strings holding lone surrogates (which UTF-8 cannot carry) fall back to
    ASCII escapes, so the output is always valid UTF-8 JSON.

    Raises:
        TypeError: a value is not JSON-serialisable.
        ValueError: NaN/Infinity or a reference cycle.
        RecursionError: nesting too deep.
    """
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        text = json.dumps(message, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
        return text.encode("ascii") + b"\n"


class Connection:
    """One JSON-RPC 2.0 peer reading frames from ``reader`` and writing to ``writer``.

    Args:
        reader: incoming byte stream (newline-delimited JSON).
        writer: outgoing frame sink (``asyncio.StreamWriter`` fits).
        on_request: called for each incoming request, in its own task.
        on_notification: awaited inline for each incoming notification except
            ``$/cancel_request``, which the connection handles itself.
        max_frame_bytes: longest accepted incoming line, in bytes.
        shutdown_grace_s: after input EOF, how long running requests may
            finish (and answer) before they are cancelled (each still answers
            ``-32800``, since the peer may still read our output), in seconds.
        cancels: the memory of cancels that arrived before their request
            (default: 1,024 ids for 60 s).
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: FrameSink,
        on_request: RequestHandler,
        on_notification: NotificationHandler,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        shutdown_grace_s: float = 1.0,
        cancels: CancelMemory | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_request = on_request
        self._on_notification = on_notification
        self._max_frame_bytes = max_frame_bytes
        self._shutdown_grace_s = shutdown_grace_s
        self._supervisor = TaskSupervisor()
        self._write_lock = asyncio.Lock()
        self._running: dict[tuple[str, RequestId], asyncio.Task[None]] = {}
        self._cancelled_by_peer: set[asyncio.Task[None]] = set()
        self._started: set[asyncio.Task[None]] = set()
        self._cancelled_before_start: set[asyncio.Task[None]] = set()
        self._cancels = cancels if cancels is not None else CancelMemory()
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._input_closed = False
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether the connection stopped (input EOF or :meth:`close`)."""
        return self._closed or self._input_closed

    @property
    def supervisor(self) -> TaskSupervisor:
        """The owner of this connection's tasks; handlers may spawn helpers on it."""
        return self._supervisor

    async def run(self) -> None:
        """Serve until input EOF, then let running requests finish briefly and close."""
        try:
            async for frame in read_frames(self._reader, self._max_frame_bytes):
                try:
                    await self._on_frame(frame)
                except Exception:  # never let one frame stop the connection
                    _log.exception("unexpected failure handling a frame")
            self._input_closed = True
            self._fail_pending("input closed")
            await self._supervisor.wait(self._shutdown_grace_s)
        finally:
            await self.close()

    async def close(self) -> None:
        """Fail pending outgoing requests, cancel and await every handler task."""
        self._closed = True
        self._fail_pending("connection closed")
        await self._supervisor.close()

    # -- outgoing ---------------------------------------------------------

    async def send_request(
        self, method: str, params: Any = None, *, timeout_s: float | None = None
    ) -> Any:
        """Send a request and await its result.

        If the wait times out or the caller is cancelled, a ``$/cancel_request``
        is sent to the peer (best effort).

        Args:
            method: the method name, e.g. ``"fs/read_text_file"``.
            params: JSON-serialisable params (omitted when ``None``).
            timeout_s: seconds to wait for the response; ``None`` waits forever.

        Returns:
            The ``result`` member of the response.

        Raises:
            RequestError: the peer answered with an error object.
            RequestTimeoutError: no answer within ``timeout_s``.
            ConnectionClosedError: the connection closed before an answer.
        """
        if self.closed:
            raise ConnectionClosedError(f"{method}: connection closed")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        try:
            await self._write(encode_frame(message), raise_on_error=True)
            async with asyncio.timeout(timeout_s):
                return await future
        except TimeoutError as exc:
            self._cancel_remote(request_id)
            raise RequestTimeoutError(f"{method}: no response within {timeout_s} s") from exc
        except asyncio.CancelledError:
            self._cancel_remote(request_id)
            raise
        finally:
            self._pending.pop(request_id, None)

    async def send_notification(self, method: str, params: Any = None) -> None:
        """Send a notification (no response expected).

        Raises:
            ConnectionClosedError: the connection is closed or the write failed.
        """
        if self._closed:
            raise ConnectionClosedError(f"{method}: connection closed")
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self._write(encode_frame(message), raise_on_error=True)

    def _cancel_remote(self, request_id: int) -> None:
        if self._closed or self._supervisor.closed:
            return
        self._supervisor.spawn(
            self._best_effort_notify(CANCEL_REQUEST_METHOD, {"requestId": request_id}),
            name=f"acp-cancel-{request_id}",
        )

    async def _best_effort_notify(self, method: str, params: Any) -> None:
        if not self._closed:
            await self._write(encode_frame({"jsonrpc": "2.0", "method": method, "params": params}))

    async def _write(self, data: bytes, *, raise_on_error: bool = False) -> None:
        try:
            async with self._write_lock:
                self._writer.write(data)
                await self._writer.drain()
        except (ConnectionError, OSError, RuntimeError) as exc:
            _log.debug("write failed: %s", exc)
            if raise_on_error:
                raise ConnectionClosedError(f"write failed: {exc}") from exc

    def _fail_pending(self, reason: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosedError(reason))
        self._pending.clear()

    # -- incoming ---------------------------------------------------------

    async def _on_frame(self, frame: bytes | FrameTooLarge) -> None:
        if isinstance(frame, FrameTooLarge):
            error = RequestError.invalid_request(f"Frame too large: {frame.size_bytes} bytes")
            await self._send_error(None, error)
            return
        try:
            message = json.loads(frame.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            _log.debug("parse error on a %d-byte frame", len(frame))
            await self._send_error(None, RequestError.parse_error())
            return
        if not isinstance(message, dict):
            await self._send_error(None, RequestError.invalid_request("Expected a JSON object"))
            return
        raw_id = message.get("id")
        reply_id = raw_id if _is_request_id(raw_id) else None
        if may_hold_surrogates(frame) and await self._refuse_surrogates(message, reply_id):
            return
        method = message.get("method")
        if "method" not in message:
            if "id" in message and ("result" in message or "error" in message):
                self._on_response(message)
            else:
                await self._send_error(reply_id, RequestError.invalid_request())
        elif message.get("jsonrpc") != "2.0":
            await self._send_error(reply_id, RequestError.invalid_request('jsonrpc must be "2.0"'))
        elif not isinstance(method, str):
            await self._send_error(
                reply_id, RequestError.invalid_request("method: expected string")
            )
        elif "id" not in message:
            await self._dispatch_notification(method, message.get("params"))
        elif not _is_request_id(raw_id):
            await self._send_error(
                None, RequestError.invalid_request("id: expected string or integer")
            )
        elif self._cancels.take(_id_key(raw_id)):  # its cancel came first
            await self._send_error(raw_id, RequestError.request_cancelled())
        else:
            self._start_request(raw_id, method, message.get("params"))
            # Let the handler run up to its first await before the next frame is read,
            # so a cancel in the same write as its request finds the request started.
            await asyncio.sleep(0)

    async def _refuse_surrogates(self, message: dict[str, Any], reply_id: RequestId) -> bool:
        """Answer a frame holding a lone surrogate (invalid Unicode); True when answered."""
        if isinstance(message.get("id"), str) and find_lone_surrogate(message["id"]):
            await self._send_error(
                None, RequestError.invalid_request("id: invalid Unicode (lone surrogate)")
            )
            return True
        is_request = isinstance(message.get("method"), str) and "id" in message
        where = find_lone_surrogate(message.get("params"), "params")
        if where is None:
            return False
        if not is_request:
            _log.warning("ignoring a frame with a lone surrogate in %s", where[:100])
            return "method" in message
        detail = f"{where.removeprefix('params.')[:200]}: invalid Unicode (lone surrogate)"
        await self._send_error(reply_id, RequestError.invalid_params(detail))
        return True

    def _on_response(self, message: dict[str, Any]) -> None:
        request_id = message["id"]
        future = self._pending.get(request_id) if type(request_id) is int else None
        if future is None or future.done():
            _log.debug("response for unknown request id %r ignored", request_id)
            return
        if "error" in message:
            error = message["error"]
            if (
                isinstance(error, dict)
                and type(error.get("code")) is int
                and isinstance(error.get("message"), str)
            ):
                future.set_exception(
                    RequestError(error["code"], error["message"], error.get("data"))
                )
            else:
                future.set_exception(RequestError.internal_error({"malformedError": error}))
        else:
            future.set_result(message.get("result"))

    async def _dispatch_notification(self, method: str, params: Any) -> None:
        if method == CANCEL_REQUEST_METHOD:
            self._cancel_local(params)
            return
        try:
            await self._on_notification(method, params)
        except Exception:
            _log.exception("notification handler for %.100s failed", method)

    def _cancel_local(self, params: Any) -> None:
        if not isinstance(params, dict) or not _is_request_id(params.get("requestId", ...)):
            _log.debug("malformed $/cancel_request ignored")
            return
        key = _id_key(params["requestId"])
        task = self._running.get(key)
        if task is None or task.done():
            self._cancels.cancel(key)  # early: its request may still come
            return
        if task in self._cancelled_by_peer:
            return
        self._cancelled_by_peer.add(task)
        if task in self._started:
            task.cancel()
        else:  # cancelling a task that never ran would skip its answer
            self._cancelled_before_start.add(task)

    def _start_request(self, request_id: RequestId, method: str, params: Any) -> None:
        key = _id_key(request_id)
        try:
            task = self._supervisor.spawn(
                self._run_request(request_id, key, method, params),
                name=f"acp-request-{method[:60]}",
            )
        except RuntimeError:  # closing: the peer gets no answer, as with EOF
            return
        self._running[key] = task
        self._cancels.started(key)

    async def _run_request(
        self, request_id: RequestId, key: tuple[str, RequestId], method: str, params: Any
    ) -> None:
        task: Any = asyncio.current_task()
        self._started.add(task)
        callbacks: list[Callable[[], Coroutine[Any, Any, None]]] = []
        _after_response.set(callbacks)
        try:
            if task in self._cancelled_before_start:
                raise RequestError.request_cancelled()
            result = await self._on_request(method, params)
            self._forget(key, task)
            payload = encode_frame(
                {"jsonrpc": "2.0", "id": request_id, "result": {} if result is None else result}
            )
        except RequestError as exc:
            payload = self._error_frame(request_id, exc)
        except asyncio.CancelledError:
            by_peer = task in self._cancelled_by_peer
            if task.cancelling() and not by_peer and not self.closed:
                raise  # cancelled by its owner while serving: not ours to answer
            if task.cancelling():  # by the peer, or at shutdown: the output may still be read
                task.uncancel()
                error = RequestError.request_cancelled()
            else:  # a CancelledError leaked out of the handler's own work
                _log.warning("handler for %.100s leaked a CancelledError", method)
                error = RequestError.internal_error({"exception": "CancelledError"})
            payload = self._error_frame(request_id, error)
        except Exception as exc:
            _log.exception("handler for %.100s failed", method)
            data = {"exception": type(exc).__name__}
            payload = self._error_frame(request_id, RequestError.internal_error(data))
        finally:
            self._forget(key, task)
        await self._write(payload)
        for callback in callbacks:
            if not self._supervisor.closed:
                self._supervisor.spawn(callback(), name=f"acp-after-{method[:60]}")

    def _forget(self, key: tuple[str, RequestId], task: asyncio.Task[Any] | None) -> None:
        if self._running.get(key) is task:
            del self._running[key]
            self._cancels.answered(key)
        if task is not None:
            self._cancelled_by_peer.discard(task)
            self._started.discard(task)
            self._cancelled_before_start.discard(task)

    @staticmethod
    def _error_frame(request_id: RequestId, error: RequestError) -> bytes:
        message = {"jsonrpc": "2.0", "id": request_id, "error": error.to_dict()}
        try:
            return encode_frame(message)
        except (TypeError, ValueError, RecursionError):
            return encode_frame(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "error": {"code": error.code, "message": error.message},
                }
            )

    async def _send_error(self, request_id: RequestId, error: RequestError) -> None:
        await self._write(self._error_frame(request_id, error))
