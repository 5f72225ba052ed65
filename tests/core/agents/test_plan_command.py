"""``/plan`` over ACP: ``zeph-tui acp`` as a real process, every frame schema-validated.

The registry's one ``/plan`` command: no goal answers the usage line; a goal is
planned by the (fake) model and run with sub-agents, its node states arriving as
``plan`` updates; ``session/cancel`` during the graph cancels its children and
the reply says how to resume.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.core.agents.helpers import agent_of, write_agent
from tests.faces.acp.test_acp_commands import open_session, reply, say
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import ZephPeer, agent_env
from tests.turns import calls

TASKS = [
    {"id": "one", "agent": "worker", "prompt": "[node one] a", "deps": []},
    {"id": "two", "agent": "worker", "prompt": "[node two] b", "deps": []},
    {"id": "three", "agent": "worker", "prompt": "[node three] c", "deps": ["one", "two"]},
]


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    if "split a software goal" in json.dumps(body.get("system", "")):
        return {"blocks": [{"type": "text", "text": json.dumps({"tasks": TASKS})}]}
    if agent_of(body) is not None:
        return {"blocks": [{"type": "text", "text": "node done"}]}
    return {"blocks": [{"type": "text", "text": "parent"}]}


async def test_plan_over_acp_streams_node_states(workspace: Path) -> None:
    write_agent(workspace, "worker", "Read")
    async with FakeAnthropic(script) as fake, running(ZephPeer(agent_env(fake.base_url))) as peer:
        sid, commands = await open_session(peer, workspace)
        assert "plan" in [c["name"] for c in commands["availableCommands"]]
        assert reply(await say(peer, sid, "/plan")) == "Usage: /plan GOAL | /plan resume [ID]"
        updates = await say(peer, sid, "/plan document it", timeout_s=120)
        text = reply(updates)
        assert text.startswith("graph graph_") and text.endswith(": completed (3/3 tasks)")
        plans = [u for u in updates if u["sessionUpdate"] == "plan"]
        assert any(e["status"] == "in_progress" for p in plans for e in p["entries"])
        assert [e["status"] for e in plans[-1]["entries"]] == ["completed"] * 3
        again = reply(await say(peer, sid, "/plan resume"))
        assert again == "no unfinished task graph to resume"


def slow_script(body: dict[str, Any], index: int) -> dict[str, Any]:
    if "split a software goal" in json.dumps(body.get("system", "")):
        return {"blocks": [{"type": "text", "text": json.dumps({"tasks": TASKS})}]}
    return calls(("bash", {"command": "echo started; sleep 271.828"}))


async def test_cancel_during_plan_cancels_the_children(workspace: Path) -> None:
    from tests.core.agents.test_subagents import _alive_with

    write_agent(workspace, "worker", "Bash")
    async with (
        FakeAnthropic(slow_script) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,
    ):
        sid, _ = await open_session(peer, workspace)
        await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        params = {"sessionId": sid, "prompt": [{"type": "text", "text": "/plan go"}]}
        answer = asyncio.create_task(peer.ok("session/prompt", params, timeout_s=120))
        async with asyncio.timeout(60):
            while not _alive_with("271.828"):  # noqa: ASYNC110  (another process: /proc)
                await asyncio.sleep(0.1)
        await peer.notify("session/cancel", {"sessionId": sid})
        assert (await answer)["stopReason"] == "cancelled"  # ACP: a cancelled turn says so
        text = reply([p["update"] for p in peer.updates(sid)])
        assert "Plan cancelled (graph graph_" in text and "/plan resume continues it" in text
        assert _alive_with("271.828") == []
