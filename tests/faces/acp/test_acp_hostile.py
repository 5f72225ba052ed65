"""Races and hostile input against ``zeph-tui acp`` over real pipes (issue: ACP, hardened).

Each test asserts that every request was answered exactly once, with the
expected code, and that the next prompt in the same session still works:

- two or three ``session/cancel`` 1 ms apart during a running turn;
- a ``session/cancel`` in the same write as its ``session/prompt``;
- a ``$/cancel_request`` in the same write as its request (before it started);
- lone surrogates in prompt text, ``sessionId`` and ``cwd`` (-32602 naming the field);
- first frames nested 1,500 and 10,000 deep, a lone-surrogate id, frames then
  EOF during start-up (the process answers and exits 0);
- ``cwd`` ``/`` and the home directory refused;
- an MCP entry with ``env: 5`` (-32602 at once) and an MCP command that does not
  exist (told to the person as a notice, or an agent message without ``session.notices``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import REPO_ROOT
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env, route


def case_sleep(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        command = {"command": "sleep 60"}
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": command}]}
    return {"blocks": [{"type": "text", "text": "after the cancel"}]}


def case_hello(body: dict[str, Any], step: int) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": "still here"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(route({"sleep": case_sleep, "hello": case_hello})) as server:
        yield server


def answers(peer: ZephPeer, request_id: Any) -> list[dict[str, Any]]:
    """Every response frame the agent wrote for ``request_id`` so far."""
    frames = [json.loads(line) for line in peer.lines]
    return [f for f in frames if "method" not in f and f.get("id") == request_id]


async def session(peer: ZephPeer, workspace: Path, init: dict[str, Any] = INIT_NONE) -> str:
    await peer.ok("initialize", init)
    sid: str = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))[
        "sessionId"
    ]
    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
    return sid


def prompt_frame(request_id: Any, sid: str, text: str) -> dict[str, Any]:
    params = {"sessionId": sid, "prompt": [{"type": "text", "text": text}]}
    return {"jsonrpc": "2.0", "id": request_id, "method": "session/prompt", "params": params}


def line(frame: dict[str, Any]) -> bytes:
    return json.dumps(frame).encode() + b"\n"


async def still_works(peer: ZephPeer, sid: str) -> None:
    """The next prompt in the same session runs a whole turn, answered once."""
    rid, future = await peer.start_request(
        "session/prompt", {"sessionId": sid, "prompt": [{"type": "text", "text": "[case:hello]"}]}
    )
    async with asyncio.timeout(30):
        frame = await future
    assert frame["result"] == {"stopReason": "end_turn"}, frame
    assert len(answers(peer, rid)) == 1


async def wait_for_tool_call(peer: ZephPeer) -> None:
    while (await peer.next_update(30))["params"]["update"]["sessionUpdate"] != "tool_call":
        pass


@pytest.mark.parametrize("cancels", [2, 3])
async def test_cancels_1ms_apart_answer_the_prompt_once(
    peer: ZephPeer, workspace: Path, cancels: int
) -> None:
    sid = await session(peer, workspace)
    rid, future = await peer.start_request(
        "session/prompt", {"sessionId": sid, "prompt": [{"type": "text", "text": "[case:sleep]"}]}
    )
    await wait_for_tool_call(peer)
    for _ in range(cancels):
        await peer.notify("session/cancel", {"sessionId": sid})
        await asyncio.sleep(0.001)
    async with asyncio.timeout(30):
        assert (await future)["result"] == {"stopReason": "cancelled"}
    await still_works(peer, sid)
    assert len(answers(peer, rid)) == 1


async def test_cancel_in_the_same_write_as_its_prompt(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    future = peer.expect_response("p1")
    cancel = {"jsonrpc": "2.0", "method": "session/cancel", "params": {"sessionId": sid}}
    await peer.send_bytes(line(prompt_frame("p1", sid, "[case:sleep]")) + line(cancel))
    async with asyncio.timeout(30):
        assert (await future)["result"] == {"stopReason": "cancelled"}
    await still_works(peer, sid)
    assert len(answers(peer, "p1")) == 1


async def test_cancel_request_before_its_request_started(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    futures = {rid: peer.expect_response(rid) for rid in ("list-1", "p2")}
    listing = {"jsonrpc": "2.0", "id": "list-1", "method": "session/list", "params": {}}
    data = b"".join(
        line(frame)
        for frame in (
            listing,
            {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": "list-1"}},
            prompt_frame("p2", sid, "[case:sleep]"),
            {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": "p2"}},
        )
    )
    await peer.send_bytes(data)
    async with asyncio.timeout(30):
        listed = await futures["list-1"]
        prompted = await futures["p2"]
    # session/list may finish before the cancel is read; either way one answer
    assert "result" in listed or listed["error"]["code"] == -32800, listed
    assert prompted.get("error", {}).get("code") == -32800, prompted
    await still_works(peer, sid)
    assert len(answers(peer, "list-1")) == len(answers(peer, "p2")) == 1


def _surrogate_frame(request_id: str, method: str, params: str) -> bytes:
    return (
        f'{{"jsonrpc":"2.0","id":"{request_id}","method":"{method}","params":{params}}}\n'.encode()
    )


async def test_lone_surrogates_are_invalid_params_and_poison_nothing(
    peer: ZephPeer, workspace: Path
) -> None:
    sid = await session(peer, workspace)
    cases = {
        "text": (
            "session/prompt",
            f'{{"sessionId":"{sid}","prompt":[{{"type":"text","text":"half \\ud83d emoji"}}]}}',
            "prompt[0].text",
        ),
        "sid": (
            "session/prompt",
            '{"sessionId":"sess_\\udc00","prompt":[{"type":"text","text":"hi"}]}',
            "sessionId",
        ),
        "cwd": ("session/new", '{"cwd":"/tmp/\\ud800x","mcpServers":[]}', "cwd"),
    }
    for rid, (method, params, field) in cases.items():
        reply = peer.expect_response(rid)
        await peer.send_bytes(_surrogate_frame(rid, method, params))
        async with asyncio.timeout(15):
            error = (await reply)["error"]
        assert error["code"] == -32602, (rid, error)
        assert field in error["message"], (rid, error)
        assert len(answers(peer, rid)) == 1
    # a valid surrogate pair is a real emoji and goes through
    reply = peer.expect_response("pair")
    params = (
        f'{{"sessionId":"{sid}","prompt":[{{"type":"text","text":"[case:hello] \\ud83d\\ude00"}}]}}'
    )
    await peer.send_bytes(_surrogate_frame("pair", "session/prompt", params))
    async with asyncio.timeout(30):
        assert (await reply)["result"] == {"stopReason": "end_turn"}
    await still_works(peer, sid)
    await still_works(peer, sid)


async def start_with(env: dict[str, str], data: bytes, close: bool) -> ZephPeer:
    agent = await ZephPeer(env).start()
    await agent.send_bytes(data)
    if close:
        assert agent.proc is not None and agent.proc.stdin is not None
        agent.proc.stdin.close()
    return agent


FIRST_FRAMES = {
    "nested-1500": b"[" * 1500 + b"]" * 1500 + b"\n",
    "nested-10000": b'{"a":' * 10000 + b"1" + b"}" * 10000 + b"\n",
    "surrogate-id": b'{"jsonrpc":"2.0","id":"\\ud800","method":"initialize","params":{"protocolVersion":1}}\n',
}


@pytest.mark.parametrize("name", sorted(FIRST_FRAMES))
async def test_hostile_first_frame_is_answered_and_serving_goes_on(
    fake: FakeAnthropic, workspace: Path, name: str
) -> None:
    agent = await start_with(agent_env(fake.base_url), FIRST_FRAMES[name], close=False)
    try:
        reply = agent.expect_response(None)
        async with asyncio.timeout(15):
            error = (await reply)["error"]
        assert error["code"] in (-32700, -32600), error
        sid = await session(agent, workspace)
        await still_works(agent, sid)
    finally:
        code = await agent.close()
    agent.check_all()
    assert code == 0, agent.stderr.decode(errors="replace")[-3000:]
    assert b"Traceback" not in agent.stderr


async def test_frames_then_eof_during_startup_are_all_answered(
    fake: FakeAnthropic, workspace: Path
) -> None:
    frames = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INIT_NONE},
        {"jsonrpc": "2.0", "id": 2, "method": "session/list", "params": {}},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "session/new",
            "params": {"cwd": str(workspace), "mcpServers": []},
        },
        {"jsonrpc": "2.0", "id": 4, "method": "session/frobnicate", "params": {}},
    ]
    agent = await start_with(agent_env(fake.base_url), b"".join(map(line, frames)), close=True)
    async with asyncio.timeout(60):
        assert agent.proc is not None
        await agent.proc.wait()
    await agent.close_cleanly()  # the exit code of the wait above
    assert b"feed_data after feed_eof" not in agent.stderr
    for request_id in (1, 2, 3, 4):
        got = answers(agent, request_id)
        assert len(got) == 1, (request_id, got, agent.stderr[-2000:])
        assert "result" in got[0] or got[0]["error"]["code"] in (-32800, -32601), got
    assert "result" in answers(agent, 1)[0]
    assert answers(agent, 4)[0]["error"]["code"] == -32601


async def test_cwd_root_and_home_refused(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    home = str(Path.home())
    for cwd, words in (("/", "filesystem root"), (home, "home directory")):
        reply = await peer.request("session/new", {"cwd": cwd, "mcpServers": []})
        assert reply["error"]["code"] == -32602, reply
        assert reply["error"]["message"].startswith("Invalid params: cwd: refusing"), reply
        assert words in reply["error"]["message"]
    extra = await peer.request(
        "session/new", {"cwd": str(workspace), "mcpServers": [], "additionalDirectories": ["/"]}
    )
    assert extra["error"]["code"] == -32602
    assert "additionalDirectories[0]" in extra["error"]["message"]
    await still_works(peer, sid)


async def test_mcp_entry_with_wrong_type_answers_at_once(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    server = {"name": "bad", "command": sys.executable, "args": [], "env": 5}
    reply = await peer.request(
        "session/new", {"cwd": str(workspace), "mcpServers": [server]}, check=False, timeout_s=10
    )
    assert reply["error"]["code"] == -32602
    assert "mcpServers[0].env: expected array" in reply["error"]["message"]
    await still_works(peer, sid)


@pytest.mark.parametrize("notices", [True, False], ids=["notice", "agent-message"])
async def test_missing_mcp_command_is_told_to_the_person(
    peer: ZephPeer, workspace: Path, notices: bool
) -> None:
    init = dict(INIT_NONE, clientCapabilities={"session": {"notices": {}}} if notices else {})
    await peer.ok("initialize", init)
    server = {
        "name": "ghost",
        "command": str(REPO_ROOT / "no-such-mcp-server"),
        "args": [],
        "env": [],
    }
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": [server]}))[
        "sessionId"
    ]
    told = None
    while told is None:
        update = (await peer.next_update(30))["params"]["update"]
        kind = update["sessionUpdate"]
        if kind == "notice":
            told = f"{update['title']}: {update.get('description')}"
        elif kind == "agent_message_chunk":
            told = update["content"]["text"]
    assert (kind == "notice") is notices
    assert "ghost" in told, told
    assert "did not start" in told, told
    assert "no-such-mcp-server" in told, told
    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
    await still_works(peer, sid)
