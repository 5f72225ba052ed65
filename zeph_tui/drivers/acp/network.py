"""ACP over the network: ``zeph-tui acp --listen HOST:PORT`` (HTTP+SSE and WebSocket).

Served by a real ASGI stack, uvicorn + starlette (the ``websockets`` package
carries WebSocket for uvicorn). The agent code is the stdio agent's: every
network connection gets its own :class:`acp.AgentSideConnection` over a
reader/sink pair; only the framing differs. Endpoints:

- ``GET /acp/ws`` (WebSocket): each text message is one JSON-RPC message, both ways.
- ``GET /acp/sse``: an ``text/event-stream``; the first event is ``endpoint``
  with the URL to POST to (``/acp/messages?connection=ID``), then one
  ``message`` event per agent frame (``data:`` is the JSON). ``POST`` bodies are
  one JSON-RPC message or NDJSON lines; answered ``202`` (``404`` unknown or
  closed connection, ``413`` over the size limit).
- ``GET /health``: ``{"ok": true}`` (no token needed).

Rules: loopback (``127.0.0.1``) by default; any other bind needs a bearer token
(``ZEPH_ACP_TOKEN``), checked with :func:`hmac.compare_digest` on every request
(``Authorization: Bearer TOKEN``; 401 otherwise). Messages over
``max_message_bytes`` are refused (WebSocket close 1009, HTTP 413, or a
``-32600`` from the connection). Back-pressure: each connection queues at most
``queue_frames`` outgoing frames; the agent's writes wait while it is full and a
client that does not read for ``stall_timeout_s`` is disconnected. WebSocket
pings every ``ping_interval_s`` (uvicorn's keepalive, RFC 6455 section 5.5.2), and a client
that does not answer one with a pong within ``ping_timeout_s`` is closed (code
1011, "keepalive ping timeout"); SSE comments ``: ping`` every ``ping_interval_s``;
idle HTTP keep-alive closes after ``idle_timeout_s``. ``[network]`` in
config.toml overrides any of these (:meth:`NetworkOptions.from_settings`). Sessions live in SQLite
and one shared runtime, not in a connection: a client that reconnects calls
``session/load``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import ipaddress
import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import acp

__all__ = ["NetworkOptions", "build_app", "is_loopback", "serve"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NetworkOptions:
    """Limits of the network transport (units in the names)."""

    token: str | None = None
    max_message_bytes: int = 8 * 1024 * 1024
    queue_frames: int = 512
    stall_timeout_s: float = 30.0
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
    idle_timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, section: Any, token: str | None) -> NetworkOptions:
        """The defaults, overridden by the keys set in ``[network]`` (``settings.network``)."""
        fields = [f.name for f in dataclasses.fields(cls) if f.name != "token"]
        chosen = {name: getattr(section, name) for name in fields}
        return cls(token=token, **{k: v for k, v in chosen.items() if v is not None})


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class QueueSink:
    """An ``acp`` frame sink that queues frames for a network sender (bounded).

    ``drain()`` waits while the queue is full (back-pressure on the agent);
    after ``stall_timeout_s`` without progress the connection is failed.
    """

    def __init__(self, limit_frames: int, stall_timeout_s: float) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._limit = limit_frames
        self._stall_s = stall_timeout_s
        self._space = asyncio.Event()
        self._space.set()
        self.closed = False

    def write(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionResetError("network client went away")
        self.queue.put_nowait(data)
        if self.queue.qsize() >= self._limit:
            self._space.clear()

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("network client went away")
        try:
            async with asyncio.timeout(self._stall_s):
                await self._space.wait()
        except TimeoutError:
            self.close()
            raise ConnectionResetError("network client stopped reading") from None

    def taken(self) -> None:
        """Called by the sender after it sent a frame."""
        if self.queue.qsize() < self._limit // 2:
            self._space.set()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)
            self._space.set()


class Hub:
    """The connections of one server; they share one runtime, so sessions outlive them."""

    def __init__(self, factory: Callable[[acp.Client], acp.Agent], options: NetworkOptions) -> None:
        self.factory = factory
        self.options = options
        self.sse: dict[str, tuple[asyncio.StreamReader, QueueSink]] = {}

    def open(self) -> tuple[acp.AgentSideConnection, asyncio.StreamReader, QueueSink]:
        reader = asyncio.StreamReader(limit=self.options.max_message_bytes + 1)
        sink = QueueSink(self.options.queue_frames, self.options.stall_timeout_s)
        connection = acp.AgentSideConnection(
            self.factory, reader, sink, max_frame_bytes=self.options.max_message_bytes
        )
        return connection, reader, sink


def _frame(data: str | bytes) -> bytes:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return raw.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"  # one message, one line


def _authorised(options: NetworkOptions, headers: Any) -> bool:
    if options.token is None:
        return True
    given = headers.get("authorization", "")
    expected = f"Bearer {options.token}"
    return hmac.compare_digest(given.encode(), expected.encode())


async def _run(connection: acp.AgentSideConnection, sink: QueueSink) -> None:
    try:
        await connection.run()
    finally:
        closer = getattr(connection.agent, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()
        sink.close()


def build_app(hub: Hub) -> Any:
    """The starlette app serving ``/acp/ws``, ``/acp/sse``, ``/acp/messages``, ``/health``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    options = hub.options

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def websocket(ws: WebSocket) -> None:
        if not _authorised(options, ws.headers):
            await ws.close(code=1008, reason="missing or wrong bearer token")
            return
        await ws.accept()
        connection, reader, sink = hub.open()
        serving = asyncio.create_task(_run(connection, sink))

        async def send() -> None:
            while (data := await sink.queue.get()) is not None:
                await ws.send_text(data.decode("utf-8").rstrip("\n"))
                sink.taken()

        sender = asyncio.create_task(send())
        try:
            while True:
                message = await ws.receive_text()
                if len(message) > options.max_message_bytes:
                    await ws.close(code=1009, reason="message too big")
                    break
                reader.feed_data(_frame(message))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            reader.feed_eof()
            await serving
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender

    async def sse(request: Request) -> Response:
        if not _authorised(options, request.headers):
            return JSONResponse({"error": "missing or wrong bearer token"}, status_code=401)
        connection, reader, sink = hub.open()
        connection_id = uuid.uuid4().hex
        hub.sse[connection_id] = (reader, sink)
        serving = asyncio.create_task(_run(connection, sink))

        async def events() -> AsyncIterator[bytes]:
            yield f"event: endpoint\ndata: /acp/messages?connection={connection_id}\n\n".encode()
            try:
                while True:
                    try:
                        async with asyncio.timeout(options.ping_interval_s):
                            data = await sink.queue.get()
                    except TimeoutError:
                        yield b": ping\n\n"
                        continue
                    if data is None:
                        break
                    yield b"event: message\ndata: " + data.rstrip(b"\n") + b"\n\n"
                    sink.taken()
            finally:
                hub.sse.pop(connection_id, None)
                reader.feed_eof()
                await serving

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    async def messages(request: Request) -> Response:
        if not _authorised(options, request.headers):
            return JSONResponse({"error": "missing or wrong bearer token"}, status_code=401)
        entry = hub.sse.get(request.query_params.get("connection", ""))
        if entry is None:
            return JSONResponse({"error": "unknown or closed connection"}, status_code=404)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > options.max_message_bytes:
                return JSONResponse({"error": "message too big"}, status_code=413)
        reader, _sink = entry
        for line in bytes(body).splitlines():
            if line.strip():
                reader.feed_data(line + b"\n")
        return Response(status_code=202)

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/acp/sse", sse),
            Route("/acp/messages", messages, methods=["POST"]),
            WebSocketRoute("/acp/ws", websocket),
        ]
    )


