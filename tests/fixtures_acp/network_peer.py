"""Clients for ``zeph-tui acp --listen``: a server subprocess, WebSocket and HTTP+SSE peers.

Written on the ``websockets`` client and ``httpx`` (not on our ``acp``
library); every frame the agent sends is checked with
:func:`tests.acp_schema.validate_frame`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from tests.acp_schema import AGENT_TO_CLIENT, validate_frame
from tests.fixtures_acp.peer import REPO_ROOT

__all__ = ["ListenServer", "RawWsPeer", "SsePeer", "WsPeer"]


class ListenServer:
    """``python -m zeph_tui acp --listen HOST:0`` and the port it announced."""

    def __init__(self, env: dict[str, str], host: str = "127.0.0.1") -> None:
        self.env = env
        self.host = host
        self.port = 0
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr = bytearray()
        self._drain: asyncio.Task[None] | None = None

    async def start(self) -> ListenServer:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "zeph_tui",
            "acp",
            "--provider",
            "anthropic",
            "--listen",
            f"{self.host}:0",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        assert self.proc.stderr is not None
        async with asyncio.timeout(30):
            while True:
                line = await self.proc.stderr.readline()
                assert line, f"server exited: {bytes(self.stderr)!r}"
                self.stderr += line
                if line.startswith(b'{"listening"'):
                    self.port = int(json.loads(line)["listening"].rsplit(":", 1)[1])
                    break
        self._drain = asyncio.create_task(self._drain_stderr())
        return self

    async def _drain_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self.stderr += chunk

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"  # always connect via loopback

    async def stop(self) -> int:
        proc = self.proc
        assert proc is not None
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
        try:
            async with asyncio.timeout(15):
                await proc.wait()
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
            if self._drain is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._drain, 5)
        assert proc.returncode is not None
        return proc.returncode


class _Peer:
    """Request/response bookkeeping shared by the two transports."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], str] = {}
        self.responses: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.updates: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.reader: asyncio.Task[None] | None = None

    def on_frame(self, frame: dict[str, Any]) -> None:
        validate_frame(AGENT_TO_CLIENT, frame, self.pending)
        self.frames.append(frame)
        if "method" not in frame:
            future = self.responses.pop(json.dumps(frame["id"]), None)
            if future is not None and not future.done():
                future.set_result(frame)
        elif frame["method"] == "session/update":
            self.updates.append(frame["params"]["update"])

    async def send(self, frame: dict[str, Any]) -> None:
        raise NotImplementedError

    async def request(self, method: str, params: Any, timeout_s: float = 60) -> dict[str, Any]:
        rid = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.responses[json.dumps(rid)] = future
        await self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        async with asyncio.timeout(timeout_s):
            return await future

    async def ok(self, method: str, params: Any) -> Any:
        frame = await self.request(method, params)
        assert "result" in frame, frame
        return frame["result"]


class WsPeer(_Peer):
    """One WebSocket connection to ``/acp/ws``."""

    def __init__(self, ws: ClientConnection) -> None:
        super().__init__()
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, token: str | None = None) -> WsPeer:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        ws = await websockets.connect(url, additional_headers=headers, max_size=None)
        peer = cls(ws)
        peer.reader = asyncio.create_task(peer._read())
        return peer

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.ws:
                self.on_frame(json.loads(message))

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            await self.reader


class RawWsPeer(_Peer):
    """A WebSocket client on the sans-I/O ``websockets`` protocol over a bare TCP stream.

    It sees every ping the server sends (:attr:`pings`) and answers it with a pong
    only while :attr:`answering` is true (what it would write is dropped
    otherwise, as from a client that hung). :attr:`closed` resolves to the
    server's ``(close code, reason)`` (``(None, "")`` on EOF without a close frame).
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super().__init__()
        self.stream_reader, self.writer = reader, writer
        self.protocol: ClientProtocol | None = None
        self.pings = 0
        self._pinged = asyncio.Event()
        self.answering = True
        self.closed: asyncio.Future[tuple[int | None, str]] = (
            asyncio.get_running_loop().create_future()
        )

    @classmethod
    async def connect(cls, url: str) -> RawWsPeer:
        uri = parse_uri(url)
        reader, writer = await asyncio.open_connection(uri.host, uri.port)
        peer = cls(reader, writer)
        protocol = peer.protocol = ClientProtocol(uri, max_size=None)
        protocol.send_request(protocol.connect())
        writer.write(b"".join(protocol.data_to_send()))
        async with asyncio.timeout(30):
            while not any(isinstance(e, Response) for e in protocol.events_received()):
                protocol.receive_data(await reader.read(65536))
        assert protocol.handshake_exc is None, protocol.handshake_exc
        peer.reader = asyncio.create_task(peer._read())
        return peer

    async def _read(self) -> None:
        protocol = self.protocol
        assert protocol is not None
        while data := await self.stream_reader.read(65536):
            protocol.receive_data(data)
            for event in protocol.events_received():
                assert isinstance(event, Frame)
                if event.opcode is Opcode.PING:
                    self.pings += 1
                    self._pinged.set()
                elif event.opcode is Opcode.TEXT:
                    self.on_frame(json.loads(bytes(event.data)))
            out = b"".join(protocol.data_to_send())
            if self.answering and out:
                self.writer.write(out)
        protocol.receive_eof()
        close = protocol.close_rcvd
        if not self.closed.done():
            self.closed.set_result((close.code, close.reason) if close else (None, ""))

    async def wait_for_pings(self, count: int) -> None:
        """Return once :attr:`pings` reaches ``count``."""
        while self.pings < count:
            self._pinged.clear()
            await self._pinged.wait()

    async def send(self, frame: dict[str, Any]) -> None:
        assert self.protocol is not None
        self.protocol.send_text(json.dumps(frame).encode())
        self.writer.write(b"".join(self.protocol.data_to_send()))
        await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await self.reader


class SsePeer(_Peer):
    """One ``/acp/sse`` event stream plus ``POST /acp/messages`` for our frames."""

    def __init__(self, http: httpx.AsyncClient, base: str) -> None:
        super().__init__()
        self.http = http
        self.base = base
        self.endpoint = ""
        self._ready = asyncio.Event()

    @classmethod
    async def connect(cls, base: str, token: str | None = None) -> SsePeer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(60, read=None))
        peer = cls(http, base)
        peer.reader = asyncio.create_task(peer._read())
        async with asyncio.timeout(30):
            await peer._ready.wait()
        return peer

    async def _read(self) -> None:
        async with self.http.stream("GET", f"{self.base}/acp/sse") as response:
            assert response.status_code == 200, response.status_code
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "endpoint":
                    self.endpoint = line[6:]
                    self._ready.set()
                elif line.startswith("data: "):
                    self.on_frame(json.loads(line[6:]))

    async def send(self, frame: dict[str, Any]) -> None:
        response = await self.http.post(self.base + self.endpoint, content=json.dumps(frame))
        assert response.status_code == 202, (response.status_code, response.text)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
        await self.http.aclose()
