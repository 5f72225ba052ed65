"""Test helpers for the ACP driver: ``zeph-tui acp`` as a subprocess, a client
that serves fs/terminal/permission requests like an editor, and model-script
routing helpers for the fake Messages API.

The client side is ours only where acpx cannot go (see tests/test_acp_acpx.py
for the independent client). Every frame in both directions is validated
against the ACP v1 schema by :class:`tests.fixtures_acp.peer.AgentPeer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fixtures_acp.peer import REPO_ROOT, AgentPeer

__all__ = [
    "INIT_FULL",
    "INIT_NONE",
    "EditorClient",
    "ZephPeer",
    "agent_env",
    "last_user_text",
    "route",
    "steps_since_user_text",
]

INIT_FULL = {
    "protocolVersion": 1,
    "clientCapabilities": {"fs": {"readTextFile": True, "writeTextFile": True}, "terminal": True},
    "clientInfo": {"name": "pytest-editor", "version": "1"},
}
INIT_NONE = {
    "protocolVersion": 1,
    "clientCapabilities": {},
    "clientInfo": {"name": "bare", "version": "1"},
}


def agent_env(base_url: str) -> dict[str, str]:
    """Environment for the agent subprocess: the fake Messages API behind it.

    The provider is chosen with ``--provider anthropic`` (see :class:`ZephPeer`):
    ``ZEPH_PROVIDER`` in the environment currently breaks ``load_settings``
    (pydantic-settings reads it as the JSON of the ``provider`` section).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("ZEPH_PROVIDER", "ZEPH_MODEL")}
    return dict(
        env,
        ANTHROPIC_API_KEY="dummy",
        ANTHROPIC_BASE_URL=base_url,
        PYTHONPATH=str(REPO_ROOT),
        PYTHONUNBUFFERED="1",
    )


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content or [] if b.get("type") == "text")


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message that carries text (not only tool results)."""
    for message in reversed(body["messages"]):
        if message["role"] == "user" and _text_of(message):
            return _text_of(message)
    return ""


def steps_since_user_text(body: dict[str, Any]) -> int:
    """How many assistant messages follow the last user text message (0 = first call)."""
    count = 0
    for message in reversed(body["messages"]):
        if message["role"] == "user" and _text_of(message):
            return count
        if message["role"] == "assistant":
            count += 1
    return count


def route(
    cases: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]],
) -> Callable[[dict[str, Any], int], dict[str, Any]]:
    """A script callable that picks a case by a ``[case:NAME]`` marker in the prompt."""

    def script(body: dict[str, Any], _index: int) -> dict[str, Any]:
        text = last_user_text(body)
        for name, case in cases.items():
            if f"[case:{name}]" in text:
                return case(body, steps_since_user_text(body))
        return {"blocks": [{"type": "text", "text": f"no case for {text[:80]!r}"}]}

    return script


class ZephPeer(AgentPeer):
    """``python -m zeph_tui acp`` over pipes (frames schema-checked by AgentPeer)."""

    def __init__(self, env: dict[str, str], client: EditorClient | None = None) -> None:
        self.editor = client or EditorClient()
        super().__init__(self.editor.handle)
        self.editor.peer = self
        self.env = env

    argv: tuple[str, ...] = ("-m", "zeph_tui", "acp", "--provider", "anthropic")
    """Interpreter arguments of the agent process."""

    async def start(self, script: Path | None = None) -> ZephPeer:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
            cwd=REPO_ROOT,
            start_new_session=True,
            limit=128 * 1024 * 1024,
        )
        self._tasks = [
            asyncio.create_task(self._read_stdout()),
            asyncio.create_task(self._drain_stderr()),
        ]
        return self

    async def close(self) -> int:
        code = await super().close()
        await self.editor.aclose()
        return code

    async def ok(self, method: str, params: Any, timeout_s: float = 20.0) -> Any:
        """Request and return ``result``; fail with the error and stderr tail otherwise."""
        frame = await self.request(method, params, timeout_s=timeout_s)
        assert "result" in frame, (frame, self.stderr.decode(errors="replace")[-3000:])
        return frame["result"]

    def updates(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Drain the queued ``session/update`` params (optionally one session's)."""
        out = []
        while not self.notifications.empty():
            params = self.notifications.get_nowait()["params"]
            if session_id is None or params["sessionId"] == session_id:
                out.append(params)
        return out