async def serve(
    factory: Callable[[acp.Client], acp.Agent],
    host: str,
    port: int,
    options: NetworkOptions,
    *,
    ready: Callable[[int], None] | None = None,
) -> None:
    """Serve ACP on ``host:port`` until cancelled (or SIGINT/SIGTERM via uvicorn).

    Raises:
        OSError: the address cannot be bound (in use, not local...).

    Args:
        factory: builds one agent per network connection.
        host / port: where to listen (port 0 picks a free port).
        options: token and limits.
        ready: called with the bound port once listening.
    """
    import uvicorn

    config = uvicorn.Config(
        build_app(Hub(factory, options)),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
        ws_max_size=options.max_message_bytes,
        ws_ping_interval=options.ping_interval_s,
        ws_ping_timeout=options.ping_timeout_s,
        timeout_keep_alive=max(1, round(options.idle_timeout_s)),
        lifespan="off",
    )
    # Bind here: a busy or invalid address is an OSError for the caller, not uvicorn's exit.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    if ready is not None:
        ready(sock.getsockname()[1])
    await uvicorn.Server(config).serve(sockets=[sock])


def announce(port: int, host: str) -> None:
    """One line on stderr a person (or a test) can read: where the agent listens."""
    line = {"listening": f"{host}:{port}", "ws": "/acp/ws", "sse": "/acp/sse"}
    import sys

    sys.stderr.write(json.dumps(line) + "\n")
    sys.stderr.flush()
