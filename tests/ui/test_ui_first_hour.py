"""Pilot tests of what a new user trips over in the dashboard's first hour (issue 15).

Completion that keeps ``[ID]`` and says it scrolls, Enter on a complete
completion, the reason on a denied call's pane, line counts that count an
open last line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.ui.screens.permission_modal import PermissionModal
from zeph_tui.ui.widgets.completion_list import CompletionList

REPLY = [{"blocks": [{"type": "text", "text": "ok"}]}]


def bash(command: str) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}]}


async def test_completion_keeps_brackets_and_says_it_scrolls(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "/")
        completions = app.query_one(CompletionList)
        await wait_until(pilot, lambda: completions.shown)
        count = len(completions.values)
        assert count > CompletionList.VISIBLE_ROWS
        assert completions.border_subtitle == f"{count} · ↑↓ scroll"
        await pilot.pause()
        assert "/model [ID]" in screen_text(app)
        await type_text(pilot, "mo")
        await wait_until(pilot, lambda: len(completions.values) == 2)
        assert completions.border_subtitle == ""


async def test_enter_on_a_complete_command_runs_it(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "/undo")
        completions = app.query_one(CompletionList)
        await wait_until(pilot, lambda: completions.shown)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Undo: no checkpoint" in screen_text(app))
        assert app.prompt_input.text == ""
        assert not completions.shown


async def test_enter_on_a_partial_command_accepts_the_completion(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "/und")
        await wait_until(pilot, lambda: app.query_one(CompletionList).shown)
        await pilot.press("enter")
        assert app.prompt_input.text == "/undo "


async def test_a_denied_call_pane_says_who_denied_it_and_why(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [bash("touch made.txt"), {"blocks": [{"type": "text", "text": "fine"}]}]
    async with dashboard(script, workspace, runtime, mode="ask") as (app, pilot, _fake):
        await type_text(pilot, "make a file")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        (pane,) = app.tool_panes.panes.values()
        assert pane.status == "failed"
        assert "permission rejected: the user did not approve" in pane.shown_text


async def test_a_pane_counts_an_open_last_line(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [bash("printf 'no newline'"), {"blocks": [{"type": "text", "text": "done"}]}]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "print")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        await app.workers.wait_for_complete()
        (pane,) = app.tool_panes.panes.values()
        assert pane.shown_text == "no newline"
        assert str(pane._marker.render()).startswith("1 line, 10 B")
