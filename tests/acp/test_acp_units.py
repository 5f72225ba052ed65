"""In-process tests of the acp building blocks (framing, params, connection, updates)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import acp
from acp import updates
from acp.jsonrpc import Connection, encode_frame
from acp.params import check_params
from acp.supervisor import TaskSupervisor
from acp.transport import FrameTooLarge, read_frames
from tests.acp_schema import AGENT_TO_CLIENT, validate, validate_frame
from tests.fixtures_acp.peer import ECHO_AGENT, REPO_ROOT


class Sink:
    """An in-memory frame sink that wakes waiters on each write."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    def write(self, data: bytes) -> None:
        assert data.endswith(b"\n")
        assert data.count(b"\n") == 1
        self.frames.append(json.loads(data))
        self.changed.set()

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        return None

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(5):
            while len(self.frames) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.frames


async def collect(data: bytes, max_frame_bytes: int = 1 << 20) -> list[bytes | int]:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    out: list[bytes | int] = []
    async for frame in read_frames(reader, max_frame_bytes):
        out.append(frame.size_bytes if isinstance(frame, FrameTooLarge) else frame)
    return out


async def test_read_frames_splits_lines_and_handles_edges() -> None:
    big = b"x" * (600 * 1024)  # spans several read chunks
    data = b'{"a":1}\r\n\n   \n' + big + b"\n" + b"y" * 200 + b"\nlast"
    assert await collect(data) == [b'{"a":1}', big, b"y" * 200, b"last"]


async def test_read_frames_reports_oversized_lines_and_continues() -> None:
    data = b"a" * 5000 + b"\nok\n" + b"b" * 3000
    assert await collect(data, max_frame_bytes=1000) == [5000, b"ok", 3000]


def test_encode_frame_is_one_valid_utf8_line() -> None:
    line = encode_frame({"jsonrpc": "2.0", "id": "\ud800", "result": {"t": "é\n"}})
    assert line.count(b"\n") == 1
    assert json.loads(line.decode("utf-8"))["id"] == "\ud800"
    with pytest.raises(ValueError, match="Out of range"):
        encode_frame({"x": float("nan")})


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("session/new", None, "cwd: required"),
        ("session/new", {"cwd": None}, "cwd: expected string"),
        ("session/new", {"cwd": "/", "mcpServers": [1]}, "mcpServers[0]: expected object"),
        (
            "session/new",
            {"cwd": "/", "additionalDirectories": [3]},
            "additionalDirectories[0]: expected string",
        ),
        ("initialize", {"protocolVersion": True}, "protocolVersion: expected integer"),
        ("initialize", {"protocolVersion": 70000}, "protocolVersion: expected integer in 0..65535"),
        (
            "session/prompt",
            {"sessionId": "s", "prompt": [{"type": "text"}]},
            "prompt[0].text: required",
        ),
        ("session/set_config_option", {"sessionId": "s", "configId": "c"}, "value: required"),
        ("$/cancel_request", {"requestId": 1.5}, "requestId: expected string, integer or null"),
        ("session/prompt", "text", "params: expected object"),
    ],
)
def test_check_params_names_the_field(method: str, params: Any, message: str) -> None:
    with pytest.raises(acp.RequestError) as info:
        check_params(method, params)
    assert info.value.code == acp.ErrorCode.INVALID_PARAMS
    assert info.value.message == f"Invalid params: {message}"


def test_check_params_normalises_mcp_servers() -> None:
    assert check_params("session/new", {"cwd": "/w"}) == {"cwd": "/w", "mcpServers": []}


def test_update_builders_match_the_schema() -> None:
    built = [
        updates.agent_message_chunk("hi"),
        updates.agent_thought_chunk("hmm", message_id="m1"),
        updates.user_message_chunk(updates.text_block("q")),
        updates.tool_call(
            "t1",
            "Read a.py",
            kind="read",
            status="pending",
            locations=[{"path": "/w/a.py", "line": 3}],
            raw_input={"path": "a.py"},
        ),
        updates.tool_call_update(
            "t1",
            status="completed",
            content=[
                updates.tool_content("ok"),
                updates.diff_content("/w/a.py", "new", "old"),
                updates.terminal_content("term-1"),
            ],
            raw_output={"ok": True},
        ),
        updates.plan([updates.plan_entry("step", priority="high", status="in_progress")]),
        updates.current_mode_update("code"),
        updates.usage_update(100, 200_000),
    ]
    for update in built:
        validate("SessionNotification", {"sessionId": "s", "update": update})


