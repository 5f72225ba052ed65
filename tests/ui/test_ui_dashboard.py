"""Pilot tests of the dashboard driving the real session, the real anthropic
provider and SQLite, against the scripted fake Messages API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import only_result, use
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.ui import create_app
from zeph_tui.ui.app import ZephApp
from zeph_tui.ui.screens.permission_modal import PermissionModal
from zeph_tui.ui.widgets.agent_message import AgentMessage, StoredReply
from zeph_tui.ui.widgets.tool_block import ToolBlock


@asynccontextmanager
async def dashboard(
    script: Any, workspace: Path, runtime: Any, *, mode: str = "bypass", **kw: Any
) -> AsyncIterator[tuple[ZephApp, Any, FakeAnthropic]]:
    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )
        app = create_app(workspace, runtime=runtime, provider=provider, mode=mode, **kw)
        try:
            async with app.run_test(size=(140, 40)) as pilot:
                await wait_until(pilot, lambda: app.session is not None)
                yield app, pilot, fake
        finally:
            await provider.aclose()


def agent_text(app: ZephApp) -> str:
    """The replies' text, streamed (:class:`AgentMessage`) and resumed (:class:`StoredReply`)."""
    return "".join(w.text for w in app.query(AgentMessage)) + "".join(
        w.text for w in app.query(StoredReply)
    )


async def test_prompt_streams_reply_and_fills_a_tool_pane(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        {
            "blocks": [
                {"type": "text", "text": "Counting **now**."},
                {"type": "tool_use", "name": "bash", "input": {"command": "seq 1 30000"}},
            ]
        },
        {"blocks": [{"type": "text", "text": "Done: the last line was 30000."}]},
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "count to 30000")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        await wait_until(pilot, lambda: "last line was 30000" in agent_text(app))
        assert agent_text(app).startswith("Counting **now**.")
        assert fake.requests[0]["messages"][0]["content"][0]["text"] == "count to 30000"
        (pane,) = app.tool_panes.panes.values()
        assert pane.status == "completed"
        assert pane.total_lines == 30000
        shown = pane.shown_text.splitlines()
        assert len(shown) <= 2001
        assert "30000" in shown
        assert "1" not in shown[:5]  # the head was dropped from the pane (kept in the archive)
        await wait_until(pilot, lambda: pane.overflow_id is not None)
        info = await runtime.store.archive.info(pane.overflow_id)
        assert info.total_lines == 30000
        assert pane.archived_bytes == info.total_bytes
        marker = str(pane._marker.render())
        assert f"overflow_id={pane.overflow_id}" in marker
        assert "archived" in marker
        assert app.status.input_tokens > 0
        assert app.status.provider == "anthropic"
        assert app.chat.tool_blocks[pane.tool_call_id].status == "completed"


def modal_text(app: ZephApp) -> str:
    assert isinstance(app.screen, PermissionModal)
    return screen_text(app)


async def test_permission_modal_allow_once_applies_the_edit(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        use("edit_file", path="pkg/calc.py", old_string="return a * b", new_string="return b * a"),
        {"blocks": [{"type": "text", "text": "Edited."}]},
    ]
    async with dashboard(script, workspace, runtime, mode="ask") as (app, pilot, fake):
        await type_text(pilot, "swap mul")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        shown = modal_text(app)
        assert "-    return a * b" in shown
        assert "+    return b * a" in shown
        assert "a/pkg/calc.py" in shown  # relative path, never the tmp path
        assert "“Always” covers: edit_file on pkg/calc.py" in shown
        await pilot.press("y")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert app.last_stop_reason == "end_turn"
        assert "return b * a" in (workspace / "pkg/calc.py").read_text()
        assert "Edited pkg/calc.py" in only_result(fake.requests[1])["text"]
        (block,) = app.query(ToolBlock)
        assert block.status == "completed"
        assert block.diffs


async def test_permission_modal_deny_blocks_the_command(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "bash",
                    "input": {"command": "touch created_by_agent.txt"},
                }
            ]
        },
        {"blocks": [{"type": "text", "text": "Understood, not creating it."}]},
    ]
    async with dashboard(script, workspace, runtime, mode="ask") as (app, pilot, fake):
        await type_text(pilot, "make a file")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        shown = modal_text(app)
        assert "$ touch created_by_agent.txt" in shown
        assert "commands starting with 'touch'" in shown
        await pilot.press("n")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert not (workspace / "created_by_agent.txt").exists()
        assert "permission rejected" in only_result(fake.requests[1])["text"]
        (block,) = app.query(ToolBlock)
        assert block.status == "failed"
        assert "not creating it" in agent_text(app)


async def test_permission_always_is_remembered_for_the_scope(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": "touch one.txt"}}]},
        {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": "touch two.txt"}}]},
        {"blocks": [{"type": "text", "text": "Both made."}]},
    ]
    async with dashboard(script, workspace, runtime, mode="ask") as (app, pilot, _fake):
        await type_text(pilot, "two files")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        await pilot.press("a")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert (workspace / "one.txt").exists()
        assert (workspace / "two.txt").exists()
        assert not isinstance(app.screen, PermissionModal)
