"""The dashboard's sub-agent pane, under the plan: a pilot test through a real turn."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tests.core.agents.helpers import agent_of, write_agent
from tests.ui.test_ui_dashboard import dashboard
from tests.ui.test_ui_panes import send
from tests.ui_helpers import screen_text, wait_until
from zeph_tui.core.agents.host import ChildRun, SubAgents
from zeph_tui.core.providers.base import Usage
from zeph_tui.core.tools.task_tool import TaskTool
from zeph_tui.ui.widgets.subagents_pane import SubAgentsPane


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    agent = agent_of(body)
    if agent is None:
        if len(body["messages"]) == 1:
            uses = [("alpha", "look"), ("beta", "check")]
            return {
                "blocks": [
                    {"type": "tool_use", "name": "task", "input": {"agent": a, "prompt": p}}
                    for a, p in uses
                ]
            }
        return {"blocks": [{"type": "text", "text": "both answered"}]}
    if len(body["messages"]) == 1:
        return {
            "blocks": [{"type": "tool_use", "name": "read_file", "input": {"path": "README.md"}}]
        }
    return {"blocks": [{"type": "text", "text": f"{agent} read the README"}]}


async def test_the_pane_lists_sub_agents_and_opens_a_transcript(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    write_agent(workspace, "alpha", "Read")
    write_agent(workspace, "beta", "Read")
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        pane = app.query_one(SubAgentsPane)
        assert not pane.has_class("-active")  # hidden before any sub-agent
        await send(app, pilot, "split it")
        app.show_tab("plan")
        await wait_until(pilot, lambda: len(pane.rows()) == 2 and pane.has_class("-active"))
        pane.refresh_runs()  # what the next refresh would draw, without waiting for it
        await pilot.pause()
        rows = {r[1]: r for r in pane.rows()}
        assert rows["alpha"][2] == "completed" and rows["alpha"][3] == "20/10"
        assert rows["beta"][4].startswith("$0.0")
        shown = screen_text(app)
        assert "Sub-agents" in shown and "alpha" in shown and "20/10" in shown
        table = pane.query_one(DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "read the README" in screen_text(app))
        assert pane.selected == rows[pane.rows()[1][1]][5]
        assert "→ read_file" in screen_text(app)


class PaneApp(App[None]):
    """The pane alone, over a real host whose runs are set by the test (for the snapshot)."""

    def __init__(self, runs: list[ChildRun]) -> None:
        super().__init__()
        host = SubAgents(_no_children, workspace=Path("."), zeph_home=Path("."))
        host.runs = runs
        self.session = SimpleNamespace(tools={"task": TaskTool(host)})

    def compose(self) -> ComposeResult:
        pane = SubAgentsPane()
        pane.session = self.session  # type: ignore[assignment]
        yield pane


async def _no_children(**kwargs: Any) -> Any:
    raise AssertionError("the snapshot starts no child")


def test_snapshot_of_the_pane(snap_compare: Any) -> None:
    runs = [
        ChildRun(
            "sess_0a1b2c3d4e5f6a7b",
            "explorer",
            "toolu_1",
            "completed",
            0.0,
            1.0,
            Usage(1840, 212),
            0.00870,
        ),
        ChildRun(
            "sess_1b2c3d4e5f6a7b8c",
            "test-runner",
            "toolu_2",
            "running",
            0.0,
            None,
            Usage(960, 40),
            0.00348,
        ),
        ChildRun(
            "sess_2c3d4e5f6a7b8c9d",
            "reviewer",
            "toolu_3",
            "failed",
            0.0,
            2.0,
            Usage(400, 10),
            0.00135,
        ),
    ]

    async def settle(pilot: Any) -> None:
        pilot.app.query_one(SubAgentsPane).refresh_runs()
        await pilot.pause()

    assert snap_compare(PaneApp(runs), terminal_size=(90, 12), run_before=settle)
