"""ACP slash commands ``/compact`` and ``/diagnostics`` over real pipes.

``zeph-tui acp`` runs as a subprocess with the scripted Messages API behind it;
every frame in both directions is validated against the ACP v1 schema
(:class:`tests.fixtures_acp.peer.AgentPeer`). ``/diagnostics`` talks to the
real basedpyright the agent starts after a turn writes a Python file with a
type error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.acp_schema import validate
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, last_user_text
from zeph_tui.core.session.context import SUMMARY_HEADER

Script = Callable[[dict[str, Any], int], dict[str, Any]]


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system", "")
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system)


def model(body: dict[str, Any], _index: int) -> dict[str, Any]:
    """Summaries for compaction requests, a write for [write], else an echo."""
    if system_text(body).startswith("You compact"):
        return {"blocks": [{"type": "text", "text": "SUMMARY-42: the user said hello twice."}]}
    text = last_user_text(body)
    last = body["messages"][-1]["content"]
    answered = isinstance(last, list) and any(b.get("type") == "tool_result" for b in last)
    if "[slow]" in text and not answered:  # a command that waits for the test's signal
        command = "until [ -e go.flag ]; do sleep 0.02; done; echo released"
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}]}
    if "[write]" in text and not answered:
        source = 'def half(x: int) -> int:\n    return x / 2\n\n\ncount: int = "three"\n'
        return {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "write_file",
                    "input": {"path": "pkg/bad.py", "content": source},
                }
            ]
        }
    return {"blocks": [{"type": "text", "text": f"echo: {text[:40]}"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(model) as server:
        yield server


async def open_session(peer: ZephPeer, workspace: Path) -> tuple[str, dict[str, Any]]:
    """initialize + session/new; returns the id and the available_commands_update."""
    await peer.ok("initialize", INIT_NONE)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    commands = (await peer.next_update())["params"]["update"]
    assert commands["sessionUpdate"] == "available_commands_update"
    return sid, commands


async def say(peer: ZephPeer, sid: str, text: str, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """One prompt; returns the ``update`` payloads it produced (each schema-valid)."""
    params = {"sessionId": sid, "prompt": [{"type": "text", "text": text}]}
    result = await peer.ok("session/prompt", params, timeout_s=timeout_s)
    assert result == {"stopReason": "end_turn"}
    updates = [p["update"] for p in peer.updates(sid)]
    for update in updates:
        validate("SessionUpdate", update)
    return updates


def reply(updates: list[dict[str, Any]]) -> str:
    return "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )


async def test_compact_summarises_and_reports(
    peer: ZephPeer, fake: FakeAnthropic, workspace: Path
) -> None:
    sid, commands = await open_session(peer, workspace)
    described = {c["name"]: c["description"] for c in commands["availableCommands"]}
    assert "now" in described["compact"] and "not available" not in described["compact"]

    await say(peer, sid, "hello once")
    too_short = await say(peer, sid, "/compact")
    assert reply(too_short).startswith("Nothing to compact yet"), reply(too_short)
    assert len(fake.requests) == 1  # no summary request for a one-exchange conversation

    await say(peer, sid, "hello twice")
    updates = await say(peer, sid, "/compact")
    kinds = [u["sessionUpdate"] for u in updates]
    assert "agent_message_chunk" in kinds
    last_chunk = max(i for i, k in enumerate(kinds) if k == "agent_message_chunk")
    assert kinds[-1] == "usage_update" and len(kinds) - 1 > last_chunk  # usage after the reply
    text = reply(updates)
    assert text.startswith("Compacted the conversation: 1 message folded into a summary"), text
    assert "SUMMARY-42" in text
    assert system_text(fake.requests[-1]).startswith("You compact")
    usage = updates[-1]
    assert usage["size"] > 0 and usage["used"] > 0

    # the next turn runs on the compacted history: the summary first
    await say(peer, sid, "still there?")
    first = fake.requests[-1]["messages"][0]["content"]
    first_text = first if isinstance(first, str) else first[0]["text"]
    assert first_text.startswith(SUMMARY_HEADER) and "SUMMARY-42" in first_text


async def test_diagnostics_after_a_write(peer: ZephPeer, workspace: Path) -> None:
    sid, commands = await open_session(peer, workspace)
    described = {c["name"]: c for c in commands["availableCommands"]}
    assert "not available" not in described["diagnostics"]["description"]
    assert described["diagnostics"]["input"] == {"hint": "[PATH]"}

    before = reply(await say(peer, sid, "/diagnostics"))
    assert before.startswith("No language server has reported yet"), before

    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
    turn = await say(peer, sid, "[write] add a module", timeout_s=60)
    done = [u for u in turn if u["sessionUpdate"] == "tool_call_update" and u.get("status")]
    assert done[-1]["status"] == "completed", done[-1]

    every = reply(await say(peer, sid, "/diagnostics"))
    lines = every.splitlines()
    assert lines[0].endswith("in 1 file:"), every
    assert "(2 errors)" in lines[0], every
    assert any(line.startswith("pkg/bad.py:2:12: error") for line in lines), every
    assert any(line.startswith("pkg/bad.py:5:14: error") for line in lines), every
    assert "return x / 2" in every and 'count: int = "three"' in every  # source lines

    one = reply(await say(peer, sid, "/diagnostics pkg/bad.py"))
    assert one.splitlines()[0] == lines[0] and "pkg/bad.py:5:14: error" in one

    clean = reply(await say(peer, sid, "/diagnostics pkg/calc.py", timeout_s=30))
    assert clean == "No diagnostics in pkg/calc.py.", clean
    assert reply(await say(peer, sid, "/diagnostics README.md")) == (
        "No language server handles README.md."
    )
    assert reply(await say(peer, sid, "/diagnostics nope.py")) == (
        "Diagnostics: file not found: nope.py"
    )
    outside = reply(await say(peer, sid, "/diagnostics ../../etc/passwd"))
    assert outside.startswith("Diagnostics failed:"), outside


async def test_compact_while_a_turn_runs(peer: ZephPeer, workspace: Path) -> None:
    sid, _ = await open_session(peer, workspace)
    await say(peer, sid, "hello once")
    await say(peer, sid, "hello twice")
    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
    slow = {"sessionId": sid, "prompt": [{"type": "text", "text": "[slow] wait for go.flag"}]}
    _, turn = await peer.start_request("session/prompt", slow)
    while (await peer.next_update())["params"]["update"]["sessionUpdate"] != "tool_call":
        pass  # the turn is now running the command, which waits for go.flag
    busy = reply(await say(peer, sid, "/compact"))
    assert busy == "Compaction failed: a prompt is running; compact after it ends", busy
    (workspace / "go.flag").touch()
    async with asyncio.timeout(30):
        assert (await turn)["result"] == {"stopReason": "end_turn"}
    assert reply([p["update"] for p in peer.updates(sid)]).endswith("echo: [slow] wait for go.flag")
    assert reply(await say(peer, sid, "/compact")).startswith("Compacted the conversation")
