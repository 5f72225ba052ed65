"""What the dashboard does, without Textual: sessions, turns, commands, checkpoints, git.

:class:`DashboardController` owns the runtime, the provider and the session of
the dashboard and is its :class:`~zeph_tui.core.commands.CommandHost` (face
features ``sessions``, ``panes`` and ``quit``). It talks back to the screen only
through :class:`DashboardView`, a small protocol the Textual app implements;
errors become notices, never exceptions. This module imports no Textual and
no Rich (an import-linter contract keeps it so).

Session open path (DESIGN.md): the app paints, then calls :meth:`~DashboardController.open`
in the background; prompts go to :attr:`~DashboardController.queue` at once
(:meth:`~DashboardController.submit_prompt`) and one
:meth:`~DashboardController.deliver` sends them, oldest first, when the
session is open and the previous turn has ended, each exactly once. The
view hears what still warms up (:meth:`DashboardView.warming_changed`) and
what failed; a failed open keeps the prompts queued and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from zeph_tui.core.tasks import BackgroundTasks
from zeph_tui.ui.completion import FileIndex, complete_slash, prompt_blocks
from zeph_tui.ui.git_state import read_git_state
from zeph_tui.ui.prompt_queue import PromptQueue

if TYPE_CHECKING:
    from zeph_tui.core import (
        Approver,
        Elicitation,
        ElicitationAnswer,
        EventSink,
        Feature,
        Pane,
        Runtime,
        Session,
    )
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.safety.sandbox import SandboxNotice
    from zeph_tui.core.store.sessions import SessionRecord

__all__ = ["DASHBOARD_FEATURES", "HELP_NOTES", "AppConfig", "DashboardController", "DashboardView"]

log = logging.getLogger(__name__)

Severity = Literal["information", "warning", "error"]

DASHBOARD_FEATURES: frozenset[Feature] = frozenset({"sessions", "panes", "quit"})
HELP_NOTES: tuple[tuple[str, str], ...] = (
    ("@path", "attach a file (Tab completes)"),
    ("!command", "run it yourself, in a tool pane"),
    ("Enter / Ctrl+J", "send / new line (Up/Down: history)"),
    ("Esc / Ctrl+N / Ctrl+P", "cancel / new session / palette"),
    ("F2 F3 F4 F5 F8", "sessions panes output git undo"),
)
"""Dashboard input syntax and keys, appended to ``/help``."""

_OVERFLOW_RE = re.compile(r"overflow_id=(ovf_[0-9a-f]{12})")


class DashboardView(Protocol):
    """What the controller asks of the screen (the Textual app implements it)."""

    def notify_person(self, message: str, *, title: str = "", severity: Severity = ...) -> None:
        """A toast."""
        ...

    def notice(self, text: str) -> None:
        """A line in the chat (turn ends, errors, ``!cmd`` exit codes)."""
        ...

    def shell_unconfined(self, notice: SandboxNotice) -> None:
        """``bash`` is not sandboxed: the status-bar marker from now on, and why, once."""
        ...

    def reply(self, text: str) -> None:
        """A slash command's reply in the chat."""
        ...

    def session_opened(self, session: Session) -> None:
        """Show ``session`` (history, title, status) in place of the previous one."""
        ...

    def conversation_cleared(self) -> None:
        """Empty the chat and the tool panes (``/clear``)."""
        ...

    def provider_changed(self, provider: Provider) -> None:
        """Show the new provider and model."""
        ...

    def show_pane(self, pane: Pane) -> None:
        """Switch the side panes to ``pane``."""
        ...

    def refresh_git(self) -> None:
        """Re-read git status into the git pane."""
        ...

    async def choose_session(self, records: list[SessionRecord], current_id: str) -> str | None:
        """Let the person pick: an id to resume, '' for a new session, None to stay."""
        ...

    async def ask_person(self, request: Elicitation) -> ElicitationAnswer:
        """Show the model's question (``ask_user``) and wait for the answer (a modal)."""
        ...

    def quit(self) -> None:
        """Leave the dashboard."""
        ...

    def turn_started(self, text: str) -> None:
        """A queued prompt is being sent now: show it in the chat, the turn as running."""
        ...

    def turn_ended(self) -> None:
        """The turn of the prompt last passed to :meth:`turn_started` has ended."""
        ...

    def warming_changed(self, warming: list[str], failure: str) -> None:
        """What still warms up (``["session"]``, ``["provider", "skills"]``, ``[]``) and
        the latest warm-up failure ('' = none), for the status bar."""
        ...


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


