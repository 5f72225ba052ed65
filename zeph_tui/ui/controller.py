"""What the dashboard does, without Textual: sessions, turns, commands, checkpoints, git.

:class:`DashboardController` owns the runtime, the provider and the session of
the dashboard and is its :class:`~zeph_tui.core.commands.CommandHost` (face
features ``sessions``, ``panes`` and ``quit``). It talks back to the screen only
through :class:`DashboardView`, a small protocol the Textual app implements;
errors become notices, never exceptions. This module imports no Textual and
no Rich (an import-linter contract keeps it so).

The session open path (open behind the paint, warm-up tracking, the prompt
queue and its one deliverer) is :class:`~zeph_tui.ui.session_open.SessionOpening`,
which the controller extends.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from zeph_tui.ui.completion import FileIndex, complete_slash, prompt_blocks
from zeph_tui.ui.git_state import read_git_state
from zeph_tui.ui.session_open import AppConfig, OpenView, SessionOpening, Severity

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
    from zeph_tui.core.store.sessions import SessionRecord

__all__ = [
    "DASHBOARD_FEATURES",
    "HELP_NOTES",
    "AppConfig",
    "DashboardController",
    "DashboardView",
    "Severity",
]

log = logging.getLogger(__name__)

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


class DashboardView(OpenView, Protocol):
    """What the controller asks of the screen (the Textual app implements it)."""

    def reply(self, text: str) -> None:
        """A slash command's reply in the chat."""
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


class DashboardController(SessionOpening):
    """The dashboard's sessions, turns, commands, checkpoints, git and completions.

    Args:
        startup: workspace, overrides and the optional runtime/provider (tests).
        view: the screen.
        sink / approver: the dashboard's ports, given to every session.
        on_progress: shows a local model's loading progress (any thread).
    """

    view: DashboardView
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
        self._init_opening()

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

    async def aclose(self) -> None:
        """Stop an :meth:`open` in flight and the turn; close the provider and runtime it owns."""
        await self.close_opening()
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
