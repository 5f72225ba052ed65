"""A JSON-RPC 2.0 peer over newline-delimited frames (either side of ACP).

Spec followed: JSON-RPC 2.0 (https://www.jsonrpc.org/specification), ACP v1
transports and cancellation (https://agentclientprotocol.com/protocol/v1/cancellation).

Incoming requests each run in their own task owned by a
:class:`~acp.supervisor.TaskSupervisor`, so a long ``session/prompt`` does not
block anything else. Incoming notifications are awaited inline by the reader,
in arrival order, so ``session/cancel`` reaches a running prompt at once
(notification handlers must therefore be quick). ``$/cancel_request`` is
handled here: it cancels the task of that request, which answers ``-32800``.
Responses to our own requests are routed by id to waiting futures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from acp.errors import ConnectionClosedError, RequestError, RequestTimeoutError
from acp.supervisor import TaskSupervisor
from acp.transport import DEFAULT_MAX_FRAME_BYTES, FrameSink, FrameTooLarge, read_frames

__all__ = [
    "CANCEL_REQUEST_METHOD",
    "Connection",
    "NotificationHandler",
    "RequestHandler",
    "RequestId",
    "encode_frame",
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
            finish (and answer) before they are cancelled, in seconds.
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
                await self._on_frame(frame)
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
        else:
            self._start_request(raw_id, method, message.get("params"))

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
        task = self._running.get(_id_key(params["requestId"]))
        if task is not None and not task.done():
            self._cancelled_by_peer.add(task)
            task.cancel()

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

    async def _run_request(
        self, request_id: RequestId, key: tuple[str, RequestId], method: str, params: Any
    ) -> None:
        task = asyncio.current_task()
        try:
            result = await self._on_request(method, params)
            self._forget(key, task)
            payload = encode_frame(
                {"jsonrpc": "2.0", "id": request_id, "result": {} if result is None else result}
            )
        except RequestError as exc:
            payload = self._error_frame(request_id, exc)
        except asyncio.CancelledError:
            if task not in self._cancelled_by_peer or self._closed:
                raise
            if task is not None:
                task.uncancel()
            payload = self._error_frame(request_id, RequestError.request_cancelled())
        except Exception as exc:
            _log.exception("handler for %.100s failed", method)
            data = {"exception": type(exc).__name__}
            payload = self._error_frame(request_id, RequestError.internal_error(data))
        finally:
            self._forget(key, task)
        await self._write(payload)

    def _forget(self, key: tuple[str, RequestId], task: asyncio.Task[Any] | None) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if task is not None:
            self._cancelled_by_peer.discard(task)

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
