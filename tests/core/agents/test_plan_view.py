"""The dashboard's graph view (the plan pane): a snapshot of a 6-node diamond and a pilot test.

The pilot types ``/plan GOAL`` into the real dashboard (fake Messages API): the
model's plan runs with sub-agents and the plan pane shows every node, completed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import TabbedContent

from tests.core.agents.helpers import agent_of, write_agent
from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.core.agents.graph import TaskGraph, TaskNode
from zeph_tui.core.agents.graph_runner import plan_event
from zeph_tui.core.agents.graph_store import NodeState
from zeph_tui.ui.widgets.plan_pane import PlanPane

DIAMOND = TaskGraph.build(
    "ship the parser",
    [
        TaskNode("spec", "explorer", "Read the grammar and list the cases"),
        TaskNode("lexer", "worker", "Write the lexer", ("spec",)),
        TaskNode("parser", "worker", "Write the parser", ("spec",)),
        TaskNode("docs", "worker", "Document the syntax", ("spec",)),
        TaskNode("tests", "test-runner", "Run the tests", ("lexer", "parser")),
        TaskNode("review", "reviewer", "Review the change", ("tests", "docs")),
    ],
    "skip",
)
STATES = {
    "spec": NodeState("spec", "completed"),
    "lexer": NodeState("lexer", "completed"),
    "parser": NodeState("parser", "running"),
    "docs": NodeState("docs", "failed"),
    "tests": NodeState("tests", "pending"),
    "review": NodeState("review", "skipped"),
}


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        pane = PlanPane()
        pane.set_plan(plan_event(DIAMOND, STATES).entries)
        yield pane


def test_snapshot_of_a_diamond_graph(snap_compare: Any) -> None:
    assert snap_compare(PaneApp(), terminal_size=(90, 10))


TASKS = [
    {"id": "a", "agent": "worker", "prompt": "[node a] start", "deps": []},
    {"id": "b", "agent": "worker", "prompt": "[node b] left", "deps": ["a"]},
    {"id": "c", "agent": "worker", "prompt": "[node c] right", "deps": ["a"]},
    {"id": "d", "agent": "worker", "prompt": "[node d] join", "deps": ["b", "c"]},
]


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    if "split a software goal" in json.dumps(body.get("system", "")):
        return {"blocks": [{"type": "text", "text": json.dumps({"tasks": TASKS})}]}
    who = agent_of(body) or "parent"
    return {"blocks": [{"type": "text", "text": f"{who} done"}]}


async def test_plan_in_the_dashboard_shows_the_graph(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    write_agent(workspace, "worker", "Read")
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "/plan build it")
        await pilot.press("enter")
        if app.prompt_input.text.strip():  # the first Enter took the completion
            await pilot.press("enter")
        pane = app.query_one(PlanPane)
        await wait_until(
            pilot,
            lambda: len(pane.entries) == 4 and all(e.status == "completed" for e in pane.entries),
            timeout_s=60,
        )
        assert app.query_one(TabbedContent).active == "tab-plan"
        await wait_until(pilot, lambda: "completed (4/4 tasks)" in screen_text(app))
        shown = screen_text(app)
        assert "d (worker, after b, c): [node d] join" in shown
        assert "a (worker): [node a] start" in shown
