"""Pilot tests of what a new user trips over in the dashboard's first hour (issue 15).

Completion that keeps ``[ID]`` and says it scrolls, Enter on a complete
completion, the reason on a denied call's pane, line counts that count an
open last line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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


async def test_ctrl_c_cancels_the_turn_then_clears_then_quits_on_the_second_press(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [bash("sleep 30"), {"blocks": [{"type": "text", "text": "stopped"}]}]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "wait")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.tool_panes.panes))
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.last_stop_reason == "cancelled")
        await app.workers.wait_for_complete()
        await type_text(pilot, "half a thought")
        await pilot.press("ctrl+c")
        assert app.prompt_input.text == ""
        assert app.return_code is None  # cleared, still running
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.return_code == 0)


async def test_one_ctrl_c_on_an_idle_prompt_only_says_how_to_quit(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: "press ctrl+c again to quit" in screen_text(app))
        assert app.return_code is None


async def test_ctrl_c_on_a_modal_is_escape(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [bash("touch made.txt"), {"blocks": [{"type": "text", "text": "fine"}]}]
    async with dashboard(script, workspace, runtime, mode="ask") as (app, pilot, _fake):
        await type_text(pilot, "make a file")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert not (workspace / "made.txt").exists()
        assert app.return_code is None


async def test_key_help_opens_on_f1_and_question_mark_and_lists_every_binding(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from zeph_tui.ui.keys import KEY_BINDINGS, PROMPT_KEYS
    from zeph_tui.ui.screens.key_help import KeyHelp

    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyHelp))
        await pilot.pause()
        shown = screen_text(app)
        for binding in KEY_BINDINGS:
            assert not isinstance(binding, tuple)
            assert binding.description in shown, binding
        for key, meaning in PROMPT_KEYS:
            assert meaning in shown, key
        assert "y allow" not in shown and "Allow once" in shown  # the modal's own bindings
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyHelp))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyHelp))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyHelp))
        await type_text(pilot, "why")
        await pilot.press("question_mark")
        assert app.prompt_input.text == "why?"  # not empty: ? is a character


async def test_permission_modal_at_80x24_keeps_its_buttons_with_a_long_diff() -> None:
    from textual.widgets import Button

    from zeph_tui.ui.demo import demo_app

    app = demo_app("permission_long")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PermissionModal))
        await pilot.pause()
        for button in app.screen.query(Button):
            region = button.region
            assert region.height >= 1 and region.bottom <= 24, button.id
        shown = screen_text(app)
        assert "Allow once (y)" in shown and "Deny (n)" in shown
        assert "lines, ↑↓ scroll" in shown
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, PermissionModal))


async def test_f4_after_resume_opens_the_sessions_stored_archive(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from textual.widgets import Log

    from zeph_tui.ui.screens.overflow_modal import OverflowModal

    script = [bash("seq 1 30000"), {"blocks": [{"type": "text", "text": "counted"}]}]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await type_text(pilot, "count")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        (pane,) = app.tool_panes.panes.values()
        await wait_until(pilot, lambda: pane.overflow_id is not None)
        archived = pane.overflow_id
    async with dashboard([], workspace, runtime, resume="") as (app, pilot, _fake):
        assert not any(p.overflow_id for p in app.tool_panes.panes.values())
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, OverflowModal))
        modal = app.screen
        assert isinstance(modal, OverflowModal) and modal.overflow_id == archived
        log = modal.query_one(Log)
        await wait_until(pilot, lambda: bool(log.lines))
        assert log.lines[0].split() == ["1", "1"]


async def test_f4_with_no_archive_in_the_session_says_so(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        await pilot.press("f4")
        await wait_until(
            pilot,
            lambda: any(n.message == "no archived output yet" for n in app._notifications),
        )


def test_readme_lists_every_dashboard_binding() -> None:
    """README's dashboard section names each key of the app's bindings."""
    from tests.conftest import REPO_ROOT
    from zeph_tui.ui.keys import KEY_BINDINGS

    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## The dashboard") : readme.index("## Slash commands")]
    for binding in KEY_BINDINGS:
        assert not isinstance(binding, tuple)
        for key in binding.key.split(","):
            shown = "+".join(
                part.capitalize() if len(part) > 1 else part.upper()
                for part in key.replace("escape", "esc").split("+")
            )
            assert f"`{shown}`" in section, (key, shown)


async def test_ctrl_g_edits_the_prompt_in_the_editor_and_does_not_send_it(
    workspace: Path, runtime: Any, anthropic_env: None, monkeypatch: Any, tmp_path: Path
) -> None:
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\ncp "$1" {seen}\nprintf "line one\\nline two\\n" > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "draft")
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: app.prompt_input.text == "line one\nline two")
        assert seen.read_text() == "draft"  # the editor got what was typed
        assert fake.requests == []


async def test_a_multi_line_paste_is_inserted_not_sent(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from textual import events

    async with dashboard(REPLY, workspace, runtime) as (app, pilot, fake):
        app.post_message(events.Paste("first line\nsecond line\n"))  # as the driver does
        await wait_until(pilot, lambda: "second line" in app.prompt_input.text)
        assert app.prompt_input.text == "first line\nsecond line\n"
        assert fake.requests == []


async def test_ctrl_f_finds_in_the_chat_next_and_previous(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from zeph_tui.ui.widgets.find_bar import FindBar

    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        for text in ("alpha one", "beta", "Alpha two"):
            app.chat.add_user(text)
        await pilot.pause()
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.focused, FindBar))
        bar = app.query_one(FindBar)
        await type_text(pilot, "ALPHA")
        await wait_until(pilot, lambda: bar.border_subtitle == "1/2")
        found = list(app.chat.query(".-found"))
        assert [w.text for w in found] == ["alpha one"]  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert bar.border_subtitle == "2/2"
        assert [w.text for w in app.chat.query(".-found")] == ["Alpha two"]  # type: ignore[attr-defined]
        await pilot.press("up")
        assert bar.border_subtitle == "1/2"
        await type_text(pilot, "zzz")
        await wait_until(pilot, lambda: bar.border_subtitle == "no match")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is app.prompt_input)
        assert not list(app.chat.query(".-found"))


async def test_a_long_turn_ends_with_osc_9_and_a_bell(
    workspace: Path, runtime: Any, anthropic_env: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(runtime.settings.dashboard, "notify_after_s", 1e-6)  # every turn is long
    async with dashboard(REPLY, workspace, runtime) as (app, pilot, _fake):
        written: list[str] = []
        driver = app._driver
        assert driver is not None
        monkeypatch.setattr(driver, "write", written.append)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
        await wait_until(pilot, lambda: any(w.startswith("\x1b]9;") for w in written))
        (notice,) = [w for w in written if w.startswith("\x1b]9;")]
        assert notice.startswith("\x1b]9;zeph-tui: turn ended (end_turn) after ")
        assert notice.endswith("\x07\a")


async def test_short_turns_and_zero_stay_silent(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from zeph_tui.ui.turn_notice import announce_turn_end

    async with dashboard(REPLY, workspace, runtime) as (app, _pilot, _fake):
        assert announce_turn_end(app, 9.9, "end_turn", 10.0) is None
        assert announce_turn_end(app, 3600.0, "end_turn", 0.0) is None
        assert announce_turn_end(app, 11.0, "cancelled", 10.0) is not None


def test_notify_after_is_a_checked_setting(zeph_home: Path) -> None:
    from zeph_tui.core.config import NOTIFY_AFTER_S, load_settings
    from zeph_tui.core.errors import ConfigError

    assert load_settings().dashboard.notify_after_s == NOTIFY_AFTER_S == 10.0
    (zeph_home / "config.toml").write_text("[dashboard]\nnotify_after_s = 0\n")
    assert load_settings().dashboard.notify_after_s == 0
    (zeph_home / "config.toml").write_text("[dashboard]\nnotify_after_s = -1\n")
    with pytest.raises(
        ConfigError, match=r"dashboard.notify_after_s = -1.*greater than or equal to 0"
    ):
        load_settings()
