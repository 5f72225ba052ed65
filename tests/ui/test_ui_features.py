"""Pilot tests of the complete dashboard: completion, slash commands, @mentions,
!commands, sessions and resume, checkpoints and /undo, full output paging."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Log

from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import calls
from tests.ui.test_ui_dashboard import agent_text, dashboard
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.ui import create_app
from zeph_tui.ui.screens.overflow_modal import OverflowModal
from zeph_tui.ui.screens.sessions_screen import SessionsScreen
from zeph_tui.ui.widgets.completion_list import CompletionList
from zeph_tui.ui.widgets.git_pane import GitPane
from zeph_tui.ui.widgets.user_message import UserMessage

REPLY = [{"blocks": [{"type": "text", "text": "ok"}]}]


async def test_slash_completion_and_mode_command(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime, mode="ask") as (app, pilot, _fake):
        await type_text(pilot, "/mo")
        completions = app.query_one(CompletionList)
        assert completions.shown
        assert completions.values == ["/model ", "/mode "]
        await pilot.press("down", "tab")
        assert app.prompt_input.text == "/mode "
        assert not completions.shown
        await type_text(pilot, "plan")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.status.mode == "plan")
        assert app.session is not None
        assert app.session.mode == "plan"
        stored = await runtime.store.sessions.get(app.session.id)
        assert stored.mode == "plan"


async def test_at_mention_completes_fuzzily_and_sends_the_file(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, fake):
        await wait_until(pilot, lambda: bool(app.controller.files.paths))
        await type_text(pilot, "explain @clc")
        completions = app.query_one(CompletionList)
        assert completions.shown
        assert completions.values[0] == "@pkg/calc.py "
        await pilot.press("tab")
        assert app.prompt_input.text == "explain @pkg/calc.py "
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        sent = "".join(
            block.get("text", "") for block in fake.requests[0]["messages"][0]["content"]
        )
        assert "explain @pkg/calc.py" in sent
        assert "def mul(a: int, b: int) -> int:" in sent  # the file's content went along


async def test_history_and_multiline_input(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [*REPLY, {"blocks": [{"type": "text", "text": "again"}]}]
    async with dashboard(script, workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "line one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "line two")
        assert app.prompt_input.text == "line one\nline two"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        assert fake.requests[0]["messages"][0]["content"][0]["text"] == "line one\nline two"
        await pilot.press("up")
        assert app.prompt_input.text == "line one\nline two"
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: len(fake.requests) == 2 and app.last_stop_reason == "end_turn"
        )
        assert [w.text for w in app.query(UserMessage)] == ["line one\nline two"] * 2


async def test_bang_command_runs_in_a_tool_pane(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "!printf 'a\\nb\\n' && ls pkg")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                "shell_1" in app.tool_panes.panes
                and app.tool_panes.panes["shell_1"].status == "completed"
            ),
        )
        pane = app.tool_panes.panes["shell_1"]
        assert pane.shown_text.split("\n")[:4] == ["a", "b", "__init__.py", "calc.py"]
        assert fake.requests == []  # the model was not involved


async def test_resume_latest_session_shows_history(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [{"blocks": [{"type": "text", "text": "The answer is **42**."}]}]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "what is the answer")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        first_id = app.session.id if app.session else ""
    async with dashboard([], workspace, runtime, resume="") as (app, pilot, _fake):
        assert app.session is not None
        assert app.session.id == first_id
        await wait_until(pilot, lambda: "The answer is **42**." in agent_text(app))
        assert [w.text for w in app.query(UserMessage)] == ["what is the answer"]
        assert app.title == "what is the answer"


async def test_sessions_screen_resumes_and_starts_new(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        {"blocks": [{"type": "text", "text": "first reply"}]},
        {"blocks": [{"type": "text", "text": "second reply"}]},
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "first session")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        first = app.session
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.session is not first and app.session is not None)
        assert not list(app.query(UserMessage))
        app.last_stop_reason = None
        await type_text(pilot, "second session")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
        text = screen_text(app)
        assert "first session" in text and "second session" in text
        await pilot.press("down", "enter")  # most recent first: row 2 is the first session
        await wait_until(
            pilot,
            lambda: app.session is not None and first is not None and app.session.id == first.id,
        )
        await wait_until(pilot, lambda: "first reply" in agent_text(app))
        assert [w.text for w in app.query(UserMessage)] == ["first session"]


async def test_undo_restores_the_checkpoint_taken_before_the_edit(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        calls(
            (
                "edit_file",
                {"path": "pkg/calc.py", "old_string": "return a * b", "new_string": "return 0"},
            ),
            ("write_file", {"path": "pkg/extra.py", "content": "X = 1\n"}),
        ),
        {"blocks": [{"type": "text", "text": "Changed."}]},
    ]
    original = (workspace / "pkg/calc.py").read_text()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=True
    ).stdout
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "break it")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        assert "return 0" in (workspace / "pkg/calc.py").read_text()
        assert (workspace / "pkg/extra.py").exists()
        assert app.controller.checkpoints_made == 1
        await wait_until(pilot, lambda: "calc.py" in app.query_one(GitPane).diff_text)
        await pilot.press("f8")
        await wait_until(pilot, lambda: "Undo: restored checkpoint 1" in screen_text(app))
        assert (workspace / "pkg/calc.py").read_text() == original
        assert not (workspace / "pkg/extra.py").exists()
        await wait_until(pilot, lambda: app.query_one(GitPane).diff_text == "")
        await pilot.press("f8")
        await wait_until(pilot, lambda: "Undo: no checkpoint" in screen_text(app))
    assert (
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=True
        ).stdout
        == head
    )


async def test_open_full_output_pages_the_archive(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        {
            "blocks": [
                {"type": "tool_use", "name": "bash", "input": {"command": "seq -f 'row-%g' 0 9999"}}
            ]
        },
        {"blocks": [{"type": "text", "text": "done"}]},
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "rows")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        (pane,) = app.tool_panes.panes.values()
        await wait_until(pilot, lambda: pane.overflow_id is not None)
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, OverflowModal))
        modal = app.screen
        assert isinstance(modal, OverflowModal)
        log = modal.query_one(Log)
        await wait_until(pilot, lambda: len(log.lines) > 0)
        assert log.lines[0].split() == ["1", "row-0"]  # numbered from 1
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: log.lines[0].split() == ["501", "row-500"])
        await pilot.press("slash")
        await type_text(pilot, "row-999[0-9]$")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: bool(log.lines) and log.lines[0].split() == ["9991", "row-9990"]
        )
        assert len([line for line in log.lines if line]) == 10
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, OverflowModal))


async def test_no_provider_shows_an_error_instead_of_crashing(
    workspace: Path, runtime: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ZEPH_PROVIDER", "nonsense")
    app = create_app(workspace, runtime=runtime)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: app.status.failure.startswith("cannot open a session"))
        assert "nonsense" in app.status.failure
        assert app.session is None


async def test_fake_is_closed_cleanly(
    workspace: Path, runtime: Any, anthropic_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Quitting the dashboard with Ctrl+Q, then closing the provider and the fake, leaves nothing behind.

    Checked: the app exits with code 0, its session is released, no asyncio task started
    during the test is still alive, the fake's server stopped, and nothing was logged at
    WARNING or above (no traceback, no connection reset).
    """
    before = asyncio.all_tasks()
    async with FakeAnthropic(REPLY) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )
        app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass")
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: app.session is not None)
            await type_text(pilot, "hi")
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
            await pilot.press("ctrl+q")  # quit as a user does
        await provider.aclose()
    assert len(fake.requests) == 1
    assert app.return_code == 0
    await asyncio.sleep(0)  # let cancelled tasks finish their last step
    left = {t for t in asyncio.all_tasks() - before if t is not asyncio.current_task()}
    assert not left, left
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not problems, [r.getMessage() for r in problems]


