"""The dashboard controller is Textual-free and drives a real session without a screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from zeph_tui.core import find_command
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.ui.controller import AppConfig, DashboardController


def test_controller_imports_no_textual_or_rich() -> None:
    code = (
        "import sys, zeph_tui.ui.controller\n"
        "print('UI=' + ','.join(m for m in ('textual', 'rich') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.rsplit("UI=", 1)[1].strip() == ""


class RecordingView:
    """A DashboardView that keeps what it was asked to show."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.toasts: list[str] = []
        self.opened: list[str] = []
        self.cleared = 0

    def notify_person(self, message: str, *, title: str = "", severity: str = "") -> None:
        self.toasts.append(message)

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def shell_unconfined(self, notice: Any) -> None:
        self.toasts.append(notice.text)

    def reply(self, text: str) -> None:
        self.notices.append(text)

    def session_opened(self, session: Any) -> None:
        self.opened.append(session.id)

    def conversation_cleared(self) -> None:
        self.cleared += 1

    def provider_changed(self, provider: Any) -> None: ...

    def show_pane(self, pane: str) -> None: ...

    def refresh_git(self) -> None: ...

    async def choose_session(self, records: list[Any], current_id: str) -> str | None:
        return None

    async def ask_person(self, request: Any) -> Any:
        raise AssertionError(f"not asked in these tests: {request}")

    def quit(self) -> None: ...

    def turn_started(self, text: str) -> None: ...

    def turn_ended(self) -> None: ...

    def warming_changed(self, warming: list[str], failure: str) -> None: ...


async def test_controller_runs_turns_commands_and_the_bash_tool(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from tests.turns import AllowAll, Recorder

    async with FakeAnthropic([{"blocks": [{"type": "text", "text": "hi"}]}]) as fake:
        provider = AnthropicProvider(model="claude-sonnet-4-6", base_url=fake.base_url)
        view = RecordingView()
        sink = Recorder()
        controller = DashboardController(
            AppConfig(workspace, runtime=runtime, provider=provider), view, sink, AllowAll()
        )
        session = await controller.open(None)
        assert session is not None and view.opened == [session.id]
        assert await controller.run_turn("hello") == "end_turn"
        await controller.run_command("/clear")
        assert view.notices[-1] == "Conversation cleared (2 messages hidden from the context)."
        assert view.cleared == 1 and session.history == []
        await controller.run_command("/nope")
        assert view.toasts[-1].startswith("unknown command /nope; try /help, /model")
        first = await controller.run_shell("echo $((6*7)); exit 3")
        assert first == "exit code 3"
        archived = await runtime.store.archive.list(limit=5)
        assert any(a.tool_call_id == "shell_1" and a.session_id == session.id for a in archived)
        undo = find_command("undo")
        assert undo is not None
        assert controller.completions("/un", "/un") == [("/undo ", f"/undo — {undo.description}")]
        controller.files.refresh()
        assert ("@pkg/calc.py ", "pkg/calc.py") in (
            controller.completions("see @calc", "@calc") or []
        )
        assert controller.completions("plain words", "words") is None
        await controller.aclose()
        await provider.aclose()
