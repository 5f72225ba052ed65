"""Sub-agents over ACP: ``zeph-tui acp`` as a real process, every frame schema-validated.

The client (:class:`~tests.fixtures_acp.zeph_agent.ZephPeer`) validates each frame in both
directions against the official ACP v1 schema (``/work/shared/acp/schema.json``). A
sub-agent is a ``think`` tool call whose content streams the child's progress and whose
``rawOutput.subagent`` names the child's transcript; the child's own calls are tool calls of
their own (``<task id>/<child id>``), and its permission requests reach the same client
for the parent's session, naming the call by that id. The same turn is then driven by the
official TypeScript SDK (``@agentclientprotocol/sdk`` 2.4.0, ``ts_subagents_client.mjs``),
which validates every message it receives with its own schema types.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from tests.acp_schema import validate
from tests.core.agents.helpers import agent_of, write_agent
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import REPO_ROOT, running
from tests.fixtures_acp.zeph_agent import INIT_FULL, ZephPeer, agent_env
from tests.turns import calls
from zeph_tui.core.agents.graph import TaskGraph, TaskNode
from zeph_tui.core.agents.graph_runner import plan_event
from zeph_tui.core.agents.graph_store import NodeState


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    agent = agent_of(body)
    step = sum(1 for m in body["messages"] if m["role"] == "assistant")
    if agent is None:
        if step == 0:
            return calls(
                ("task", {"agent": "worker", "prompt": "read and run", "description": "look"})
            )
        return {"blocks": [{"type": "text", "text": "parent done"}]}
    if step == 0:
        return calls(("read_file", {"path": "pkg/calc.py"}))
    if step == 1:
        return calls(("bash", {"command": "echo child-ran"}))
    return {"blocks": [{"type": "text", "text": "worker: calc has add and mul"}]}


async def test_a_sub_agent_over_acp(workspace: Path) -> None:
    write_agent(workspace, "worker", "Read, Bash")
    async with (
        FakeAnthropic(script) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,
    ):
        await peer.ok("initialize", INIT_FULL)
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        params = {"sessionId": sid, "prompt": [{"type": "text", "text": "delegate"}]}
        result = await peer.ok("session/prompt", params, timeout_s=60)
        assert result["stopReason"] == "end_turn"
        updates = [u["update"] for u in peer.updates(sid)]
        asked = list(peer.editor.permission_requests)
    peer.check_all()  # every frame passed the schema

    task = next(u for u in updates if u["sessionUpdate"] == "tool_call" and u.get("name") == "task")
    task_id = task["toolCallId"]
    assert task["kind"] == "think" and task["title"] == "Task worker: look"
    children = [
        u
        for u in updates
        if u["sessionUpdate"] == "tool_call" and u["toolCallId"].startswith(f"{task_id}/")
    ]
    assert [(c["kind"], c["title"].split(":")[0]) for c in children] == [
        ("read", "worker"),
        ("execute", "worker"),
    ]
    task_updates = [
        u
        for u in updates
        if u["sessionUpdate"] == "tool_call_update" and u["toolCallId"] == task_id
    ]
    progress = [
        c["content"]["text"]
        for u in task_updates
        for c in u.get("content", [])
        if c["type"] == "content"
    ]
    assert any(p.startswith("worker → Read") for p in progress), progress
    final = task_updates[-1]
    assert final["status"] == "completed"
    sub = final["rawOutput"]["subagent"]
    assert sub["agent"] == "worker" and sub["sessionId"].startswith("sub_")
    assert "calc has add and mul" in final["rawOutput"]["text"]
    # the child's bash asked the same person, for the parent's session, by the forwarded id
    assert len(asked) == 1
    assert asked[0]["sessionId"] == sid
    assert asked[0]["toolCall"]["toolCallId"] == children[1]["toolCallId"]
    # the child's output streamed under its forwarded id
    child_out = [
        c["content"]["text"]
        for u in updates
        if u["sessionUpdate"] == "tool_call_update" and u["toolCallId"] == children[1]["toolCallId"]
        for c in u.get("content", [])
        if c["type"] == "content"
    ]
    assert any("child-ran" in t for t in child_out) or any(
        u.get("rawOutput", {}).get("text", "").find("child-ran") >= 0
        for u in updates
        if u["sessionUpdate"] == "tool_call_update" and u["toolCallId"] == children[1]["toolCallId"]
    )
    assert len([b for b in fake.requests if agent_of(b) == "worker"]) == 3


def test_the_graph_plan_update_is_a_valid_session_update() -> None:
    nodes = [TaskNode("a", "explorer", "scan"), TaskNode("b", "reviewer", "review", ("a",))]
    graph = TaskGraph.build("goal", nodes)
    for states in (
        {"a": NodeState("a", "running"), "b": NodeState("b", "pending")},
        {"a": NodeState("a", "failed"), "b": NodeState("b", "skipped")},
    ):
        update = plan_event(graph, states).to_acp()
        validate("SessionNotification", {"sessionId": "sess_1", "update": update})
    assert update["entries"][0]["content"].startswith("[failed] a (explorer)")


SDK_DIR = REPO_ROOT / ".venv" / "node-acp" / "node_modules" / "@agentclientprotocol" / "sdk"
TS_CLIENT = Path(__file__).with_name("ts_subagents_client.mjs")


async def test_the_official_typescript_sdk_accepts_a_sub_agent_turn(workspace: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is required (scripts/dev.sh installs it)"
    assert json.loads((SDK_DIR / "package.json").read_text())["version"] == "2.4.0"
    write_agent(workspace, "worker", "Read, Bash")
    async with FakeAnthropic(script) as fake:
        proc = await asyncio.create_subprocess_exec(
            node, str(TS_CLIENT), str(SDK_DIR), str(workspace), sys.executable,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=agent_env(fake.base_url), cwd=REPO_ROOT,
        )  # fmt: skip
        async with asyncio.timeout(180):
            stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode(errors="replace")[-3000:]
    out = json.loads(stdout.decode().strip().splitlines()[-1])
    assert "error" not in out, (out.get("error"), stderr.decode(errors="replace")[-3000:])
    assert out["stopReason"] == "end_turn" and out["exit"] == 0
    calls_seen = [u for u in out["updates"] if u["sessionUpdate"] == "tool_call"]
    task_id = next(u["toolCallId"] for u in calls_seen if u.get("kind") == "think")
    forwarded = [u for u in calls_seen if u["toolCallId"].startswith(f"{task_id}/")]
    assert [u["kind"] for u in forwarded] == ["read", "execute"]
    [asked] = out["permissions"]
    assert asked["toolCall"]["toolCallId"] == forwarded[1]["toolCallId"]