async def test_send_request_routes_results_errors_timeouts_and_eof() -> None:
    reader = asyncio.StreamReader()
    sink = Sink()

    async def no_requests(method: str, params: Any) -> Any:
        raise acp.RequestError.method_not_found(method)

    async def no_notes(method: str, params: Any) -> None:
        return None

    connection = Connection(reader, sink, no_requests, no_notes, shutdown_grace_s=0.1)
    runner = asyncio.create_task(connection.run())
    first = asyncio.create_task(connection.send_request("fs/read_text_file", {"path": "/a"}))
    second = asyncio.create_task(connection.send_request("terminal/create", {"command": "ls"}))
    third = asyncio.create_task(connection.send_request("x/never", None))
    frames = await sink.wait_for(3)
    ids = {frame["method"]: frame["id"] for frame in frames}
    reader.feed_data(
        json.dumps(
            {"jsonrpc": "2.0", "id": ids["fs/read_text_file"], "result": {"content": "c"}}
        ).encode()
        + b"\n"
        + json.dumps(
            {
                "jsonrpc": "2.0",
                "id": ids["terminal/create"],
                "error": {"code": -32002, "message": "no"},
            }
        ).encode()
        + b"\n"
        + b'{"jsonrpc":"2.0","id":999,"result":{}}\n'  # unknown id: ignored
    )
    assert await first == {"content": "c"}
    with pytest.raises(acp.RequestError) as info:
        await second
    assert info.value.code == -32002
    with pytest.raises(acp.RequestTimeoutError):
        await connection.send_request("x/slow", {}, timeout_s=0.05)
    cancel = (await sink.wait_for(5))[4]
    assert cancel == {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": 4}}
    reader.feed_eof()
    with pytest.raises(acp.ConnectionClosedError):
        await third
    await runner
    with pytest.raises(acp.ConnectionClosedError):
        await connection.send_request("x/after", {})


async def test_supervisor_close_cancels_and_awaits_everything() -> None:
    supervisor = TaskSupervisor()
    cleaned: list[int] = []

    async def worker(n: int) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(n)

    tasks = [supervisor.spawn(worker(n)) for n in range(5)]
    await asyncio.sleep(0)
    await supervisor.close()
    assert sorted(cleaned) == [0, 1, 2, 3, 4]
    assert all(task.cancelled() for task in tasks)
    assert len(supervisor) == 0
    with pytest.raises(RuntimeError):
        supervisor.spawn(worker(9))


def test_agent_serves_regular_files_as_stdio(tmp_path: Path) -> None:
    requests = tmp_path / "in.jsonl"
    requests.write_text(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":1}}\n'
        '{"jsonrpc":"2.0","id":2,"method":"session/new","params":{"cwd":"/tmp","mcpServers":[]}}\n'
        '{"jsonrpc":"2.0","id":3,"method":"session/prompt","params":'
        '{"sessionId":"sess-1","prompt":[{"type":"text","text":"echo one two"}]}}\n'
    )
    output = tmp_path / "out.jsonl"
    with requests.open("rb") as stdin, output.open("wb") as stdout:
        subprocess.run(
            [sys.executable, str(ECHO_AGENT)],
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
            timeout=30,
            check=True,
        )
    frames = [json.loads(line) for line in output.read_bytes().splitlines()]
    pending = {
        ("client_to_agent", "1"): "initialize",
        ("client_to_agent", "2"): "session/new",
        ("client_to_agent", "3"): "session/prompt",
    }
    for frame in frames:
        validate_frame(AGENT_TO_CLIENT, frame, pending, allow_unknown_responses=False)
    assert [f.get("id") for f in frames] == [1, 2, None, None, 3]
    assert frames[-1]["result"] == {"stopReason": "end_turn"}


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"prompt": [{"type": "text", "text": "ok"}, {"text": "half \ud83d"}]}, "prompt[1].text"),
        ({"sessionId": "\udc00"}, "sessionId"),
        ({"a": [[["fine", "😀"]]]}, None),
        ({"\ud800": 1}, "<key>"),
    ],
)
def test_find_lone_surrogate_names_the_path(value: Any, path: str | None) -> None:
    from acp.jsonrpc import find_lone_surrogate

    assert find_lone_surrogate(value, "") == path


