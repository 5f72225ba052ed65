"""The dashboard app and its factory (one factory for the CLI and the tests).

Data flow: the session's events go to :class:`~zeph_tui.ui.bridge.UiSink`,
which queues them in an :class:`~zeph_tui.ui.feed.EventFeed`; a frame timer
(30 Hz, paused while idle) drains the feed and applies one batch of
operations to the widgets. Permission requests arrive as
:class:`~zeph_tui.ui.bridge.PermissionRequested` messages carrying a future
that the :class:`~zeph_tui.ui.screens.permission_modal.PermissionModal`
resolves. Turns run in an exclusive worker; Escape cancels them.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Header, TabbedContent, TabPane

from zeph_tui.core.events import (
    CurrentModeUpdate,
    DiffContent,
    Event,
    Plan,
    SessionInfoUpdate,
    TextContent,
    ToolCall,
    ToolCallUpdate,
    UsageUpdate,
)
from zeph_tui.core.ports import PermissionOutcome
from zeph_tui.ui.bridge import PermissionRequested, UiApprover, UiSink
from zeph_tui.ui.feed import AgentText, EventFeed, FeedOp, ThoughtText, ToolOutput
from zeph_tui.ui.history import render_history
from zeph_tui.ui.screens.permission_modal import PermissionModal
from zeph_tui.ui.widgets.chat_log import ChatLog
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.prompt_input import PromptInput
from zeph_tui.ui.widgets.status_bar import StatusBar
from zeph_tui.ui.widgets.tool_pane import ToolPane
from zeph_tui.ui.widgets.tool_panes import ToolPanes

if TYPE_CHECKING:
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.runtime import Runtime
    from zeph_tui.core.session import Session

__all__ = ["AppConfig", "ZephApp", "create_app"]

log = logging.getLogger(__name__)

_OVERFLOW_RE = re.compile(r"overflow_id=(ovf_[0-9a-f]{12})")
_FRAME_S = 1 / 30


@dataclass(slots=True)
class AppConfig:
    """What the dashboard starts with.

    Attributes:
        workspace: the repository to work in.
        provider_name / model: overrides (``--provider`` / ``--model``).
        mode: permission mode (``bypass`` for ``--yes``); None = config default.
        resume: None = new session; '' = latest in this workspace; else a session id.
        runtime: an already started runtime (tests); None = start one, owned by the app.
        provider: a provider instance (tests); None = resolve from the runtime.
        start_session: False for the snapshot scenes, which feed events by hand.
        max_output_lines: lines kept per tool pane.
    """

    workspace: Path
    provider_name: str | None = None
    model: str | None = None
    mode: str | None = None
    resume: str | None = None
    runtime: Runtime | None = None
    provider: Provider | None = None
    start_session: bool = True
    max_output_lines: int = 2000


class ZephApp(App[int]):
    """The zeph-tui dashboard."""

    TITLE = "zeph-tui"
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's own type)
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel_turn", "Cancel turn"),
        Binding("f2", "sessions", "Sessions"),
        Binding("f3", "toggle_panes", "Panes"),
        Binding("f4", "open_output", "Full output"),
        Binding("f6", "undo", "Undo"),
        Binding("ctrl+n", "new_session", "New"),
    ]

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        self.config = config
        self.workspace = config.workspace.resolve()
        self.runtime: Runtime | None = config.runtime
        self._owns_runtime = config.runtime is None
        self.provider: Provider | None = config.provider
        self._owns_provider = config.provider is None
        self.session: Session | None = None
        self.feed = EventFeed(config.max_output_lines)
        self.sink = UiSink(self.feed, self._wake, self._before_edit)
        self.approver = UiApprover(self.post_message)
        self._frame: Timer | None = None
        self._frame_running = False
        self._loop_thread = threading.get_ident()
        self.last_stop_reason: str | None = None
        self.call_kinds: dict[str, str] = {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="main"):
            with Vertical(id="chat-column"):
                yield ChatLog(workspace=self.workspace, id="chat")
                yield PromptInput(id="prompt")
            with TabbedContent(id="side"):
                with TabPane("Tools", id="tab-tools"):
                    yield ToolPanes(max_lines=self.config.max_output_lines, id="tool-panes")
                with TabPane("Plan", id="tab-plan"):
                    yield PlanPane(id="plan")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def chat(self) -> ChatLog:
        return self.query_one("#chat", ChatLog)

    @property
    def tool_panes(self) -> ToolPanes:
        return self.query_one("#tool-panes", ToolPanes)

    @property
    def status(self) -> StatusBar:
        return self.query_one("#status", StatusBar)

    @property
    def prompt_input(self) -> PromptInput:
        return self.query_one("#prompt", PromptInput)

    def on_mount(self) -> None:
        self._frame = self.set_interval(_FRAME_S, self.flush, pause=True)
        self.sub_title = self.workspace.name
        self.prompt_input.focus()
        if self.config.start_session:
            self.open_session(self.config.resume)

    async def on_unmount(self) -> None:
        if self.session is not None:
            self.session.cancel()
        if self.provider is not None and self._owns_provider:
            await self.provider.aclose()
        if self.runtime is not None and self._owns_runtime:
            await self.runtime.aclose()

    # ------------------------------------------------------------------ session

    @work(exclusive=True, group="session")
    async def open_session(self, resume: str | None = None) -> None:
        """Open a new session, or resume ``resume`` ('' = the latest in this workspace)."""
        from zeph_tui.core.errors import ZephError

        try:
            if self.runtime is None:
                from zeph_tui.core.runtime import Runtime

                self.runtime = await Runtime.start(
                    provider=self.config.provider_name, model=self.config.model
                )
            if self.provider is None:
                self.provider = self.runtime.build_provider()
            self._hook_progress(self.provider)
            session_id = resume or None
            if resume == "":
                latest = await self.runtime.store.sessions.list(cwd=str(self.workspace), limit=1)
                session_id = latest[0].id if latest else None
            if self.session is not None:
                self.session.cancel()
            self.session = await self.runtime.open_session(
                workspace=self.workspace,
                sink=self.sink,
                approver=self.approver,
                mode=self.config.mode,
                session_id=session_id,
                provider=self.provider,
            )
        except ZephError as exc:
            self.status.provider = "no provider"
            self.notify(str(exc), title="Cannot open a session", severity="error", timeout=30)
            return
        self._show_session()

    def _show_session(self) -> None:
        session = self.session
        assert session is not None
        self.chat.clear()
        self.tool_panes.clear()
        self.call_kinds.clear()
        if session.history:
            render_history(self.chat, session.history)
        status = self.status
        status.provider = session.provider.name
        status.model = session.provider.model
        status.mode = session.mode
        self._apply_usage(session.usage_update())
        self.title = session.title or "zeph-tui"

    def _hook_progress(self, provider: Provider) -> None:
        """Show the local model's loading progress (its optional ``on_progress`` hook)."""
        if hasattr(provider, "on_progress"):
            provider.on_progress = self._on_provider_progress

    def _on_provider_progress(self, line: str) -> None:
        if threading.get_ident() == self._loop_thread:
            self.status.progress = line
        else:
            self.call_from_thread(setattr, self.status, "progress", line)

    # ------------------------------------------------------------------ turns

    @on(PromptInput.Submitted)
    def _on_submitted(self, event: PromptInput.Submitted) -> None:
        self.submit(event.text)

    def submit(self, text: str) -> None:
        """Send ``text`` as a prompt (slash commands and ``!cmd`` are handled later)."""
        if self.session is None:
            self.notify("No session yet", severity="warning")
            return
        self.chat.add_user(text)
        self.run_turn(text)

    @work(exclusive=True, group="turn")
    async def run_turn(self, text: str) -> None:
        """Run one prompt turn to its end; errors become a notice, never a crash."""
        from zeph_tui.core.errors import ZephError

        session = self.session
        assert session is not None
        self.sink.new_turn()
        self.status.busy = True
        try:
            self.last_stop_reason = await session.prompt([text])
        except ZephError as exc:
            self.last_stop_reason = "error"
            self.chat.add_notice(f"error: {exc}")
            self.notify(str(exc), title="Turn failed", severity="error", timeout=15)
        finally:
            self.flush()
            self.status.busy = False
            self.status.progress = ""
        if self.last_stop_reason not in ("end_turn", "error"):
            self.chat.add_notice(f"turn ended: {self.last_stop_reason}")

    def action_cancel_turn(self) -> None:
        if self.session is not None:
            self.session.cancel()

    async def _before_edit(self) -> None:
        """Hook before the first editing tool call of a turn (checkpoints plug in here)."""

    # ------------------------------------------------------------------ frames

    def _wake(self) -> None:
        if not self._frame_running and self._frame is not None:
            self._frame_running = True
            self._frame.resume()

    def flush(self) -> None:
        """Apply every queued event to the widgets (one frame's worth)."""
        ops = self.feed.drain()
        if not ops:
            if self._frame is not None and self._frame_running:
                self._frame.pause()
                self._frame_running = False
            return
        for op in ops:
            self._apply(op)

    def _apply(self, op: FeedOp) -> None:
        if isinstance(op, AgentText):
            self.chat.append_agent(op.text, op.message_id)
        elif isinstance(op, ThoughtText):
            self.chat.append_thought(op.text, op.message_id)
        elif isinstance(op, ToolOutput):
            pane = self.tool_panes.panes.get(op.tool_call_id)
            if pane is None:
                pane = self.tool_panes.add(op.tool_call_id, op.tool_call_id)
            pane.append(op.tail)
        else:
            self._apply_event(op)

    def _apply_event(self, event: Event) -> None:
        if isinstance(event, ToolCall):
            self._apply_tool_call(event)
        elif isinstance(event, ToolCallUpdate):
            self._apply_tool_update(event)
        elif isinstance(event, UsageUpdate):
            self._apply_usage(event)
        elif isinstance(event, Plan):
            self.query_one("#plan", PlanPane).set_plan(event.entries)
        elif isinstance(event, CurrentModeUpdate):
            self.status.mode = event.mode_id
        elif isinstance(event, SessionInfoUpdate):
            self.title = event.title

    def _apply_tool_call(self, call: ToolCall) -> None:
        self.call_kinds[call.tool_call_id] = call.kind
        self.chat.add_tool(call)
        pane = self.tool_panes.add(call.tool_call_id, call.title)
        pane.status = call.status

    def _apply_tool_update(self, update: ToolCallUpdate) -> None:
        block = self.chat.tool_blocks.get(update.tool_call_id)
        pane = self.tool_panes.panes.get(update.tool_call_id)
        if update.title is not None and pane is not None:
            pane.heading = update.title
        for item in update.content or ():
            if isinstance(item, DiffContent) and block is not None:
                block.add_diff(item)
            elif isinstance(item, TextContent) and pane is not None:
                pane.append_text(item.text)
        if update.status is not None:
            if block is not None:
                block.set_status(update.status)
            if pane is not None:
                pane.status = update.status
        if update.raw_output is not None:
            text = str(update.raw_output.get("text", ""))
            if block is not None:
                block.set_result(text)
            if pane is not None and update.status in ("completed", "failed"):
                if pane.total_bytes == 0 and text and not self._streams(update.tool_call_id):
                    pane.append_text(text if text.endswith("\n") else text + "\n")
                if self.call_kinds.get(update.tool_call_id) == "execute":
                    self.find_archive(pane, text)

    def _streams(self, tool_call_id: str) -> bool:
        return self.call_kinds.get(tool_call_id) == "execute"

    def _apply_usage(self, usage: UsageUpdate) -> None:
        status = self.status
        status.input_tokens = usage.input_tokens
        status.output_tokens = usage.output_tokens
        status.cost_usd = usage.cost_usd
        status.context_percent = usage.fill_percent

    @work(group="archive")
    async def find_archive(self, pane: ToolPane, result_text: str) -> None:
        """Find the archive of a command's output and show the marker on its pane.

        The model's copy names ``overflow_id=…`` when it was truncated; the
        completed update carries only the start of that text, so the archive
        row of this tool call is looked up in the store as well.
        """
        if self.runtime is None or self.session is None:
            return
        match = _OVERFLOW_RE.search(result_text)
        infos = await self.runtime.store.archive.list(limit=50)
        for info in infos:
            if info.tool_call_id == pane.tool_call_id and info.session_id == self.session.id:
                limit = self.session.options.model_copy_limit_bytes
                if match or info.total_bytes > limit:
                    pane.set_archive(info.id, info.total_bytes)
                return

    # ------------------------------------------------------------------ permission

    @on(PermissionRequested)
    def _on_permission(self, message: PermissionRequested) -> None:
        self.flush()
        future = message.future

        def answered(outcome: PermissionOutcome | None) -> None:
            if not future.done():
                future.set_result(outcome or "cancelled")

        self.push_screen(PermissionModal(message.request, self.workspace), answered)

    # ------------------------------------------------------------------ actions

    def action_toggle_panes(self) -> None:
        self.screen.toggle_class("-panes-hidden")

    def action_sessions(self) -> None:
        self.notify("sessions: not wired yet")

    def action_open_output(self) -> None:
        self.notify("open output: not wired yet")

    def action_undo(self) -> None:
        self.notify("undo: not wired yet")

    def action_new_session(self) -> None:
        self.open_session(None)


def create_app(
    workspace: Path | str = ".",
    *,
    provider_name: str | None = None,
    model: str | None = None,
    mode: str | None = None,
    resume: str | None = None,
    runtime: Runtime | None = None,
    provider: Provider | None = None,
    start_session: bool = True,
    **extra: Any,
) -> ZephApp:
    """Build the dashboard; used by ``zeph-tui`` and by every UI test.

    Args: see :class:`AppConfig` (``extra`` sets its remaining fields).
    """
    config = AppConfig(
        Path(workspace),
        provider_name=provider_name,
        model=model,
        mode=mode,
        resume=resume,
        runtime=runtime,
        provider=provider,
        start_session=start_session,
        **extra,
    )
    return ZephApp(config)
