"""What Zed and other real clients expect, against ``zeph-tui acp`` over real pipes.

- ``available_commands_update`` only after the ``session/new`` response, and
  again with the first prompt (Zed drops updates for sessions it has not
  registered yet);
- ``session/load`` replays client-terminal output as text, never a terminal id;
- ``tool_call`` carries ``name``;
- ``compaction_update`` / ``compaction_summary_chunk`` only when the client
  advertises ``session.compaction`` (``/compact``);
- ``additionalDirectories`` are workspace roots (writes there are allowed);
- object-valued capabilities (``{}``) count as present.
Every frame is validated against the ACP v1 schema by the peer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from acp import Client
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import (
    INIT_FULL,
    INIT_NONE,
    ZephPeer,
    agent_env,
    last_user_text,
    steps_since_user_text,
)


def model(body: dict[str, Any], _index: int) -> dict[str, Any]:
    system = body.get("system", "")
    system = system if isinstance(system, str) else "".join(b.get("text", "") for b in system)
    if system.startswith("You compact"):
        return {"blocks": [{"type": "text", "text": "SUMMARY: two hellos."}]}
    text = last_user_text(body)
    step = steps_since_user_text(body)
    if text.startswith("[bash]") and step == 0:
        command = {"command": "echo zed-output-$((6*7))"}
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": command}]}
    if text.startswith("[full]"):  # the provider reports a nearly full context window
        return {
            "blocks": [{"type": "text", "text": "context is full now"}],
            "usage": {"input_tokens": 195_000},
        }
    if text.startswith("[extra]") and step == 0:
        target = text.split()[1]
        write = {"path": target, "content": "outside the cwd\n"}
        return {"blocks": [{"type": "tool_use", "name": "write_file", "input": write}]}
    return {"blocks": [{"type": "text", "text": f"echo: {text[:30]}"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(model) as server:
        yield server


async def started(fake: FakeAnthropic) -> ZephPeer:
    return await ZephPeer(agent_env(fake.base_url)).start()


async def finish(peer: ZephPeer) -> None:
    await peer.close_cleanly()  # stdout: protocol frames only, each schema-valid
    assert b" DEBUG " not in peer.stderr, peer.stderr.decode(errors="replace")[-3000:]


def tool_contents(updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ToolCallContent items of tool_call / tool_call_update updates."""
    return [
        c
        for u in updates
        if u["sessionUpdate"] in ("tool_call", "tool_call_update")
        for c in u.get("content") or []
    ]


def frames(peer: ZephPeer) -> list[dict[str, Any]]:
    return [json.loads(line) for line in peer.lines]


async def prompt(peer: ZephPeer, sid: str, text: str) -> dict[str, Any]:
    params = {"sessionId": sid, "prompt": [{"type": "text", "text": text}]}
    result: dict[str, Any] = await peer.ok("session/prompt", params, timeout_s=60)
    return result


async def test_commands_follow_the_session_answer_and_the_first_prompt(
    fake: FakeAnthropic, workspace: Path
) -> None:
    peer = await started(fake)
    try:
        await peer.ok("initialize", INIT_NONE)
        _, response = await peer.start_request(
            "session/new", {"cwd": str(workspace), "mcpServers": []}
        )
        sid = (await response)["result"]["sessionId"]
        while (await peer.next_update())["params"]["update"][
            "sessionUpdate"
        ] != "available_commands_update":
            pass
        seen = frames(peer)
        answered_at = next(i for i, f in enumerate(seen) if f.get("result", {}).get("sessionId"))
        first = next(
            i
            for i, f in enumerate(seen)
            if f.get("params", {}).get("update", {}).get("sessionUpdate")
            == "available_commands_update"
        )
        assert answered_at < first
        await prompt(peer, sid, "hello")
        commands = [
            u
            for u in peer.updates(sid)
            if u["update"]["sessionUpdate"] == "available_commands_update"
        ]
        assert len(commands) == 1, commands  # re-sent with the first prompt
        await prompt(peer, sid, "hello again")
        assert not [
            u
            for u in peer.updates(sid)
            if u["update"]["sessionUpdate"] == "available_commands_update"
        ]
    finally:
        await finish(peer)