class EditorClient:
    """Answers agent -> client requests like an editor would, each in its own task.

    Attributes:
        buffers: unsaved editor buffers, path -> text (reads see these first;
            writes land here, not on disk).
        permission: ``optionId`` to answer, or a callable ``(params) -> optionId``.
        terminals: terminal id -> process (real ``bash -c``, own process group).
        released: ids released by the agent.
        permission_requests: the params of each ``session/request_permission``.
    """

    def __init__(self) -> None:
        self.peer: AgentPeer | None = None
        self.buffers: dict[str, str] = {}
        self.permission: str | Callable[[dict[str, Any]], str] = "allow_once"
        self.permission_requests: list[dict[str, Any]] = []
        self.terminals: dict[str, asyncio.subprocess.Process] = {}
        self.outputs: dict[str, bytearray] = {}
        self.released: list[str] = []
        self.pgids: list[int] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._readers: dict[str, asyncio.Task[None]] = {}

    async def handle(self, method: str, params: Any) -> dict[str, Any] | None:
        request_id = self.peer.agent_requests[-1]["id"] if self.peer else None
        task = asyncio.create_task(self._answer(request_id, method, params))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return None

    async def _answer(self, request_id: Any, method: str, params: Any) -> None:
        try:
            members = await self._dispatch(method, params)
        except FileNotFoundError as exc:
            members = {"error": {"code": -32002, "message": f"Resource not found: {exc}"}}
        assert self.peer is not None
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.peer.send_frame({"jsonrpc": "2.0", "id": request_id, **members})

    async def _dispatch(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "fs/read_text_file":
            path = params["path"]
            text = self.buffers.get(path)
            if text is None:
                text = await asyncio.to_thread(Path(path).read_text)
            return {"result": {"content": text}}
        if method == "fs/write_text_file":
            self.buffers[params["path"]] = params["content"]
            return {"result": {}}
        if method == "session/request_permission":
            self.permission_requests.append(params)
            choice = self.permission
            option = choice(params) if callable(choice) else choice
            return {"result": {"outcome": {"outcome": "selected", "optionId": option}}}
        if method.startswith("terminal/"):
            return await self._terminal(method, params)
        return {"error": {"code": -32601, "message": f"Method not found: {method}"}}

    async def _terminal(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "terminal/create":
            env = dict(os.environ)
            env.update({e["name"]: e["value"] for e in params.get("env", [])})
            proc = await asyncio.create_subprocess_exec(
                params["command"],
                *params.get("args", []),
                cwd=params.get("cwd"),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
            tid = f"term-{len(self.terminals) + 1}"
            self.terminals[tid] = proc
            self.pgids.append(proc.pid)
            self.outputs[tid] = bytearray()
            self._readers[tid] = asyncio.create_task(self._pump(tid, proc))
            return {"result": {"terminalId": tid}}
        tid = params["terminalId"]
        proc = self.terminals[tid]
        if method == "terminal/output":
            result: dict[str, Any] = {
                "output": self.outputs[tid].decode(errors="replace"),
                "truncated": False,
            }
            if proc.returncode is not None and self._readers[tid].done():
                result["exitStatus"] = self._exit(proc)
            return {"result": result}
        if method == "terminal/wait_for_exit":
            await proc.wait()
            await self._readers[tid]
            return {"result": self._exit(proc)}
        if method in ("terminal/kill", "terminal/release"):
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
            if method == "terminal/release":
                self.released.append(tid)
            return {"result": {}}
        return {"error": {"code": -32601, "message": f"Method not found: {method}"}}

    @staticmethod
    def _exit(proc: asyncio.subprocess.Process) -> dict[str, Any]:
        code = proc.returncode
        if code is not None and code < 0:
            return {"exitCode": None, "signal": signal.Signals(-code).name}
        return {"exitCode": code, "signal": None}

    async def _pump(self, tid: str, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(65536):
            self.outputs[tid].extend(chunk)

    async def aclose(self) -> None:
        for proc in self.terminals.values():
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        for task in [*self._tasks, *self._readers.values()]:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
