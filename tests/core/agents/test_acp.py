"""Sub-agents over ACP: ``zeph-tui acp`` as a real process, every frame schema-validated.

The client (:class:`~tests.fixtures_acp.zeph_agent.ZephPeer`) validates each frame in both
directions against the official ACP v1 schema (``/work/shared/acp/schema.json``). A
sub-agent is a ``think`` tool call whose content streams the child's progress and whose
``rawOutput.subagent`` names the child's transcript; the child's own calls are tool calls of
their own (``<task id>/<child id>``), and its permission requests reach the same client
for the parent's session, naming the call by that id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.acp_schema import validate
from tests.core.agents.helpers import agent_of, write_agent
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
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
    assert sub["agent"] == "worker" and sub["sessionId"].startswith("sess_")
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
