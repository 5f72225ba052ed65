"""MCP servers from ``session/new``: a real stdio MCP server (tests/fixtures_acp/
mcp_server.py, written with the ``mcp`` package) started by ``zeph-tui acp``;
its tools reach the model as ``mcp__calc__*`` with sanitised descriptions, calls
go through the permission request, results come back wrapped as untrusted.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env, route
from tests.paths import TESTS
from tests.turns import only_result

SERVER = TESTS / "fixtures_acp" / "mcp_server.py"


def case_mcp(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        tools = {t["name"]: t for t in body["tools"]}
        assert {"mcp__calc__add", "mcp__calc__shout", "mcp__calc__fail", "bash"} <= set(tools)
        assert "\u200b" not in tools["mcp__calc__add"]["description"]
        assert tools["mcp__calc__add"]["input_schema"]["required"] == ["a", "b"]
        return {
            "blocks": [{"type": "tool_use", "name": "mcp__calc__add", "input": {"a": 2, "b": 3}}]
        }
    if step == 1:
        text, is_error = only_result(body).values()
        assert not is_error
        assert text.startswith('<untrusted source="mcp:calc">'), text
        assert "2+3=5" in text, text
        return {
            "blocks": [{"type": "tool_use", "name": "mcp__calc__shout", "input": {"text": "hi"}}]
        }
    if step == 2:
        text, _ = only_result(body).values()
        assert "HI" in text, repr(text)
        assert "\x1b" not in text, repr(text)
        assert "\u200b" not in text, repr(text)
        assert "ansi_escapes" in text, text
        return {"blocks": [{"type": "tool_use", "name": "mcp__calc__fail", "input": {}}]}
    text, is_error = only_result(body).values()
    assert is_error
    assert "always fails" in text, text
    return {"blocks": [{"type": "text", "text": "mcp done"}]}


async def test_mcp_stdio_server_tools(workspace: Path) -> None:
    async with (
        FakeAnthropic(route({"mcp": case_mcp})) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,
    ):
        await peer.ok("initialize", INIT_NONE)
        server = {"name": "calc", "command": sys.executable, "args": [str(SERVER)], "env": []}
        sid = (
            await peer.ok(
                "session/new", {"cwd": str(workspace), "mcpServers": [server]}, timeout_s=30
            )
        )["sessionId"]
        result = await peer.ok(
            "session/prompt",
            {
                "sessionId": sid,
                "prompt": [{"type": "text", "text": "[case:mcp] use the calculator"}],
            },
        )
        assert result == {"stopReason": "end_turn"}
        updates = [u["update"] for u in peer.updates(sid)]
        calls = [u for u in updates if u["sessionUpdate"] == "tool_call"]
        assert [c["title"] for c in calls] == ["calc: add", "calc: shout", "calc: fail"]
        assert {c["kind"] for c in calls} == {"other"}
        assert len(peer.editor.permission_requests) == 3  # not read-only: asked in ask mode
        assert "mcp done" in "".join(
            u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
        )
        await peer.ok("session/close", {"sessionId": sid})


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def case_add(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return {
            "blocks": [{"type": "tool_use", "name": "mcp__calc__add", "input": {"a": 4, "b": 5}}]
        }
    text, is_error = only_result(body).values()
    assert not is_error
    return {"blocks": [{"type": "text", "text": f"got {text.split('>')[1].split('<')[0].strip()}"}]}


@pytest.mark.parametrize(
    ("kind", "transport", "path"), [("http", "streamable-http", "/mcp"), ("sse", "sse", "/sse")]
)
async def test_mcp_server_over_http_and_sse(
    workspace: Path, kind: str, transport: str, path: str
) -> None:
    port = free_port()
    mcp_proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SERVER),
        transport,
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(30):
            while True:  # until the MCP server accepts connections
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.1)
                    continue
                writer.close()
                break
        async with (
            FakeAnthropic(route({"add": case_add})) as fake,
            running(ZephPeer(agent_env(fake.base_url))) as peer,
        ):
            init = await peer.ok("initialize", INIT_NONE)
            assert init["agentCapabilities"]["mcpCapabilities"] == {"http": True, "sse": True}
            server = {
                "type": kind,
                "name": "calc",
                "url": f"http://127.0.0.1:{port}{path}",
                "headers": [{"name": "X-Test", "value": "1"}],
            }
            sid = (
                await peer.ok(
                    "session/new",
                    {"cwd": str(workspace), "mcpServers": [server]},
                    timeout_s=30,
                )
            )["sessionId"]
            await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
            result = await peer.ok(
                "session/prompt",
                {"sessionId": sid, "prompt": [{"type": "text", "text": "[case:add] sum"}]},
            )
            assert result == {"stopReason": "end_turn"}
            updates = [u["update"] for u in peer.updates(sid)]
            reply = "".join(
                u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
            )
            assert reply == "got 4+5=9", reply
    finally:
        mcp_proc.terminate()
        await mcp_proc.wait()
