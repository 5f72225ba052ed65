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

import asyncio
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane, TextArea

from zeph_tui.core import PermissionOutcome
from zeph_tui.ui.bridge import PermissionRequested, UiApprover, UiSink
from zeph_tui.ui.completion import FileIndex, complete_slash, prompt_blocks
from zeph_tui.ui.feed import EventFeed
from zeph_tui.ui.history import render_history
from zeph_tui.ui.palette import DashboardCommands
from zeph_tui.ui.render import EventRenderer
from zeph_tui.ui.screens.file_viewer import FileViewer
from zeph_tui.ui.screens.overflow_modal import OverflowModal
from zeph_tui.ui.screens.permission_modal import PermissionModal
from zeph_tui.ui.screens.sessions_screen import SessionsScreen
from zeph_tui.ui.widgets.call_sites_pane import CallSitesPane
from zeph_tui.ui.widgets.chat_log import ChatLog
from zeph_tui.ui.widgets.completion_list import CompletionList
from zeph_tui.ui.widgets.diagnostics_pane import DiagnosticsPane
from zeph_tui.ui.widgets.git_pane import GitPane, read_git_state
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.prompt_input import PromptInput
from zeph_tui.ui.widgets.skills_pane import SkillEntry, SkillsPane
from zeph_tui.ui.widgets.status_bar import StatusBar
from zeph_tui.ui.widgets.tool_pane import ToolPane
from zeph_tui.ui.widgets.tool_panes import ToolPanes

if TYPE_CHECKING:
    from zeph_tui.core import Runtime, Session
    from zeph_tui.core.providers.base import Provider

__all__ = ["AppConfig", "ZephApp", "create_app"]

log = logging.getLogger(__name__)

