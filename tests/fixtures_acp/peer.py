"""A raw ACP test client: drives an agent subprocess over real pipes.

Written independently of ``acp.jsonrpc`` (it only speaks bytes and ``json``) so
the tests do not check our library with itself. Every line the agent writes
is decoded and checked with :func:`tests.acp_schema.validate_frame`; frames we
send through :meth:`AgentPeer.request` / :meth:`AgentPeer.notify` are checked too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.acp_schema import AGENT_TO_CLIENT, CLIENT_TO_AGENT, validate_frame

__all__ = ["ECHO_AGENT", "REPO_ROOT", "AgentPeer", "ClientHandler", "running"]

REPO_ROOT = Path(__file__).resolve().parents[2]
ECHO_AGENT = Path(__file__).resolve().parent / "echo_agent.py"

ClientHandler = Callable[[str, Any], Awaitable[dict[str, Any] | None]]
"""``async (method, params) -> frame members`` ({"result": ...} or {"error": ...}; None: no answer)."""


async def _no_client_methods(method: str, params: Any) -> dict[str, Any] | None:
    return {"error": {"code": -32601, "message": f"Method not found: {method}"}}


class AgentPeer:
    """One agent subprocess, its pipes, and the frames seen so far."""

    def __init__(self, on_agent_request: ClientHandler = _no_client_methods) -> None:
        self.on_agent_request = on_agent_request
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[bytes] = []
        self.stderr = bytearray()
        self.notifications: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.agent_requests: list[dict[str, Any]] = []
        self.other_notifications: list[dict[str, Any]] = []
        self.pending_methods: dict[tuple[str, str], str] = {}
        self._responses: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []
        self.reader_error: BaseException | None = None
        self.timeout_s = 15.0

    async def start(self, script: Path = ECHO_AGENT) -> AgentPeer:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONUNBUFFERED="1")
        return await self.spawn([sys.executable, str(script)], env)

    async def spawn(self, argv: list[str], env: dict[str, str]) -> AgentPeer:
        """Run ``argv`` (own process group, cwd REPO_ROOT) and start reading its pipes."""
        self.proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
            limit=128 * 1024 * 1024,
        )
        self._tasks = [
            asyncio.create_task(self._read_stdout()),
            asyncio.create_task(self._drain_stderr()),
        ]
        return self

    async def __aenter__(self) -> AgentPeer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- sending ---------------------------------------------------------

    async def send_bytes(self, data: bytes) -> None:
        assert self.proc is not None
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        await self.proc.stdin.drain()

    async def send_frame(self, frame: Any, *, check: bool = True) -> None:
        if check:
            validate_frame(CLIENT_TO_AGENT, frame, self.pending_methods)
        await self.send_bytes(json.dumps(frame).encode() + b"\n")

    def next_id(self) -> int:
        return next(self._ids)

    def expect_response(self, request_id: Any) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._responses[json.dumps(request_id)] = future
        return future

    async def start_request(
        self, method: str, params: Any = None, *, check: bool = True, request_id: Any = None
    ) -> tuple[Any, asyncio.Future[dict[str, Any]]]:
        """Send a request; return its id and a future of the whole response frame."""
        rid = self.next_id() if request_id is None else request_id
        future = self.expect_response(rid)
        frame: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            frame["params"] = params
        await self.send_frame(frame, check=check)
        return rid, future

    async def request(
        self, method: str, params: Any = None, *, check: bool = True, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send a request and return the response frame (``timeout_s`` default: ``self.timeout_s``)."""
        _, future = await self.start_request(method, params, check=check)
        async with asyncio.timeout(self.timeout_s if timeout_s is None else timeout_s):
            return await future

    async def notify(self, method: str, params: Any = None, *, check: bool = True) -> None:
        frame: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            frame["params"] = params
        await self.send_frame(frame, check=check)

    async def next_update(self, timeout_s: float = 15.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout_s):
            return await self.notifications.get()

    # -- receiving -------------------------------------------------------

    async def _read_stdout(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        try:
            while line := await self.proc.stdout.readline():
                self.lines.append(line)
                frame = json.loads(line)
                validate_frame(AGENT_TO_CLIENT, frame, self.pending_methods)
                await self._route(frame)
        except BaseException as exc:  # surfaced by close() and check_all()
            self.reader_error = exc
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise

    async def _route(self, frame: dict[str, Any]) -> None:
        if "method" not in frame:
            future = self._responses.pop(json.dumps(frame["id"]), None)
            if future is not None and not future.done():
                future.set_result(frame)
        elif "id" in frame:
            self.agent_requests.append(frame)
            answer = await self.on_agent_request(frame["method"], frame.get("params"))
            if answer is not None:
                await self.send_frame({"jsonrpc": "2.0", "id": frame["id"], **answer})
        elif frame["method"] == "session/update":
            self.notifications.put_nowait(frame)
        else:
            self.other_notifications.append(frame)

    async def _drain_stderr(self) -> None:
        assert self.proc is not None
        assert self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self.stderr.extend(chunk)

    def check_all(self) -> None:
        """Raise if any stdout line so far was not valid JSON-RPC/ACP."""
        if self.reader_error is not None:
            raise AssertionError(f"bad agent output: {self.reader_error!r}")

    async def close(self) -> int:
        """Close stdin, wait for exit (kill after 10 s), stop the readers; return the exit code."""
        proc = self.proc
        assert proc is not None
        try:
            if proc.stdin is not None and not proc.stdin.is_closing():
                proc.stdin.close()
            async with asyncio.timeout(10):
                await proc.wait()
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
            for task in self._tasks:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(task, 5)
        assert proc.returncode is not None
        return proc.returncode

    async def close_cleanly(self) -> None:
        """:meth:`close`, then assert a clean exit: every stdout line valid ACP, exit code 0."""
        code = await self.close()
        self.check_all()
        assert code == 0, self.stderr.decode(errors="replace")[-3000:]


PeerT = TypeVar("PeerT", bound=AgentPeer)


@asynccontextmanager
async def running(peer: PeerT) -> AsyncIterator[PeerT]:
    """Start ``peer`` and yield it; close it after, asserting a clean exit if the body passed.

    If the body raises, the agent is still closed (and killed after 10 s) but its exit is
    not checked, so the body's own failure is the one reported.
    """
    await peer.start()
    try:
        yield peer
    except BaseException:
        await peer.close()
        raise
    await peer.close_cleanly()
