"""``plan_goal`` / ``run_graph`` / ``resume_graph`` through the real session and sub-agents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.core.agents.helpers import agent_of, node_of, write_agent
from tests.turns import Recorder, scripted_session
from zeph_tui.core.agents.planner import plan_goal, resume_graph, run_graph
from zeph_tui.core.errors import AgentError
from zeph_tui.core.events import Plan

TASKS = [
    {"id": "scan", "agent": "worker", "prompt": "[node scan] list modules", "deps": []},
    {"id": "docs", "agent": "worker", "prompt": "[node docs] read README", "deps": []},
    {"id": "sum", "agent": "worker", "prompt": "[node sum] summarise", "deps": ["scan", "docs"]},
]


def script_for(tasks: list[dict[str, Any]]) -> Any:
    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        system = body.get("system")
        text = system if isinstance(system, str) else "".join(b["text"] for b in system or [])
        if text.startswith("You split a software goal"):
            assert "- worker: test agent worker" in text
            plan = json.dumps({"strategy": "retry 1", "tasks": tasks})
            return {"blocks": [{"type": "text", "text": f"```json\n{plan}\n```"}]}
        assert agent_of(body) == "worker"
        return {"blocks": [{"type": "text", "text": f"done {node_of(body)}"}]}

    return script


async def test_plan_a_goal_and_run_it(runtime: Any, workspace: Path, anthropic_env: None) -> None:
    write_agent(workspace, "worker", "Read")
    sink = Recorder()
    async with scripted_session(runtime, workspace, script_for(TASKS), sink=sink) as (
        session,
        fake,
    ):
        graph = await plan_goal(session, "document the package")
        assert [n.id for n in graph.nodes] == ["scan", "docs", "sum"]
        assert str(graph.strategy) == "retry 1"
        record = await run_graph(session, graph)
        assert record.status == "completed" and record.parent_session == session.id
        # nothing left to resume
        with pytest.raises(AgentError, match="no unfinished"):
            await resume_graph(session)
    assert "done scan" in json.dumps(next(b for b in fake.requests if node_of(b) == "sum"))
    plans = sink.of(Plan)
    assert plans and all(len(p.entries) == 3 for p in plans)
    assert {e.status for e in plans[-1].entries} == {"completed"}
    assert session.usage.input_tokens == 10 * 4  # the planning call and 3 children, rolled up


async def test_a_plan_naming_unknown_agents_is_refused(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    write_agent(workspace, "worker", "Read")
    bad = [dict(TASKS[0], agent="wizard")]
    async with scripted_session(runtime, workspace, script_for(bad)) as (session, _fake):
        with pytest.raises(AgentError, match="unknown agents: wizard"):
            await plan_goal(session, "anything")
        with pytest.raises(AgentError, match="give a goal"):
            await plan_goal(session, "  ")