async def test_bang_command_goes_through_the_bash_tool_redacted_archived_and_killed_by_esc(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    """``!cmd`` is the core bash tool: secrets redacted, output archived, Esc kills the group."""
    import os

    key = "sk-ant-api03-" + "Q" * 80 + "-abcdefAA"
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, f"!echo {key}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "shell_1" in app.tool_panes.panes)
        pane = app.tool_panes.panes["shell_1"]
        await wait_until(pilot, lambda: pane.status == "completed")
        assert "[REDACTED:anthropic_key]" in pane.shown_text
        assert key not in pane.shown_text
        assert app.session is not None
        (info,) = [
            a for a in await runtime.store.archive.list(limit=10) if a.tool_call_id == "shell_1"
        ]
        page = await runtime.store.archive.read(info.id)
        assert key not in "".join(text for _n, text in page.lines)
        await type_text(pilot, "!sleep 30 & echo $! > bg.pid; wait")
        await pilot.press("enter")
        await wait_until(pilot, lambda: (workspace / "bg.pid").exists())
        # host-side PID: inside the shell sandbox ``$!`` is a PID of its own namespace
        (child,) = host_descendants(os.getpid(), b"sleep\x0030\x00")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.tool_panes.panes["shell_2"].status == "failed")
        await wait_until(pilot, lambda: not os.path.exists(f"/proc/{child}"), timeout_s=5)
        assert fake.requests == []


async def test_palette_runs_dashboard_actions_by_name(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    """Ctrl+P entries are action strings; picking one runs it (here a registry command)."""
    from textual.actions import parse

    from zeph_tui.ui.palette import palette_actions

    async with dashboard(REPLY, workspace, runtime, mode="ask") as (app, pilot, _fake):
        for _name, _help, action in palette_actions():
            assert callable(getattr(app, f"action_{parse(action)[1]}", None)), action
        await pilot.press("ctrl+p")
        await type_text(pilot, "Mode: plan")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session is not None and app.session.mode == "plan")
        await wait_until(pilot, lambda: "Mode set to plan." in screen_text(app))
        assert app.status.mode == "plan"


def host_descendants(root_pid: int, cmdline: bytes) -> list[int]:
    """PIDs (host namespace) of live descendants of ``root_pid`` whose cmdline is ``cmdline``."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root_pid:
                return True
        return False

    return [pid for pid, cmd in commands.items() if cmd == cmdline and descends(pid)]
