"""The acp library end to end: the echo agent in a subprocess over real pipes.

Every frame the agent writes and every valid frame the test sends is checked
against the official ACP v1 schema (tests/acp_schema.py) by the peer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_acp.peer import AgentPeer, running

INIT = {
    "protocolVersion": 1,
    "clientCapabilities": {"fs": {"readTextFile": True, "writeTextFile": True}, "terminal": False},
    "clientInfo": {"name": "pytest", "version": "1"},
}


@pytest.fixture
async def peer() -> AsyncIterator[AgentPeer]:
    async with running(AgentPeer()) as agent:
        yield agent


async def new_session(peer: AgentPeer) -> str:
    response = await peer.request("session/new", {"cwd": "/tmp", "mcpServers": []})
    return str(response["result"]["sessionId"])


def prompt_params(session_id: str, text: str) -> dict[str, Any]:
    return {"sessionId": session_id, "prompt": [{"type": "text", "text": text}]}


def chunk_text(notification: dict[str, Any]) -> str:
    update = notification["params"]["update"]
    assert update["sessionUpdate"] == "agent_message_chunk"
    return str(update["content"]["text"])


async def test_initialize_new_session_and_streamed_prompt(peer: AgentPeer) -> None:
    response = await peer.request("initialize", INIT)
    assert response["result"]["protocolVersion"] == 1
    assert response["result"]["agentInfo"]["name"] == "echo-agent"
    recorded = (await peer.request("_client", {}))["result"]
    assert recorded == {
        "capabilities": INIT["clientCapabilities"],
        "info": INIT["clientInfo"],
        "canRead": True,
        "canTerminal": False,
    }
    session_id = await new_session(peer)
    result = await peer.request(
        "session/prompt", prompt_params(session_id, "echo alpha beta gamma")
    )
    assert result["result"] == {"stopReason": "end_turn"}
    chunks = [chunk_text(peer.notifications.get_nowait()) for _ in range(3)]
    assert chunks == ["alpha", "beta", "gamma"]
    assert peer.notifications.empty()


async def test_session_cancel_reaches_running_prompt(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    _, response = await peer.start_request("session/prompt", prompt_params(session_id, "wait"))
    assert chunk_text(await peer.next_update()) == "waiting"
    assert not response.done()
    await peer.notify("session/cancel", {"sessionId": session_id})
    async with asyncio.timeout(10):
        assert (await response)["result"] == {"stopReason": "cancelled"}


async def test_cancel_request_cancels_the_handler(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    request_id, response = await peer.start_request(
        "session/prompt", prompt_params(session_id, "hang")
    )
    await peer.notify("session/cancel", {"sessionId": session_id})  # ignored by "hang"
    await peer.notify("$/cancel_request", {"requestId": 424242})  # unknown id: ignored
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    assert not response.done()
    await peer.notify("$/cancel_request", {"requestId": request_id})
    async with asyncio.timeout(10):
        frame = await response
    assert frame["error"]["code"] == -32800
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}


async def test_cancel_request_before_its_request_answers_it_cancelled(peer: AgentPeer) -> None:
    """A "hang" prompt never answers by itself: only the remembered early cancel answers it."""
    session_id = await new_session(peer)
    await peer.notify("$/cancel_request", {"requestId": "early"})
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    _, response = await peer.start_request(
        "session/prompt", prompt_params(session_id, "hang"), request_id="early"
    )
    async with asyncio.timeout(10):
        frame = await response
    assert frame["error"] == {"code": -32800, "message": "Request cancelled"}
    # the memory is spent: the same id again runs (and is cancelled the ordinary way)
    _, again = await peer.start_request(
        "session/prompt", prompt_params(session_id, "hang"), request_id="early"
    )
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    assert not again.done()
    await peer.notify("$/cancel_request", {"requestId": "early"})
    async with asyncio.timeout(10):
        assert (await again)["error"]["code"] == -32800
    answered = [json.loads(raw) for raw in peer.lines]
    assert sum(1 for f in answered if "method" not in f and f.get("id") == "early") == 2


async def test_requests_run_concurrently(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    _, hanging = await peer.start_request("session/prompt", prompt_params(session_id, "wait"))
    # Three barrier calls only return once all three are running at the same time.
    started = [await peer.start_request("_barrier", {"name": "b", "parties": 3}) for _ in range(3)]
    async with asyncio.timeout(10):
        frames = await asyncio.gather(*(future for _, future in started))
    assert [f["result"] for f in frames] == [{"passed": "b"}] * 3
    assert not hanging.done()
    await peer.notify("session/cancel", {"sessionId": session_id})
    async with asyncio.timeout(10):
        assert (await hanging)["result"]["stopReason"] == "cancelled"


async def test_agent_to_client_request_round_trip(tmp_path: Path) -> None:
    served: list[dict[str, Any]] = []

    async def client(method: str, params: Any) -> dict[str, Any] | None:
        served.append({"method": method, "params": params})
        if method == "fs/read_text_file" and params["path"].endswith("missing.txt"):
            return {"error": {"code": -32002, "message": "Resource not found"}}
        if method == "fs/read_text_file" and params["path"].endswith("slow.txt"):
            return None  # never answered: the agent's timeout fires
        if method == "fs/read_text_file":
            return {"result": {"content": "hello from the editor buffer"}}
        if method == "session/request_permission":
            return {"result": {"outcome": {"outcome": "selected", "optionId": "yes"}}}
        return {"error": {"code": -32601, "message": "Method not found"}}

    agent = await AgentPeer(client).start()
    try:
        session_id = await new_session(agent)
        for text, expected in [
            (f"read {tmp_path}/a.txt", "hello from the editor buffer"),
            (f"read {tmp_path}/missing.txt", "error -32002"),
            (f"read-timeout {tmp_path}/slow.txt", "timeout"),
            ("permit", "yes"),
        ]:
            result = await agent.request("session/prompt", prompt_params(session_id, text))
            assert result["result"]["stopReason"] == "end_turn"
            assert chunk_text(await agent.next_update()) == expected
        # The timed-out request was cancelled towards the client with $/cancel_request.
        slow_id = agent.agent_requests[2]["id"]
        assert agent.agent_requests[2]["params"]["path"].endswith("slow.txt")
        assert {
            "jsonrpc": "2.0",
            "method": "$/cancel_request",
            "params": {"requestId": slow_id},
        } in (agent.other_notifications)
    finally:
        assert await agent.close() == 0
    agent.check_all()
    assert [s["method"] for s in served] == ["fs/read_text_file"] * 3 + [
        "session/request_permission"
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", -32700),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "initialize"', -32700),
        (b"\xff\xfe garbage \x80", -32700),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "x", "params": NaN}', -32700),
        (b"[1, 2, 3]", -32600),
        (b"[]", -32600),
        (b'"just a string"', -32600),
        (b'{"jsonrpc": "1.0", "id": 99, "method": "initialize"}', -32600),
        (b'{"jsonrpc": "2.0", "id": 99, "method": 42}', -32600),
        (b'{"jsonrpc": "2.0", "id": 1.5, "method": "initialize"}', -32600),
        (b'{"jsonrpc": "2.0", "id": [1], "method": "initialize"}', -32600),
        (b'{"jsonrpc": "2.0"}', -32600),
    ],
)
async def test_malformed_frames_are_answered(peer: AgentPeer, data: bytes, code: int) -> None:
    await peer.send_bytes(data + b"\n")
    # Answers to unparseable frames carry id null or the request's id.
    ping = await peer.request("_ping", {})
    assert ping["result"] == {"pong": True}
    errors = [json.loads(line) for line in peer.lines if b'"error"' in line]
    assert len(errors) == 1
    assert errors[0]["error"]["code"] == code
    assert errors[0]["id"] in (None, 99)


@pytest.mark.parametrize(
    ("method", "params", "code", "message_part"),
    [
        ("no/such_method", {}, -32601, "no/such_method"),
        ("_no_such_ext", {}, -32601, "_no_such_ext"),
        ("session/new", {"mcpServers": []}, -32602, "cwd: required"),
        ("session/new", {"cwd": 7, "mcpServers": []}, -32602, "cwd: expected string"),
        ("session/prompt", {"prompt": []}, -32602, "sessionId: required"),
        ("session/prompt", {"sessionId": "s", "prompt": "hi"}, -32602, "prompt: expected array"),
        ("session/prompt", {"sessionId": "s", "prompt": [{}]}, -32602, "prompt[0].type: required"),
        ("initialize", {"protocolVersion": "1"}, -32602, "protocolVersion: expected integer"),
        ("initialize", [1], -32602, "params: expected object"),
        ("session/set_mode", {"sessionId": "s"}, -32602, "modeId: required"),
        ("session/prompt", prompt_params("sess-unknown", "echo x"), -32002, "sess-unknown"),
        ("authenticate", {"methodId": "x"}, -32601, "authenticate"),
    ],
)
async def test_request_errors(
    peer: AgentPeer, method: str, params: Any, code: int, message_part: str
) -> None:
    response = await peer.request(method, params, check=False)
    assert response["error"]["code"] == code
    assert message_part in response["error"]["message"]
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}


async def test_unknown_and_bad_notifications_are_ignored(peer: AgentPeer) -> None:
    await peer.notify("no/such_notification", {"x": 1}, check=False)
    await peer.notify("session/cancel", {"sessionId": 5}, check=False)
    await peer.notify("$/cancel_request", {"requestId": [1]}, check=False)
    await peer.notify("_ext_note", {"x": 1})
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    assert len(peer.lines) == 1


async def test_handler_exception_is_internal_error_without_traceback(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    response = await peer.request("session/prompt", prompt_params(session_id, "boom"))
    assert response["error"]["code"] == -32603
    stdout = b"".join(peer.lines)
    assert b"Traceback" not in stdout
    assert b"secret detail" not in stdout
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    assert b"Traceback" in peer.stderr  # logged for the operator, on stderr


async def test_huge_frames_are_read_and_answered(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    text = "size " + "é" * (10 * 1024 * 1024)  # 20 MiB of UTF-8 on one line
    response = await peer.request("session/prompt", prompt_params(session_id, text), timeout_s=60)
    assert response["result"]["stopReason"] == "end_turn"
    assert chunk_text(await peer.next_update()) == f"size={len(text)}"
    payload = {"blob": "x" * (20 * 1024 * 1024)}
    echoed = await peer.request("_echo", payload, timeout_s=60)
    assert echoed["result"] == payload
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}


async def test_stray_output_does_not_corrupt_stdout(peer: AgentPeer) -> None:
    session_id = await new_session(peer)
    response = await peer.request("session/prompt", prompt_params(session_id, "print"))
    assert response["result"]["stopReason"] == "end_turn"
    assert chunk_text(await peer.next_update()) == "printed"
    assert (await peer.request("_ping", {}))["result"] == {"pong": True}
    for line in peer.lines:
        assert json.loads(line)["jsonrpc"] == "2.0"
    stdout = b"".join(peer.lines)
    for marker in (b"STRAY-PRINT", b"CHILD-STDOUT", b"CHILD-STDERR", b"RAW-FD1"):
        assert marker not in stdout
        assert marker in peer.stderr