async def test_load_replays_terminal_output_as_text_and_tool_calls_keep_their_name(
    fake: FakeAnthropic, workspace: Path
) -> None:
    peer = await started(fake)
    try:
        await peer.ok("initialize", INIT_FULL)
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        assert (await prompt(peer, sid, "[bash] run"))["stopReason"] == "end_turn"
        live = [u["update"] for u in peer.updates(sid)]
        [call] = [u for u in live if u["sessionUpdate"] == "tool_call"]
        assert call["name"] == "bash"
        live_terminals = [c for c in tool_contents(live) if c.get("type") == "terminal"]
        assert live_terminals, "the live turn embeds the client terminal"
    finally:
        await finish(peer)
    peer = await started(fake)
    try:
        await peer.ok("initialize", INIT_FULL)
        await peer.ok("session/load", {"sessionId": sid, "cwd": str(workspace), "mcpServers": []})
        replay = [u["update"] for u in peer.updates(sid)]
        contents = tool_contents(replay)
        assert not [c for c in contents if c.get("type") == "terminal"], contents
        [call] = [u for u in replay if u["sessionUpdate"] == "tool_call"]
        assert call["name"] == "bash"
        texts = json.dumps([c for c in call["content"] if c.get("type") == "content"])
        assert "zed-output-42" in texts, call
    finally:
        await finish(peer)


@pytest.mark.parametrize("advertised", [True, False], ids=["compaction", "plain"])
async def test_compaction_updates_only_when_advertised(
    fake: FakeAnthropic, workspace: Path, advertised: bool
) -> None:
    peer = await started(fake)
    caps: dict[str, Any] = {"session": {"compaction": {}}} if advertised else {}
    try:
        await peer.ok("initialize", dict(INIT_NONE, clientCapabilities=caps))
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        await prompt(peer, sid, "hello once")
        await prompt(peer, sid, "hello twice")
        peer.updates(sid)
        await prompt(peer, sid, "/compact")
        kinds = [u["update"]["sessionUpdate"] for u in peer.updates(sid)]
        compaction = [k for k in kinds if k.startswith("compaction")]
        if advertised:
            assert compaction == [
                "compaction_update",
                "compaction_summary_chunk",
                "compaction_update",
            ]
        else:
            assert compaction == []
        assert "agent_message_chunk" in kinds
    finally:
        await finish(peer)


async def test_additional_directories_are_workspace_roots(
    fake: FakeAnthropic, workspace: Path, tmp_path: Path
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    target = extra / "from-agent.txt"
    peer = await started(fake)
    try:
        await peer.ok("initialize", INIT_NONE)
        plain = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))[
            "sessionId"
        ]
        wide = (
            await peer.ok(
                "session/new",
                {"cwd": str(workspace), "mcpServers": [], "additionalDirectories": [str(extra)]},
            )
        )["sessionId"]
        for sid in (plain, wide):
            await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        await prompt(peer, plain, f"[extra] {target}")
        assert not await asyncio.to_thread(target.exists)  # outside its roots: refused
        await prompt(peer, wide, f"[extra] {target}")
        assert (await asyncio.to_thread(target.read_text)) == "outside the cwd\n"
        missing = await peer.request(
            "session/new",
            {"cwd": str(workspace), "mcpServers": [], "additionalDirectories": ["relative"]},
        )
        assert missing["error"]["code"] == -32602
        assert "additionalDirectories[0]" in missing["error"]["message"]
    finally:
        await finish(peer)


def test_object_valued_capabilities_count_as_present() -> None:
    client = Client.__new__(Client)
    client.capabilities = {
        "terminal": True,
        "fs": {"readTextFile": False},
        "session": {"notices": {}, "compaction": None},
        "elicitation": {"form": {}, "url": False},
    }
    assert client.can("terminal")
    assert client.can("session", "notices")
    assert client.can("elicitation", "form")
    assert not client.can("session", "compaction")
    assert not client.can("elicitation", "url")
    assert not client.can("fs", "readTextFile")
    assert not client.can("fs", "writeTextFile")


@pytest.mark.parametrize("advertised", [True, False], ids=["compaction", "plain"])
async def test_automatic_compaction_is_reported_only_when_advertised(
    fake: FakeAnthropic, workspace: Path, advertised: bool
) -> None:
    peer = await started(fake)
    try:
        caps: dict[str, Any] = {"session": {"compaction": {}}} if advertised else {}
        await peer.ok("initialize", dict(INIT_NONE, clientCapabilities=caps))
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        for n in range(4):
            await prompt(peer, sid, f"hello {n} " + "words " * 200)
        await prompt(peer, sid, "[full] fill it")
        peer.updates(sid)
        await prompt(peer, sid, "next question")
        updates = [u["update"] for u in peer.updates(sid)]
        compaction = [u for u in updates if u["sessionUpdate"].startswith("compaction")]
        systems = [str(body.get("system", "")) for body in fake.requests]
        assert any("You compact" in system for system in systems)  # it did compact, both ways
        if not advertised:
            assert compaction == []
            return
        assert [u["sessionUpdate"] for u in compaction] == [
            "compaction_summary_chunk",
            "compaction_update",
        ], [u["sessionUpdate"] for u in updates]
        assert "SUMMARY: two hellos." in compaction[0]["content"]["text"]
        assert compaction[1]["status"] == "completed"
        assert compaction[0]["compactionId"] == compaction[1]["compactionId"]
    finally:
        await finish(peer)
