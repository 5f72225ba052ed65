"""The dashboard app and its factory (one factory for the CLI and the tests).

Layout and key bindings only: what the dashboard *does* (sessions, turns,
slash commands through the core registry, ``!cmd`` through the core bash
tool, checkpoints, git, completions) is :class:`~zeph_tui.ui.controller.
DashboardController`, which has no Textual in it; this app is its
:class:`~zeph_tui.ui.controller.DashboardView`.

Data flow: the session's events go to :class:`~zeph_tui.ui.bridge.UiSink`,
which queues them in an :class:`~zeph_tui.ui.feed.EventFeed`; a frame timer
(30 Hz, paused while idle) drains the feed and the
:class:`~zeph_tui.ui.render.EventRenderer` applies one batch to the widgets.
Permission requests arrive as :class:`~zeph_tui.ui.bridge.PermissionRequested`
messages carrying a future that the
:class:`~zeph_tui.ui.screens.permission_modal.PermissionModal` resolves. Prompts
go through the controller's queue (sent in order by one deliverer worker, also
those typed before the session opened); Escape cancels the running turn (and
a running ``!cmd``), not the queue.
Keys: :mod:`zeph_tui.ui.keys` (the bindings, Ctrl+C, the key help overlay).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane, TextArea

from zeph_tui.core import PermissionOutcome
from zeph_tui.ui.bridge import PermissionRequested, UiApprover, UiSink
from zeph_tui.ui.controller import AppConfig, DashboardController, Severity
from zeph_tui.ui.feed import EventFeed
from zeph_tui.ui.heap import HeapFreezer
from zeph_tui.ui.history import render_history
from zeph_tui.ui.keys import KEY_BINDINGS, KeyActions
from zeph_tui.ui.output_actions import OutputActions
from zeph_tui.ui.palette import DashboardCommands
from zeph_tui.ui.render import EventRenderer, RenderTargets
from zeph_tui.ui.screens.elicitation_modal import ask_in_modal
from zeph_tui.ui.screens.permission_modal import PermissionModal
from zeph_tui.ui.screens.sessions_screen import SessionsScreen
from zeph_tui.ui.turn_notice import announce_turn_end
from zeph_tui.ui.widgets.call_sites_pane import CallSitesPane
from zeph_tui.ui.widgets.chat_log import ChatLog
from zeph_tui.ui.widgets.completion_list import CompletionList
from zeph_tui.ui.widgets.diagnostics_pane import DiagnosticsPane
from zeph_tui.ui.widgets.git_pane import GitPane
from zeph_tui.ui.widgets.locations import LocationSelected
from zeph_tui.ui.widgets.memory_pane import MemoryPane
from zeph_tui.ui.widgets.pending_prompts import PendingPrompts
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.prompt_input import PromptInput
from zeph_tui.ui.widgets.skills_pane import SkillEntry, SkillsPane
from zeph_tui.ui.widgets.status_bar import StatusBar
from zeph_tui.ui.widgets.subagents_pane import SubAgentsPane
from zeph_tui.ui.widgets.tool_pane import ToolPane
from zeph_tui.ui.widgets.tool_panes import ToolPanes

if TYPE_CHECKING:
    from zeph_tui.core import Elicitation, ElicitationAnswer, Pane, Session
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.safety.sandbox import SandboxNotice
    from zeph_tui.core.store.sessions import SessionRecord

__all__ = ["AppConfig", "ZephApp", "create_app"]

_FRAME_S = 1 / 30
W = TypeVar("W", bound=Widget)
_OFFERED_SKILLS = 5


class ZephApp(KeyActions, OutputActions, App[int]):
    """The zeph-tui dashboard: layout, bindings and the :class:`DashboardView` side."""

    TITLE = "zeph-tui"
    COMMANDS = App.COMMANDS | {DashboardCommands}
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's own type)
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = KEY_BINDINGS
    AUTO_FOCUS = "#prompt"

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        self.config = config
        self.workspace = config.workspace.resolve()
        self.feed = EventFeed(config.max_output_lines)
        self.sink = UiSink(self.feed, self._wake, self._before_edit)
        self.controller = DashboardController(
            config, self, self.sink, UiApprover(self.post_message), self._on_provider_progress
        )
        self._frame: Timer | None = None  # the one-shot timer of the next frame, if any
        self._mounted = False
        self._heap = HeapFreezer()  # short full GC passes once the session is open
        self._loop_thread = threading.get_ident()
        self._renderer: EventRenderer | None = None
        self._widgets: dict[type[Widget], Widget] = {}
        self._turn_started = time.monotonic()

    # ------------------------------------------------------------------ state

    @property
    def session(self) -> Session | None:
        return self.controller.current

    @property
    def last_stop_reason(self) -> str | None:
        return self.controller.last_stop_reason

    @last_stop_reason.setter
    def last_stop_reason(self, value: str | None) -> None:
        self.controller.last_stop_reason = value

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="main"):
            with Vertical(id="chat-column"):
                yield ChatLog(workspace=self.workspace, id="chat")
                yield PendingPrompts(self.controller.queue, id="pending")
                yield CompletionList(id="completions")
                yield PromptInput(id="prompt")
            with TabbedContent(id="side"):
                with TabPane("Tools", id="tab-tools"):
                    yield ToolPanes(max_lines=self.config.max_output_lines, id="tool-panes")
                with TabPane("Plan", id="tab-plan"):
                    yield PlanPane(id="plan")
                    yield SubAgentsPane(id="subagents")  # hidden until a sub-agent runs
                with TabPane("Diagnostics", id="tab-diagnostics"):
                    yield DiagnosticsPane(id="diagnostics")
                with TabPane("Call sites", id="tab-call-sites"):
                    yield CallSitesPane(id="call-sites")
                with TabPane("Skills", id="tab-skills"):
                    yield SkillsPane(id="skills")
                with TabPane("Memory", id="tab-memory"):
                    yield MemoryPane(id="memory")
                with TabPane("Git", id="tab-git"):
                    yield GitPane(id="git")
        yield StatusBar(id="status")
        yield Footer()

    def main_widget(self, kind: type[W]) -> W:
        """The dashboard's one widget of type ``kind``, even while a modal is on top.

        ``App.query_one`` searches the active screen only; the panes live on
        the default screen, so they are looked up there once and kept.

        Raises:
            textual.css.query.NoMatches: there is no such widget (or the app
                has not composed yet).
        """
        found = self._widgets.get(kind)
        if found is None:
            found = self.screen_stack[0].query_one(kind)
            self._widgets[kind] = found
        assert isinstance(found, kind)
        return found

    @property
    def chat(self) -> ChatLog:
        return self.main_widget(ChatLog)

    @property
    def tool_panes(self) -> ToolPanes:
        return self.main_widget(ToolPanes)

    @property
    def status(self) -> StatusBar:
        return self.main_widget(StatusBar)

    @property
    def prompt_input(self) -> PromptInput:
        return self.main_widget(PromptInput)

    @property
    def renderer(self) -> EventRenderer:
        """Draws feed operations on the widgets (made on first use, after compose)."""
        if self._renderer is None:
            self._renderer = EventRenderer(
                RenderTargets(
                    self.workspace, self.chat, self.tool_panes, self.status,
                    self.main_widget(PlanPane), self.main_widget(DiagnosticsPane),
                    self.main_widget(CallSitesPane), self.main_widget(SkillsPane),
                    self._set_title, self._find_archive,
                )
            )  # fmt: skip
        return self._renderer

    def _set_title(self, title: str) -> None:
        self.title = title

    def _find_archive(self, pane: ToolPane, result_text: str) -> None:
        self.find_archive(pane, result_text)

    def on_mount(self) -> None:
        self._mounted = True
        self.sub_title = self.workspace.name
        # Focus now, not through focus()'s call_later: keys the terminal sent before
        # the first paint are already queued and would reach an unfocused screen.
        self.screen.set_focus(self.prompt_input)
        if self.config.start_session:  # paint first, then open the session behind the paint
            self.status.warming = ["session"]
            self.call_after_refresh(self.open_session, self.config.resume)
            self.call_after_refresh(self.index_files)

    async def on_unmount(self) -> None:
        self._mounted = False
        self._heap.release()
        if self._frame is not None:
            self._frame.stop()
            self._frame = None
        await self.controller.aclose()

    # ------------------------------------------------------------------ DashboardView

    def notify_person(
        self, message: str, *, title: str = "", severity: Severity = "information"
    ) -> None:
        self.notify(
            message, title=title, severity=severity, timeout=30 if severity == "error" else 5
        )

    def notice(self, text: str) -> None:
        self.flush()
        self.chat.add_notice(text)

    def shell_unconfined(self, notice: SandboxNotice) -> None:
        self.status.unconfined = notice.marker
        self.notify_person(notice.text, title=notice.marker, severity="warning")

    def reply(self, text: str) -> None:
        self.flush()
        self.chat.add_reply(text)

    def session_opened(self, session: Session) -> None:
        self.conversation_cleared()
        self._heap.arm()
        if session.history:
            render_history(self.chat, session.history)
        self.call_after_refresh(self._heap.done, "chat")
        status = self.status
        status.provider = session.provider.name
        status.model = session.provider.model
        status.mode = session.mode
        self.renderer.apply_usage(session.usage_update())
        self.title = session.title or "zeph-tui"

    def conversation_cleared(self) -> None:
        self._heap.release()  # the chat's widgets may become garbage now
        self.flush()
        self.chat.clear()
        self.tool_panes.clear()
        self.renderer.to.call_kinds.clear()
        if self.session is not None:
            self.renderer.apply_usage(self.session.usage_update())

    def provider_changed(self, provider: Provider) -> None:
        self.status.model = provider.model

    def show_pane(self, pane: Pane) -> None:
        self.show_tab(pane)

    def refresh_git(self) -> None:
        self.action_refresh_git()

    async def choose_session(self, records: list[SessionRecord], current_id: str) -> str | None:
        return await self.push_screen_wait(SessionsScreen(records, current_id=current_id))

    async def ask_person(self, request: Elicitation) -> ElicitationAnswer:
        self.flush()  # the ask_user tool call shows before its question
        return await ask_in_modal(self, request)

    def quit(self) -> None:
        self.exit(0)

    def turn_started(self, text: str) -> None:
        self._turn_started = time.monotonic()
        self.flush()
        self.chat.add_user(text)
        self.sink.new_turn()
        self.status.busy = True
        self.rank_skills(text)

    def turn_ended(self) -> None:
        self.flush()
        self.status.busy = False
        self.status.progress = ""
        elapsed_s = time.monotonic() - self._turn_started
        after_s = self.controller.runtime.settings.dashboard.notify_after_s
        announce_turn_end(self, elapsed_s, self.last_stop_reason, after_s)
        self.action_refresh_git()

    def warming_changed(self, warming: list[str], failure: str) -> None:
        if not warming:
            self._heap.done("warm-up")
        if self._mounted:
            self.status.warming, self.status.failure = warming, failure

    def _on_provider_progress(self, line: str) -> None:
        if threading.get_ident() == self._loop_thread:
            self.status.progress = line
        else:
            self.call_from_thread(setattr, self.status, "progress", line)

    # ------------------------------------------------------------------ input

    @on(PromptInput.Submitted)
    def _on_submitted(self, event: PromptInput.Submitted) -> None:
        self.submit(event.text)

    def submit(self, text: str) -> None:
        """Handle one line from the prompt: ``/command``, ``!shell command`` or a prompt."""
        self.main_widget(CompletionList).hide()
        if text.startswith("/"):
            self.action_command(text)
            return
        if text.startswith("!") and len(text) > 1:
            if self.session is not None:
                self.run_shell_command(text[1:].strip())
            else:  # kept in the input: a command is not queued like a prompt
                self.prompt_input.load_text(text)
                self.notify("No session yet: run !commands once it is open", severity="warning")
            return
        self.last_stop_reason = None
        if self.controller.submit_prompt(text):  # else the running deliverer sends it
            self.deliver_prompts()

    @work(group="slash")
    async def action_command(self, text: str) -> None:
        """Run one slash command line through the core registry (palette: ``command('/x')``)."""
        await self.controller.run_command(text)
        self.flush()

    @work(group="shell")
    async def run_shell_command(self, command: str) -> None:
        """``!cmd``: the core bash tool in the workspace; output goes to a tool pane."""
        self.sink.new_turn()
        await self.controller.run_shell(command)

    @work(group="turn")
    async def deliver_prompts(self) -> None:
        """Send the queued prompts one turn at a time (the controller's deliverer)."""
        await self.controller.deliver()

    def action_cancel_turn(self) -> None:
        self.controller.cancel()
        self.workers.cancel_group(self, "shell")

    async def _before_edit(self) -> None:
        await self.controller.before_edit()

    # ------------------------------------------------------------------ frames

    def _wake(self) -> None:
        """Schedule a frame (one-shot timer) unless one is already due."""
        if self._frame is None and self._mounted:
            self._frame = self.set_timer(_FRAME_S, self._on_frame)

    def _on_frame(self) -> None:
        self._frame = None
        self.flush()

    def flush(self) -> None:
        """Apply every queued event to the widgets (one frame's worth)."""
        for op in self.feed.drain():
            self.renderer.apply(op)

    @on(PermissionRequested)
    def _on_permission(self, message: PermissionRequested) -> None:
        self.flush()
        future = message.future

        def answered(outcome: PermissionOutcome | None) -> None:
            if not future.done():
                future.set_result(outcome or "cancelled")

        self.push_screen(PermissionModal(message.request, self.workspace), answered)

    # ------------------------------------------------------------------ completion

    @work(thread=True, group="files")
    def index_files(self) -> None:
        self.controller.files.refresh()

    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self, event: TextArea.Changed) -> None:
        prompt = self.prompt_input
        completions = self.main_widget(CompletionList)
        items = self.controller.completions(prompt.text, prompt.current_token())
        if items is None:
            completions.hide()
        else:
            completions.show(items)
        prompt.completing = completions.shown

    @on(PromptInput.CompletionKey)
    def _completion_key(self, event: PromptInput.CompletionKey) -> None:
        completions = self.main_widget(CompletionList)
        if event.key in ("up", "down"):
            completions.move(-1 if event.key == "up" else 1)
            return
        chosen = completions.chosen
        prompt = self.prompt_input
        complete = chosen is not None and chosen.strip() == prompt.current_token().strip()
        if chosen is not None and not complete:
            prompt.replace_current_token(chosen)
        completions.hide()
        prompt.completing = False
        if complete and event.key == "enter":
            prompt.submit()

    # ------------------------------------------------------------------ actions

    def show_tab(self, name: str) -> None:
        """Switch the side panes to ``name`` (tools, plan, diagnostics, call-sites, skills, memory, git)."""
        if self.screen.has_class("-wide"):
            self.screen.remove_class("-panes-hidden")
        if self.screen.has_class("-narrow"):
            self.screen.add_class("-panes-hidden")
        self.main_widget(TabbedContent).active = f"tab-{name}"
        if name == "git":
            self.action_refresh_git()
        if name == "memory":  # already shown (no on_show): a /memory forget must show
            self.main_widget(MemoryPane).reload()

    def action_show_tab(self, name: str) -> None:
        self.show_tab(name)

    def action_toggle_panes(self) -> None:
        self.screen.toggle_class("-panes-hidden")

    def action_sessions(self) -> None:
        self.action_command("/sessions")

    def action_new_session(self) -> None:
        self.open_session(None)

    def action_undo(self) -> None:
        self.action_command("/undo")

    @work(exclusive=True, group="session")
    async def open_session(self, resume: str | None = None) -> None:
        """Open a new session, or resume ``resume`` ('' = the latest); then watch its warm-up."""
        if await self.controller.open(resume) is None:
            return
        if self.controller.claim_delivery():  # prompts sent before the session was ready
            self.deliver_prompts()
        await self.controller.watch_warmup()

    def action_take_back(self) -> None:
        """Up on an empty prompt: the newest pending prompt back into the input."""
        prompt = self.prompt_input
        if self.focused is not prompt or not self.main_widget(PendingPrompts).take_back(prompt):
            raise SkipAction

    @on(ToolPane.OpenRequested)
    def _open_requested(self, event: ToolPane.OpenRequested) -> None:
        self._open_overflow(event.overflow_id)

    @work(group="git", exclusive=True)
    async def action_refresh_git(self) -> None:
        status, diff = await self.controller.git_state()
        if self._mounted:
            self.main_widget(GitPane).set_state(status, diff)

    @work(group="skills", exclusive=True)
    async def rank_skills(self, text: str) -> None:
        """Offer the library's best skills for ``text`` in the skills pane (newest prompt wins)."""
        found = await self.controller.offered_skills(text, _OFFERED_SKILLS)
        if found is not None and self._mounted:
            hits, available = found
            entries = [SkillEntry(name, description, score) for name, description, score in hits]
            self.main_widget(SkillsPane).set_skills(entries, available=available)

    @on(LocationSelected)
    def _location_selected(self, event: LocationSelected) -> None:
        self._view_file(event.path, event.line, event.column)


def create_app(workspace: Path | str = ".", **options: Any) -> ZephApp:
    """Build the dashboard; used by ``zeph-tui`` and by every UI test.

    Args: ``workspace`` and the fields of :class:`AppConfig` as keywords.

    Raises:
        TypeError: an unknown option.
    """
    return ZephApp(AppConfig(Path(workspace), **options))