_OVERFLOW_RE = re.compile(r"overflow_id=(ovf_[0-9a-f]{12})")
_FRAME_S = 1 / 30
W = TypeVar("W", bound=Widget)
_OFFERED_SKILLS = 5


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
    COMMANDS = App.COMMANDS | {DashboardCommands}
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual's own type)
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel_turn", "Cancel turn"),
        Binding("f2", "sessions", "Sessions"),
        Binding("f3", "toggle_panes", "Panes"),
        Binding("f4", "open_output", "Full output"),
        Binding("f5", "refresh_git", "Git"),
        Binding("f8", "undo", "Undo"),
        Binding("ctrl+n", "new_session", "New"),
    ]

    def __init__(self, config: AppConfig) -> None:
        super().__init__()
        self.config = config
        self.workspace = config.workspace.resolve()
        self.runtime: Runtime | None = config.runtime
        self._owns_runtime = config.runtime is None
        self.provider: Provider | None = config.provider
        self.owns_provider = config.provider is None
        self.session: Session | None = None
        self.feed = EventFeed(config.max_output_lines)
        self.sink = UiSink(self.feed, self._wake, self._before_edit)
        self.approver = UiApprover(self.post_message)
        self._frame: Timer | None = None  # the one-shot timer of the next frame, if any
        self._mounted = False
        self._loop_thread = threading.get_ident()
        self.last_stop_reason: str | None = None
        self.call_kinds: dict[str, str] = {}
        self.files = FileIndex(self.workspace)
        self.checkpoints_enabled = True
        self.checkpoints_made = 0
        self._shell_count = 0
        self.renderer = EventRenderer(self)
        self._widgets: dict[type[Widget], Widget] = {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        with Horizontal(id="main"):
            with Vertical(id="chat-column"):
                yield ChatLog(workspace=self.workspace, id="chat")
                yield CompletionList(id="completions")
                yield PromptInput(id="prompt")
            with TabbedContent(id="side"):
                with TabPane("Tools", id="tab-tools"):
                    yield ToolPanes(max_lines=self.config.max_output_lines, id="tool-panes")
                with TabPane("Plan", id="tab-plan"):
                    yield PlanPane(id="plan")
                with TabPane("Diagnostics", id="tab-diagnostics"):
                    yield DiagnosticsPane(id="diagnostics")
                with TabPane("Call sites", id="tab-call-sites"):
                    yield CallSitesPane(id="call-sites")
                with TabPane("Skills", id="tab-skills"):
                    yield SkillsPane(id="skills")
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

    def on_mount(self) -> None:
        self._mounted = True
        self.sub_title = self.workspace.name
        self.prompt_input.focus()
        if self.config.start_session:
            self.open_session(self.config.resume)
            self.index_files()

    async def on_unmount(self) -> None:
        self._mounted = False
        if self._frame is not None:
            self._frame.stop()
            self._frame = None
        if self.session is not None:
            self.session.cancel()
        if self.provider is not None and self.owns_provider:
            await self.provider.aclose()
        if self.runtime is not None and self._owns_runtime:
            await self.runtime.aclose()

    # ------------------------------------------------------------------ session

    @work(exclusive=True, group="session")
    async def open_session(self, resume: str | None = None) -> None:
        """Open a new session, or resume ``resume`` ('' = the latest in this workspace)."""
        from zeph_tui.core import ZephError

        try:
            if self.runtime is None:
                from zeph_tui.core import Runtime

                self.runtime = await Runtime.start(
                    provider=self.config.provider_name, model=self.config.model
                )
                notice = await asyncio.to_thread(self.runtime.sandbox_notice)
                if notice:  # once: the runtime is started once
                    self.notify(notice, title="Shell not sandboxed", severity="warning", timeout=20)
            if self.provider is None:
                self.provider = self.runtime.build_provider()
            self.hook_progress(self.provider)
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
        self.renderer.apply_usage(session.usage_update())
        self.title = session.title or "zeph-tui"

    def hook_progress(self, provider: Provider) -> None:
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
        """Handle one line from the prompt: ``/command``, ``!shell command`` or a prompt."""
        self.main_widget(CompletionList).hide()
        if text.startswith("/"):
            self.run_slash_command(text)
            return
        if text.startswith("!") and len(text) > 1:
            self.run_shell_command(text[1:].strip())
            return
        if self.session is None:
            self.notify("No session yet", severity="warning")
            return
        self.chat.add_user(text)
        self.last_stop_reason = None
        self.run_turn(text)
        self.rank_skills(text)

    @work(group="slash")
    async def run_slash_command(self, text: str) -> None:
        from zeph_tui.ui.slash import run_slash

        await run_slash(self, text)

    @work(group="shell")
    async def run_shell_command(self, command: str) -> None:
        """``!cmd``: run it in the workspace; output goes to a tool pane."""
        from zeph_tui.ui.shell import run_shell

        self._shell_count += 1
        env = dict(self.session.options.env) if self.session and self.session.options.env else None
        self.sink.new_turn()
        code = await run_shell(
            command,
            call_id=f"shell_{self._shell_count}",
            cwd=self.workspace,
            sink=self.sink,
            env=env,
        )
        self.flush()
        self.chat.add_notice(f"$ {command} → exit code {code}")

    @work(exclusive=True, group="turn")
    async def run_turn(self, text: str) -> None:
        """Run one prompt turn to its end; errors become a notice, never a crash."""
        from zeph_tui.core import ZephError

        session = self.session
        assert session is not None
        self.sink.new_turn()
        self.status.busy = True
        try:
            self.last_stop_reason = await session.prompt(prompt_blocks(text, self.workspace))
        except ZephError as exc:
            self.last_stop_reason = "error"
            self.chat.add_notice(f"error: {exc}")
            self.notify(str(exc), title="Turn failed", severity="error", timeout=15)
        except Exception as exc:  # a bug below us must not take the dashboard down
            log.exception("turn failed")
            self.last_stop_reason = "error"
            self.chat.add_notice(f"internal error: {type(exc).__name__}: {exc}")
            self.notify(str(exc), title="Turn failed (internal error)", severity="error")
        finally:
            self.flush()
            self.status.busy = False
            self.status.progress = ""
        if self.last_stop_reason not in ("end_turn", "error"):
            self.chat.add_notice(f"turn ended: {self.last_stop_reason}")
        self.action_refresh_git()

    def action_cancel_turn(self) -> None:
        if self.session is not None:
            self.session.cancel()

    async def _before_edit(self) -> None:
        """Checkpoint the working tree before the first editing tool call of a turn."""
        import asyncio

        from zeph_tui.core import CheckpointError, create_checkpoint

        if not self.checkpoints_enabled or self.session is None:
            return
        try:
            await asyncio.to_thread(
                create_checkpoint,
                self.workspace,
                self.session.id,
                f"before: {self.session.title or 'turn'}",
            )
            self.checkpoints_made += 1
        except CheckpointError as exc:
            self.checkpoints_enabled = False
            self.notify(f"checkpoints off: {exc}", severity="warning")

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

    # ------------------------------------------------------------------ completion

    @work(thread=True, group="files")
    def index_files(self) -> None:
        self.files.refresh()

    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self, event: TextArea.Changed) -> None:
        prompt = self.prompt_input
        completions = self.main_widget(CompletionList)
        text = prompt.text
        token = prompt.current_token()
        if text.startswith("/") and " " not in text and "\n" not in text:
            completions.show(complete_slash(text[1:]))
        elif token.startswith("@"):
            completions.show([(f"@{p} ", p) for p in self.files.match(token[1:])])
        else:
            completions.hide()
        prompt.completing = completions.shown

    @on(PromptInput.CompletionKey)
    def _completion_key(self, event: PromptInput.CompletionKey) -> None:
        completions = self.main_widget(CompletionList)
        if event.key == "up":
            completions.move(-1)
        elif event.key == "down":
            completions.move(1)
        else:
            chosen = completions.chosen
            prompt = self.prompt_input
            if chosen is not None:
                prompt.replace_current_token(chosen)
            completions.hide()
            prompt.completing = False

    # ------------------------------------------------------------------ actions

    def show_tab(self, name: str) -> None:
        """Switch the side panes to ``name`` (tools, plan, diagnostics, call-sites, skills, git)."""
        self.screen.remove_class("-panes-hidden") if self.screen.has_class("-wide") else None
        if self.screen.has_class("-narrow"):
            self.screen.add_class("-panes-hidden")
        self.main_widget(TabbedContent).active = f"tab-{name}"
        if name == "git":
            self.action_refresh_git()

    def action_toggle_panes(self) -> None:
        self.screen.toggle_class("-panes-hidden")

    @work(group="sessions")
    async def action_sessions(self) -> None:
        """List this workspace's sessions; resume the chosen one or start a new one."""
        if self.runtime is None:
            return
        records = await self.runtime.store.sessions.list(cwd=str(self.workspace))
        current = self.session.id if self.session else ""
        choice = await self.push_screen_wait(SessionsScreen(records, current_id=current))
        if choice is None or (choice and choice == current):
            return
        self.open_session(choice or None)

    def action_new_session(self) -> None:
        self.open_session(None)

    def action_open_output(self) -> None:
        panes = [p for p in self.tool_panes.panes.values() if p.overflow_id]
        if not panes:
            self.notify("no archived output yet", severity="warning")
            return
        self._open_overflow(panes[-1].overflow_id or "")

    @on(ToolPane.OpenRequested)
    def _open_requested(self, event: ToolPane.OpenRequested) -> None:
        self._open_overflow(event.overflow_id)

    def _open_overflow(self, overflow_id: str) -> None:
        if self.runtime is not None:
            self.push_screen(OverflowModal(self.runtime.store.archive, overflow_id))

    @work(group="undo", exclusive=True)
    async def action_undo(self) -> None:
        """Restore the working tree to the last checkpoint of this session."""
        import asyncio

        from zeph_tui.core import CheckpointError, undo_last

        if self.session is None:
            return
        try:
            checkpoint, changed = await asyncio.to_thread(
                undo_last, self.workspace, self.session.id
            )
        except CheckpointError as exc:
            self.chat.add_notice(f"undo: {exc}")
            self.notify(str(exc), title="Undo", severity="warning")
            return
        files = ", ".join(changed[:8]) + (" …" if len(changed) > 8 else "")
        self.chat.add_notice(
            f"undo: restored checkpoint {checkpoint.number} ({len(changed)} files: {files or '-'})"
        )
        self.action_refresh_git()

    @work(group="git", exclusive=True)
    async def action_refresh_git(self) -> None:
        import asyncio

        status, diff = await asyncio.to_thread(read_git_state, str(self.workspace))
        if self._mounted:
            self.main_widget(GitPane).set_state(status, diff)

    @work(group="skills", exclusive=True)
    async def rank_skills(self, text: str) -> None:
        """Offer the library's best skills for ``text`` in the skills pane.

        The BM25 search (and the library's reload check, which stats files)
        runs in a thread; a newer prompt cancels this worker (exclusive group).
        """
        import asyncio

        if self.runtime is None:
            return
        library = self.runtime.skill_library(self.workspace)

        def rank() -> tuple[list[SkillEntry], int]:
            library.reload_if_changed()
            hits = library.search(text, _OFFERED_SKILLS)
            entries = [SkillEntry(h.skill.name, h.skill.description[:120], h.score) for h in hits]
            return entries, len(library.skills)

        entries, available = await asyncio.to_thread(rank)
        if self._mounted:
            self.main_widget(SkillsPane).set_skills(entries, available=available)

    @on(DiagnosticsPane.LocationSelected)
    def _diagnostic_selected(self, event: DiagnosticsPane.LocationSelected) -> None:
        self.push_screen(
            FileViewer(
                self.workspace / event.path,
                event.line,
                event.column,
                label=f"{event.path}:{event.line}:{event.column}",
            )
        )

    @on(CallSitesPane.LocationSelected)
    def _call_site_selected(self, event: CallSitesPane.LocationSelected) -> None:
        site = event.site
        self.push_screen(
            FileViewer(
                self.workspace / site.path,
                site.line,
                site.column,
                label=f"{site.path}:{site.line}:{site.column}",
            )
        )


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
