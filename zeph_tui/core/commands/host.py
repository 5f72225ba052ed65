"""What a face gives a slash command: the :class:`CommandHost` protocol.

Every face that takes ``/commands`` (the dashboard, the ACP agent) implements
this small protocol once; each command is implemented once, in
:mod:`zeph_tui.core.commands.builtin`, against it. A face that cannot offer a
*feature* (opening sessions, side panes, quitting) says so in
:attr:`CommandHost.features`; commands needing it are not listed by that face
and, when typed anyway, answer :meth:`CommandHost.unavailable_reason`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

from zeph_tui.core.errors import ZephError

if TYPE_CHECKING:
    from zeph_tui.core.ports import Approver
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.runtime import Runtime
    from zeph_tui.core.session.session import Session

__all__ = ["CommandError", "CommandHost", "Feature", "Pane"]

Feature = Literal["sessions", "panes", "quit"]
"""``sessions``: the face opens and switches sessions itself (ACP clients do that
through ``session/new`` and ``session/load``); ``panes``: it has side panes;
``quit``: the person can leave it from the prompt."""

Pane = Literal["diagnostics", "skills", "git", "plan", "memory"]


class CommandError(ZephError):
    """A person's mistake in a command line (usage, unknown mode, bad target).

    The message is the reply, shown as it is by every face.
    """


class CommandHost(Protocol):
    """The face a command runs in.

    Attributes:
        face: a short name for replies (``dashboard``, ``ACP``).
        features: what the face offers beyond the core (see :data:`Feature`).
        help_notes: ``(syntax, meaning)`` rows ``/help`` adds (the face's input syntax, keys).
    """

    face: str
    features: frozenset[Feature]
    help_notes: tuple[tuple[str, str], ...]

    @property
    def session(self) -> Session:
        """The session the command acts on (there always is one)."""
        ...

    @property
    def runtime(self) -> Runtime:
        """The process-wide runtime (store, provider factory, code intelligence)."""
        ...

    @property
    def approver(self) -> Approver:
        """Asks the person before a command edits files (``/rename`` outside bypass)."""
        ...

    def unavailable_reason(self, feature: Feature) -> str:
        """One line saying why this face lacks ``feature`` and what to use instead."""
        ...

    async def provider_switched(self, old: Provider) -> None:
        """``session.provider`` was replaced; close or retire ``old``, refresh views."""
        ...

    async def mode_changed(self) -> None:
        """``session.mode`` changed (the core already emitted ``current_mode_update``)."""
        ...

    async def history_cleared(self) -> None:
        """The conversation was cleared from the context; clear what shows it."""
        ...

    async def workspace_changed(self) -> None:
        """Files changed outside a model turn (``/undo``, ``/rename``)."""
        ...

    def show_pane(self, pane: Pane) -> None:
        """Bring ``pane`` forward where the face has panes (a no-op elsewhere)."""
        ...

    async def new_session(self) -> str:
        """Open a new empty session in the same workspace; returns its id (``sessions``)."""
        ...

    async def pick_session(self) -> None:
        """Let the person list, resume or start sessions (``sessions``)."""
        ...

    def quit(self) -> None:
        """Leave the face (``quit``)."""
        ...
