"""Slash commands over ACP: the core registry behind an :class:`AcpHost`.

Spec: https://agentclientprotocol.com/protocol/v1/slash-commands. The list the
client shows (``available_commands_update``) is generated from
:data:`zeph_tui.core.commands.COMMANDS` with the ACP face's features (no
``sessions``, ``panes`` or ``quit``: the client opens and switches sessions
itself, so ``/new``, ``/sessions``, ``/git`` and ``/quit`` are not listed and,
typed anyway, answer why). A prompt whose first text block starts with
``/<name>`` for a registry name is run by the core implementation, without a
model call; the reply streams as ``agent_message_chunk`` and the turn ends
with ``end_turn``. Other ``/text`` goes to the model as a prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeph_tui.core import Command, Feature, Pane, Runtime, Session
    from zeph_tui.core.ports import Approver
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.drivers.acp.state import SessionState

__all__ = [
    "ACP_FEATURES",
    "UNAVAILABLE",
    "AcpHost",
    "available_commands_update",
    "parse_command",
    "run_command",
]

ACP_FEATURES: frozenset[Feature] = frozenset()
"""The ACP face offers no face features: the client owns sessions and layout."""

UNAVAILABLE: dict[Feature, str] = {
    "sessions": "the client opens and switches sessions (session/new, session/load).",
    "panes": "the client shows tool calls and files itself.",
    "quit": "close the session in the client instead.",
}
"""Why the ACP face lacks each feature (the reply to a command that needs it)."""


def available_commands_update() -> dict[str, Any]:
    """The ``available_commands_update`` payload (``$defs/AvailableCommandsUpdate``)."""
    from zeph_tui.core import available_commands

    return available_commands(ACP_FEATURES).to_acp()


def parse_command(prompt: list[dict[str, Any]]) -> tuple[Command, str] | None:
    """``(command, argument)`` when the first text block is ``/<registry name> [argument]``."""
    from zeph_tui.core import parse_command as parse

    first = next((b for b in prompt if b.get("type") == "text"), None)
    return None if first is None else parse(str(first.get("text", "")))


@dataclass(slots=True)
class AcpHost:
    """The ACP face as a :class:`~zeph_tui.core.commands.CommandHost` of one session."""

    state: SessionState
    face: str = "ACP agent"
    features: frozenset[Feature] = ACP_FEATURES
    help_notes: tuple[tuple[str, str], ...] = ()

    @property
    def session(self) -> Session:
        return self.state.session

    @property
    def runtime(self) -> Runtime:
        return self.state.runtime

    @property
    def approver(self) -> Approver:
        from zeph_tui.drivers.acp.ports import AcpApprover

        return AcpApprover(self.state.sink.client, self.state.session.id)

    def unavailable_reason(self, feature: Feature) -> str:
        return UNAVAILABLE[feature]

    async def provider_switched(self, old: Provider) -> None:
        self.state.retired.append(old)
        await self.state.send_config_update()

    async def mode_changed(self) -> None:
        await self.state.send_config_update()

    async def history_cleared(self) -> None:
        """Nothing to clear on this side: the client keeps its own transcript."""

    async def workspace_changed(self) -> None:
        """The client watches its own buffers and files."""

    def show_pane(self, pane: Pane) -> None:
        """The client lays out its own views."""

    async def new_session(self) -> str:
        raise AssertionError("not offered over ACP (no 'sessions' feature)")

    async def pick_session(self) -> None:
        raise AssertionError("not offered over ACP (no 'sessions' feature)")

    def quit(self) -> None:
        raise AssertionError("not offered over ACP (no 'quit' feature)")


async def run_command(state: SessionState, command: Command, argument: str) -> str:
    """Run one registry command for ``state``'s session; returns the reply text."""
    from zeph_tui.core import run_command as run

    return await run(AcpHost(state), command, argument)