def test_find_lone_surrogate_is_iterative() -> None:
    from acp.jsonrpc import find_lone_surrogate

    deep: Any = "\ud800"
    for _ in range(5_000):  # far beyond the recursion limit
        deep = [deep]
    assert find_lone_surrogate(deep, "p") == "p" + "[0]" * 5_000


@pytest.mark.parametrize(
    ("server", "problem"),
    [
        ({"name": "m", "command": "x", "env": 5}, "mcpServers[0].env: expected array"),
        (
            {"name": "m", "command": "x", "env": [{"name": "A"}]},
            "mcpServers[0].env[0].value: required",
        ),
        ({"name": "m", "command": 3}, "mcpServers[0].command: expected string"),
        ({"type": "http", "name": "h"}, "mcpServers[0].url: required"),
        ({"type": "ftp", "name": "f"}, "mcpServers[0].type: unsupported 'ftp'"),
    ],
)
def test_mcp_server_entries_are_checked(server: dict[str, Any], problem: str) -> None:
    with pytest.raises(acp.RequestError) as info:
        check_params("session/new", {"cwd": "/w", "mcpServers": [server]})
    assert info.value.code == -32602
    assert problem in info.value.message


def test_cancel_memory_is_bounded_expires_and_knows_late_cancels() -> None:
    from acp.cancels import CancelMemory

    now = [100.0]
    memory = CancelMemory(limit=3, ttl_s=10.0, clock=lambda: now[0])
    assert memory.cancel("a") and memory.cancel("b")
    assert memory.take("a")
    assert not memory.take("a")  # spent
    for key in ("c", "d", "e"):
        memory.cancel(key)
    assert len(memory) == 3
    assert not memory.take("b")  # the oldest was forgotten
    now[0] += 11.0  # past the ttl
    assert not memory.take("e")
    assert len(memory) == 0  # the expired ones were dropped on the way
    memory.answered("done")
    assert not memory.cancel("done")  # late: its request was answered
    memory.started("done")  # the id is in use again: a cancel for it is early once more
    assert memory.cancel("done") and memory.take("done")


async def test_connection_answers_a_request_whose_cancel_came_first() -> None:
    reader, sink = asyncio.StreamReader(), Sink()
    ran: list[str] = []

    async def on_request(method: str, params: Any) -> Any:
        ran.append(method)
        return {"ran": method}

    async def no_notes(method: str, params: Any) -> None:
        return None

    connection = Connection(reader, sink, on_request, no_notes)
    runner = asyncio.create_task(connection.run())
    frames = [
        {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": 5}},
        {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": "5"}},
        {"jsonrpc": "2.0", "id": 5, "method": "x/first"},
        {"jsonrpc": "2.0", "id": 6, "method": "x/second"},
        {"jsonrpc": "2.0", "id": 5, "method": "x/again"},
    ]
    reader.feed_data(b"".join(json.dumps(f).encode() + b"\n" for f in frames))
    answered = await sink.wait_for(3)
    reader.feed_eof()
    await runner
    by_id = {(f["id"], next(iter(f.get("result", {}).values()), None)): f for f in answered}
    assert answered[0] == {
        "jsonrpc": "2.0",
        "id": 5,
        "error": {"code": -32800, "message": "Request cancelled"},
    }
    assert (6, "x/second") in by_id and (5, "x/again") in by_id  # "5" (a string) is another id
    assert ran == ["x/second", "x/again"]
    assert len(answered) == 3
