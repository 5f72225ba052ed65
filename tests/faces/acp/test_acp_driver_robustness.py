"""Cancellation and bad input against ``zeph-tui acp`` over real pipes.

- A turn running ``sleep 60`` through bash (locally, and in a client terminal)
  is cancelled: the prompt answers ``cancelled`` at once (not after the
  sleep) on ``session/cancel`` and the command's process group is gone.
- Bad input is answered (-32700, -32600, -32601, -32602 naming the field,
  -32002 for unknown sessions and prompts before ``session/new``, huge frames)
  and the agent keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_FULL, INIT_NONE, ZephPeer, agent_env, route
from tests.procs import child_pids


def case_sleep(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return {
            "blocks": [
                {"type": "tool_use", "name": "bash", "input": {"command": "echo pgid=$$; sleep 60"}}
            ]
        }
    return {"blocks": [{"type": "text", "text": "after the cancel"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    def case_hello(body: dict[str, Any], step: int) -> dict[str, Any]:
        return {"blocks": [{"type": "text", "text": "still here"}]}

    async with FakeAnthropic(route({"sleep": case_sleep, "hello": case_hello})) as server:
        yield server


def command_pgid(agent_pid: int) -> int:
    """The process group of the agent's child running the ``sleep 60`` command line.

    Found from the host side: inside the shell sandbox ``$$`` is a PID of the
    sandbox's own PID namespace.
    """
    for child in child_pids(agent_pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"sleep 60" in cmdline:
                return os.getpgid(child)
    raise AssertionError("no child of the agent runs the command")


async def group_gone(pgid: int, within_s: float = 2.0) -> bool:
    """Poll until ``killpg(pgid, 0)`` fails (zombies are reaped asynchronously)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.mark.parametrize("init", [INIT_NONE, INIT_FULL], ids=["local-bash", "client-terminal"])
async def test_cancel_sleep_in_bash(
    fake: FakeAnthropic, workspace: Path, init: dict[str, Any]
) -> None:
    async with running(ZephPeer(agent_env(fake.base_url))) as peer:
        await peer.ok("initialize", init)
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        _, response = await peer.start_request(
            "session/prompt",
            {"sessionId": sid, "prompt": [{"type": "text", "text": "[case:sleep] nap"}]},
        )
        pgid = None
        while pgid is None:
            update = (await peer.next_update())["params"]["update"]
            if init is INIT_FULL and (update.get("content") or [{}])[0].get("type") == "terminal":
                pgid = peer.editor.pgids[0]  # the client started it in its own group
            for item in update.get("content") or []:
                if re.search(r"pgid=(\d+)", json.dumps(item)):  # the command is running
                    assert peer.proc is not None
                    pgid = command_pgid(peer.proc.pid)
        os.killpg(pgid, 0)  # running
        sent = time.monotonic()
        await peer.notify("session/cancel", {"sessionId": sid})
        frame = await asyncio.wait_for(response, 5)
        elapsed_ms = (time.monotonic() - sent) * 1000
        assert frame["result"] == {"stopReason": "cancelled"}
        # the answer does not wait for the 60 s sleep (how fast it is: bench/, not here)
        assert elapsed_ms < 5000, f"cancel answered after {elapsed_ms:.0f} ms"
        assert await group_gone(pgid), f"process group {pgid} survived the cancel"
        if init is INIT_FULL:
            assert peer.editor.released == ["term-1"]
        # the session is usable afterwards, with a valid history
        result = await peer.ok(
            "session/prompt",
            {"sessionId": sid, "prompt": [{"type": "text", "text": "[case:hello] again"}]},
        )
        assert result == {"stopReason": "end_turn"}
        sent = fake.requests[-1]["messages"]
        assert any(
            b.get("type") == "tool_result" and "cancelled" in str(b.get("content"))
            for m in sent
            if m["role"] == "user" and isinstance(m["content"], list)
            for b in m["content"]
        )


async def test_bad_input_is_answered_and_serving_continues(
    fake: FakeAnthropic, workspace: Path
) -> None:
    async with running(ZephPeer(agent_env(fake.base_url))) as peer:
        # a prompt before initialize / session/new: unknown session
        early = await peer.request(
            "session/prompt", {"sessionId": "sess_x", "prompt": [{"type": "text", "text": "hi"}]}
        )
        assert early["error"]["code"] == -32002
        await peer.ok("initialize", INIT_NONE)

        async def raw(data: bytes, reply_id: Any = None) -> dict[str, Any]:
            reply = peer.expect_response(reply_id)
            await peer.send_bytes(data)
            return await asyncio.wait_for(reply, 15)

        parse = await raw(b"{this is not json\n")
        assert parse["error"]["code"] == -32700
        assert parse["id"] is None
        invalid = await raw(b'{"jsonrpc":"2.0","id":7}\n', 7)
        assert invalid["error"]["code"] == -32600
        invalid = await raw(b"[1, 2]\n")
        assert invalid["error"]["code"] == -32600
        unknown = await peer.request("session/frobnicate", {}, check=False)
        assert unknown["error"]["code"] == -32601
        missing = await peer.request("session/new", {"mcpServers": []}, check=False)
        assert missing["error"]["code"] == -32602
        assert "cwd" in missing["error"]["message"]
        wrong = await peer.request("session/new", {"cwd": 42, "mcpServers": []}, check=False)
        assert wrong["error"]["code"] == -32602
        assert "cwd" in wrong["error"]["message"]
        relative = await peer.request("session/new", {"cwd": "repo", "mcpServers": []})
        assert relative["error"]["code"] == -32602
        assert "cwd" in relative["error"]["message"]
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        no_text = await peer.request(
            "session/prompt", {"sessionId": sid, "prompt": [{"type": "text"}]}, check=False
        )
        assert no_text["error"]["code"] == -32602
        assert "prompt[0].text" in no_text["error"]["message"]
        audio = await peer.request(
            "session/prompt",
            {
                "sessionId": sid,
                "prompt": [{"type": "audio", "data": "AAAA", "mimeType": "audio/wav"}],
            },
        )
        assert audio["error"]["code"] == -32602
        assert "prompt[0].type" in audio["error"]["message"]
        ghost = await peer.request("session/set_mode", {"sessionId": "sess_ghost", "modeId": "ask"})
        assert ghost["error"]["code"] == -32002
        # huge frames: 16 MB of garbage, then a 16 MB request to an unknown method
        huge = await raw(b"x" * (16 * 1024 * 1024) + b"\n")
        assert huge["error"]["code"] == -32700
        big = await peer.request("_huge", {"blob": "y" * (16 * 1024 * 1024)}, check=False)
        assert big["error"]["code"] == -32601
        # still serving
        listed = await peer.ok("session/list", {})
        assert [s["sessionId"] for s in listed["sessions"]] == [sid]
