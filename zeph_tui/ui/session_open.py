"""The dashboard's session open path: open behind the paint, warm-up tracking, the prompt queue.

DESIGN.md, "Session open path": the app paints, then calls
:meth:`SessionOpening.open` in the background; prompts go to
:attr:`SessionOpening.queue` at once (:meth:`SessionOpening.submit_prompt`)
and one :meth:`SessionOpening.deliver` sends them, oldest first, when the
session is open and the previous turn has ended, each exactly once. The view
hears what still warms up (:meth:`OpenView.warming_changed`) and what failed;
a failed open keeps the prompts queued and says why. A session that is
replaced (``Ctrl+N``, ``/sessions``) or closed has its own warm-ups cancelled
and awaited (:meth:`~zeph_tui.core.Runtime.close_session`).

:class:`SessionOpening` is the part of
:class:`~zeph_tui.ui.controller.DashboardController` that does this; no
Textual, no Rich.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from zeph_tui.core.tasks import BackgroundTasks
from zeph_tui.ui.prompt_queue import PromptQueue

if TYPE_CHECKING:
    from zeph_tui.core import Approver, EventSink, Runtime, Session
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.safety.sandbox import SandboxNotice

__all__ = ["AppConfig", "OpenView", "SessionOpening"]

log = logging.getLogger(__name__)

Severity = Literal["information", "warning", "error"]

_FIRST_REQUEST_MODULES = ("anyio._backends._asyncio",)
"""Imported by an httpx-based provider's first request on the loop; imported in a
thread during the early warm-up instead (when ``anyio`` is loaded by then)."""


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


class OpenView(Protocol):
    """What the open path asks of the screen (part of :class:`~zeph_tui.ui.controller.DashboardView`)."""

    def notify_person(self, message: str, *, title: str = "", severity: Severity = ...) -> None:
        """A toast."""
        ...

    def notice(self, text: str) -> None:
        """A line in the chat (turn ends, errors, ``!cmd`` exit codes)."""
        ...

    def shell_unconfined(self, notice: SandboxNotice) -> None:
        """``bash`` is not sandboxed: the status-bar marker from now on, and why, once."""
        ...

    def session_opened(self, session: Session) -> None:
        """Show ``session`` (history, title, status) in place of the previous one."""
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


class SessionOpening:
    """Opening sessions behind the paint, tracking their warm-up, delivering queued prompts.

    The controller's constructor calls :meth:`_init_opening`; the attributes
    annotated here are the controller's.
    """

    startup: AppConfig
    workspace: Path
    view: OpenView
    sink: EventSink
    _approver: Approver
    _runtime: Runtime | None
    provider: Provider | None
    current: Session | None
    on_progress: Callable[[str], None] | None

    def _init_opening(self) -> None:
        self.queue = PromptQueue()  # the view watches it (on_change)
        self.open_error: str | None = None
        """Why the last :meth:`open` failed (None: it did not, or none ran yet)."""
        self._opened = asyncio.Event()  # the first open attempt has ended
        self._delivering = False
        self._opening: asyncio.Task[object] | None = None  # the task running open(), if any
        self._warmed: Provider | None = None  # the provider _warm_early started
        self._tasks = BackgroundTasks(log, logging.DEBUG, "early provider warm-up failed")

    async def open(self, resume: str | None) -> Session | None:
        """Open a new session, or resume ``resume`` ('' = the latest in this workspace).

        The session it replaces is cancelled and its warm-ups are stopped
        (:meth:`~zeph_tui.core.Runtime.close_session`) once the new one is open.
        Returns None (after a notification) when no session can be opened.
        """
        from zeph_tui.core import Runtime, ZephError

        self.view.warming_changed(["session"], "")
        self._opening = asyncio.current_task()
        previous = self.current
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
            if previous is not None:
                previous.cancel()
            self.current = await self._runtime.open_session(
                workspace=self.workspace,
                sink=self.sink,
                approver=self._approver,
                asker=self,  # type: ignore[arg-type]  # the controller is the Asker
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
        if previous is not None:
            await self._runtime.close_session(previous)
        self.view.session_opened(self.current)
        self.view.warming_changed(self.warming(), self.warm_failure())
        return self.current

    def warming(self) -> list[str]:
        """What the runtime still warms up (``provider``, ``skills``, ``repo_map``, ``lsp``)."""
        return [] if self._runtime is None else self._runtime.warming()

    def warm_failure(self) -> str:
        """The current session's failed warm-ups, e.g. ``provider: ProviderError: …`` ('' = none).

        The warm-up keeps the error; the first prompt repeats the work and
        shows its own error in the chat (the controller's ``run_turn``).
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

    async def run_turn(self, text: str) -> str:
        """Run one prompt turn to its end (the controller's)."""
        raise NotImplementedError

    def _tell_kept(self) -> None:
        self.view.notice(
            f"error: {self.open_error} (your prompt is kept: Up takes it back, Ctrl+N retries)"
        )

    # ------------------------------------------------------------ warm-up and close

    def _warm_early(self, provider: Provider) -> None:
        """Start ``provider``'s warm-up (SDK import, model load) before the session row.

        The runtime starts it again once the session exists; both await one
        build (:class:`~zeph_tui.core.providers.lazy.LazyResource`), so the
        first prompt waits less by the time the session takes to open. Then
        the modules the first request would import on the loop
        (:data:`_FIRST_REQUEST_MODULES`) are imported in a thread. The task
        is this controller's (cancelled in :meth:`close_opening`); a failure
        is the runtime warm-up's to report.
        """
        warm = getattr(provider, "warm", None)
        if warm is not None and provider is not self._warmed:
            self._warmed = provider
            self._tasks.spawn(_warm_then_preimport(warm))

    def hook_progress(self, provider: Provider) -> None:
        """Show the local model's loading progress (its optional ``on_progress`` hook)."""
        if hasattr(provider, "on_progress") and self.on_progress is not None:
            provider.on_progress = self.on_progress

    async def close_opening(self) -> None:
        """Stop an :meth:`open` in flight, the turn, the session's warm-ups and the early warm-up."""
        opening, self._opening = self._opening, None
        if opening is not None and opening is not asyncio.current_task() and not opening.done():
            opening.cancel()  # its task (the app's session worker) ends here, not half-open
            with contextlib.suppress(BaseException):
                await opening
        if self.current is not None:
            self.current.cancel()
            if self._runtime is not None:
                await self._runtime.close_session(self.current)
        await self._tasks.cancel_all()


async def _warm_then_preimport(warm: Callable[[], Awaitable[object]]) -> None:
    await warm()
    if "anyio" in sys.modules:  # an httpx-based client was built
        for name in _FIRST_REQUEST_MODULES:
            await asyncio.to_thread(importlib.import_module, name)