class DashboardController:
    """The dashboard's sessions, turns, commands, checkpoints, git and completions.

    Args:
        startup: workspace, overrides and the optional runtime/provider (tests).
        view: the screen.
        sink / approver: the dashboard's ports, given to every session.
        on_progress: shows a local model's loading progress (any thread).
    """

    face = "dashboard"
    features: frozenset[Feature] = DASHBOARD_FEATURES
    help_notes: tuple[tuple[str, str], ...] = HELP_NOTES

    def __init__(
        self,
        startup: AppConfig,
        view: DashboardView,
        sink: EventSink,
        approver: Approver,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        self.startup = startup
        self.workspace = startup.workspace.resolve()
        self.view = view
        self.sink = sink
        self._approver = approver
        self.on_progress = on_progress
        self._runtime: Runtime | None = startup.runtime
        self.owns_runtime = startup.runtime is None
        self.provider: Provider | None = startup.provider
        self.owns_provider = startup.provider is None
        self.current: Session | None = None
        self.files = FileIndex(self.workspace)
        self.checkpoints_enabled = True
        self.checkpoints_made = 0
        self.shell_count = 0
        self.last_stop_reason: str | None = None
        self._commands_running = 0  # commands that edit take their own checkpoint (core)
        self.queue = PromptQueue()  # the view watches it (on_change)
        self.open_error: str | None = None
        """Why the last :meth:`open` failed (None: it did not, or none ran yet)."""
        self._opened = asyncio.Event()  # the first open attempt has ended
        self._delivering = False
        self._opening: asyncio.Task[object] | None = None  # the task running open(), if any
        self._warmed: Provider | None = None  # the provider _warm_early started
        self._tasks = BackgroundTasks(log, logging.DEBUG, "early provider warm-up failed")

    # ------------------------------------------------------------ CommandHost

    @property
    def session(self) -> Session:
        assert self.current is not None, "commands run only with a session"
        return self.current

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "commands run only with a runtime"
        return self._runtime

    @property
    def approver(self) -> Approver:
        return self._approver

    def unavailable_reason(self, feature: Feature) -> str:
        return f"no {feature} here"  # the dashboard offers every feature

    async def provider_switched(self, old: Provider) -> None:
        new = self.session.provider
        self.hook_progress(new)
        if self.owns_provider:
            await old.aclose()
        self.provider, self.owns_provider = new, True
        self.view.provider_changed(new)

    async def mode_changed(self) -> None:
        """The status bar follows the core's ``current_mode_update`` event."""

    async def history_cleared(self) -> None:
        self.view.conversation_cleared()

    async def workspace_changed(self) -> None:
        self.view.refresh_git()

    def show_pane(self, pane: Pane) -> None:
        self.view.show_pane(pane)

    async def new_session(self) -> str:
        session = await self.open(None)
        if session is None:
            from zeph_tui.core import CommandError

            raise CommandError("Could not open a new session (see the notification).")
        return session.id

    async def pick_session(self) -> None:
        runtime = self.runtime
        records = await runtime.store.sessions.list(cwd=str(self.workspace))
        current = self.current.id if self.current else ""
        choice = await self.view.choose_session(records, current)
        if choice is None or (choice and choice == current):
            return
        await self.open(choice or None)

    def quit(self) -> None:
        self.view.quit()

    # ------------------------------------------------------------ Asker

    async def elicit(self, request: Elicitation) -> ElicitationAnswer:
        """The core :class:`~zeph_tui.core.ports.Asker` of the dashboard: the view asks."""
        return await self.view.ask_person(request)

    # ------------------------------------------------------------ sessions

    async def open(self, resume: str | None) -> Session | None:
        """Open a new session, or resume ``resume`` ('' = the latest in this workspace).

        Returns None (after a notification) when no session can be opened.
        """
        from zeph_tui.core import Runtime, ZephError

        self.view.warming_changed(["session"], "")
        self._opening = asyncio.current_task()
        try:
            if self._runtime is None:
                self._runtime = await Runtime.start(
                    provider=self.startup.provider_name, model=self.startup.model
                )
            unconfined = await asyncio.to_thread(self._runtime.sandbox_notice)
            if unconfined is not None:  # the first open only: the notice is taken once
                self.view.shell_unconfined(unconfined)
            if self.provider is None:
                self.provider = self._runtime.build_provider()
            self.hook_progress(self.provider)
            self._warm_early(self.provider)
            session_id = resume or None
            if resume == "":
                latest = await self._runtime.store.sessions.list(cwd=str(self.workspace), limit=1)
                session_id = latest[0].id if latest else None
            if self.current is not None:
                self.current.cancel()
            self.current = await self._runtime.open_session(
                workspace=self.workspace,
                sink=self.sink,
                approver=self._approver,
                asker=self,
                mode=self.startup.mode,
                session_id=session_id,
                provider=self.provider,
            )
        except ZephError as exc:
            self.open_error = str(exc)
            self.view.warming_changed([], f"cannot open a session: {exc}")
            self.view.notify_person(str(exc), title="Cannot open a session", severity="error")
            if self.queue:
                self._tell_kept()
            return None
        finally:
            self._opening = None
            self._opened.set()
        self.open_error = None
        self.view.session_opened(self.current)
        self.view.warming_changed(self.warming(), self.warm_failure())
        return self.current

    def warming(self) -> list[str]:
        """What the runtime still warms up (``provider``, ``skills``, ``repo_map``, ``lsp``)."""
        return [] if self._runtime is None else self._runtime.warming()

    def warm_failure(self) -> str:
        """The current session's failed warm-ups, e.g. ``provider: ProviderError: …`` ('' = none).

        The warm-up keeps the error; the first prompt repeats the work and
        shows its own error in the chat (:meth:`run_turn`).
        """
        if self._runtime is None or self.current is None:
            return ""
        mine = (self.current.id, str(self.current.workspace))
        failed = [
            f"{key.split(':', 1)[0]}: {state.removeprefix('failed: ')}"
            for key, state in self._runtime.warmup.status().items()
            if state.startswith("failed: ") and key.split(":", 1)[-1] in mine
        ]
        return "; ".join(failed)

    async def watch_warmup(self) -> None:
        """Tell the view each time a warm-up of the runtime ends, until none is left.

        Waits on the warm-up tasks (no polling); cancelled with the app's
        session worker.
        """
        runtime = self._runtime
        if runtime is None:
            return
        while pending := runtime.warmup.pending():
            waits = [asyncio.ensure_future(runtime.warmup.wait(key)) for key in pending]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for wait in waits:
                    wait.cancel()
                await asyncio.gather(*waits, return_exceptions=True)
            self.view.warming_changed(self.warming(), self.warm_failure())

    # ------------------------------------------------------------ the prompt queue

    def submit_prompt(self, text: str) -> bool:
        """Queue ``text``; it is sent once the session is open and no turn runs.

        Returns:
            True when the caller must now run :meth:`deliver` (no deliverer
            runs); False when the running one will send it.
        """
        self.queue.push(text)
        if self.open_error is not None and self.current is None:
            self._tell_kept()
        return self.claim_delivery()

    def claim_delivery(self) -> bool:
        """True (and the claim taken) when prompts wait and no :meth:`deliver` runs."""
        if self._delivering or not self.queue:
            return False
        self._delivering = True
        return True

    async def deliver(self) -> None:
        """Send the queued prompts, oldest first, one turn each, then return.

        Call it only after :meth:`claim_delivery` (or :meth:`submit_prompt`)
        returned True, so one deliverer runs at a time and every prompt is
        sent exactly once. It first waits for the first :meth:`open` to end;
        without a session the prompts stay queued (a later successful
        :meth:`open` lets the view claim delivery again).
        """
        try:
            await self._opened.wait()
            while self.current is not None and (text := self.queue.pop_first()) is not None:
                self.view.turn_started(text)
                try:
                    await self.run_turn(text)
                finally:
                    self.view.turn_ended()
        finally:
            self._delivering = False

    def _tell_kept(self) -> None:
        self.view.notice(
            f"error: {self.open_error} (your prompt is kept: Up takes it back, Ctrl+N retries)"
        )

    def _warm_early(self, provider: Provider) -> None:
        """Start ``provider``'s warm-up (SDK import, model load) before the session row.

        The runtime starts it again once the session exists; both await one
        build (:class:`~zeph_tui.core.providers.lazy.LazyResource`), so the
        first prompt waits less by the time the session takes to open. The
        task is this controller's (cancelled in :meth:`aclose`); a failure is
        the runtime warm-up's to report.
        """
        warm = getattr(provider, "warm", None)
        if warm is not None and provider is not self._warmed:
            self._warmed = provider
            self._tasks.spawn(warm())

    def hook_progress(self, provider: Provider) -> None:
        """Show the local model's loading progress (its optional ``on_progress`` hook)."""
        if hasattr(provider, "on_progress") and self.on_progress is not None:
            provider.on_progress = self.on_progress

    async def aclose(self) -> None:
        """Stop an :meth:`open` in flight and the turn; close the provider and runtime it owns."""
        opening, self._opening = self._opening, None
        if opening is not None and opening is not asyncio.current_task() and not opening.done():
            opening.cancel()  # its task (the app's session worker) ends here, not half-open
            with contextlib.suppress(BaseException):
                await opening
        if self.current is not None:
            self.current.cancel()
        await self._tasks.cancel_all()
        if self.provider is not None and self.owns_provider:
            await self.provider.aclose()
        if self._runtime is not None and self.owns_runtime:
            await self._runtime.aclose()

    # ------------------------------------------------------------ turns

    async def run_turn(self, text: str) -> str:
        """Run one prompt turn to its end; returns the stop reason (``error`` on failure)."""
        from zeph_tui.core import ZephError

        session = self.session
        try:
            self.last_stop_reason = await session.prompt(prompt_blocks(text, self.workspace))
        except ZephError as exc:
            self.last_stop_reason = "error"
            self.view.notice(f"error: {exc}")
            self.view.notify_person(str(exc), title="Turn failed", severity="error")
        except Exception as exc:  # a bug below us must not take the dashboard down
            log.exception("turn failed")
            self.last_stop_reason = "error"
            self.view.notice(f"internal error: {type(exc).__name__}: {exc}")
            self.view.notify_person(
                str(exc), title="Turn failed (internal error)", severity="error"
            )
        if self.last_stop_reason not in ("end_turn", "error"):
            self.view.notice(f"turn ended: {self.last_stop_reason}")
        return self.last_stop_reason

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel()

    async def run_command(self, text: str) -> None:
        """One ``/command`` line through the core registry; the reply becomes a notice."""
        from zeph_tui.core import offered, parse_command, run_command

        parsed = parse_command(text)
        if parsed is None:
            name = text[1:].split(" ", 1)[0][:40]
            known = ", ".join(f"/{c.name}" for c in offered(self.features))
            self.view.notify_person(f"unknown command /{name}; try {known}", severity="warning")
            return
        command, argument = parsed
        if self.current is None and command.name not in ("help", "quit"):
            self.view.notify_person("No session yet", severity="warning")
            return
        self._commands_running += 1
        try:
            reply = await run_command(self, command, argument)
        except Exception as exc:  # a bug below us must not take the dashboard down
            log.exception("/%s failed", command.name)
            reply = f"/{command.name} failed (internal error): {type(exc).__name__}: {exc}"
        finally:
            self._commands_running -= 1
        if reply:
            self.view.reply(reply)

    async def run_shell(self, command: str) -> str:
        """``!cmd`` through the core bash tool; returns the first line (``exit code N``)."""
        from zeph_tui.core import run_shell

        self.shell_count += 1
        result = await run_shell(self.session, command, call_id=f"shell_{self.shell_count}")
        first = result.text.split("\n", 1)[0]
        self.view.notice(f"$ {command} → {first}")
        return first

    async def before_edit(self) -> None:
        """Checkpoint the working tree before the first editing tool call of a turn.

        Not for a slash command's own tool call: ``/rename`` checkpoints in core.
        """
        from zeph_tui.core import CheckpointError, create_checkpoint

        if not self.checkpoints_enabled or self.current is None or self._commands_running:
            return
        session = self.current
        try:
            await asyncio.to_thread(
                create_checkpoint, self.workspace, session.id, f"before: {session.title or 'turn'}"
            )
            self.checkpoints_made += 1
        except CheckpointError as exc:
            self.checkpoints_enabled = False
            self.view.notify_person(f"checkpoints off: {exc}", severity="warning")

    # ------------------------------------------------------------ reading

    async def git_state(self) -> tuple[str, str]:
        """``(status, diff)`` of the work tree (in a thread)."""
        return await asyncio.to_thread(read_git_state, str(self.workspace))

    async def archive_of(self, tool_call_id: str, result_text: str) -> tuple[str, int] | None:
        """``(overflow id, total bytes)`` of a command's archived output when it was cut.

        The model's copy names ``overflow_id=…`` when it was truncated; the
        completed update carries only the start of that text, so the archive
        row of this tool call is looked up in the store as well.
        """
        if self._runtime is None or self.current is None:
            return None
        match = _OVERFLOW_RE.search(result_text)
        for info in await self._runtime.store.archive.list(limit=50):
            if info.tool_call_id == tool_call_id and info.session_id == self.current.id:
                if match or info.total_bytes > self.current.options.model_copy_limit_bytes:
                    return info.id, info.total_bytes
                return None
        return None

    def completions(self, text: str, token: str) -> list[tuple[str, str]] | None:
        """``(insert, label)`` items for the prompt, or None when nothing applies."""
        from zeph_tui.core import offered

        if text.startswith("/") and " " not in text and "\n" not in text:
            return complete_slash(text[1:], offered(self.features))
        if token.startswith("@"):
            return [(f"@{p} ", p) for p in self.files.match(token[1:])]
        return None

    async def offered_skills(
        self, text: str, limit: int
    ) -> tuple[list[tuple[str, str, float]], int] | None:
        """``([(name, description, score)], skills available)`` for ``text``, best first.

        The BM25 search (and the library's reload check, which stats files)
        runs in a thread, after the runtime's skills warm-up has built the
        index (so the first prompt's provider call does not share the
        interpreter with a second index build). None before the runtime is up.
        """
        if self._runtime is None:
            return None
        await self._runtime.warmup.wait(f"skills:{self.workspace}")
        library = self._runtime.skill_library(self.workspace)

        def rank() -> tuple[list[tuple[str, str, float]], int]:
            library.reload_if_changed()
            hits = library.search(text, limit)
            found = [(h.skill.name, h.skill.description[:120], h.score) for h in hits]
            return found, len(library.skills)

        return await asyncio.to_thread(rank)
