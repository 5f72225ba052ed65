"""One ACP session: the core Session plus what the ACP face keeps beside it.

Mode and model changes go through here so the core, the store and the client
(``current_mode_update``, ``config_option_update``) stay in step.
Spec: https://agentclientprotocol.com/protocol/v1/session-modes and
/session-config-options.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import RequestError
from zeph_tui.drivers.acp.modes import config_options, from_acp_mode, mode_state, to_acp_mode

if TYPE_CHECKING:
    from zeph_tui.core import Runtime, Session
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.drivers.acp.mcp_tools import McpServers
    from zeph_tui.drivers.acp.ports import AcpSink
    from zeph_tui.drivers.acp.setup import TurnTicket

__all__ = ["SessionState"]

log = logging.getLogger(__name__)


def _known_models(provider_name: str) -> list[str]:
    from zeph_tui.core.commands.builtin import known_models

    return known_models(provider_name)


@dataclass(slots=True)
class SessionState:
    """The ACP face's record of one open session.

    Attributes:
        session: the core session (history, mode, provider, cancellation).
        runtime: the process-wide runtime (store, provider factory).
        sink: sends this session's ``session/update`` notifications.
        cwd: the session's working directory (absolute).
        mcp: its MCP servers, when the client gave some.
        retired: providers replaced by a model switch, closed with the session.
        turn: the prompt being served (from its arrival to its answer), if any.
        prompted: a prompt was received (commands were re-sent with the first).
    """

    session: Session
    runtime: Runtime
    sink: AcpSink
    cwd: Path
    mcp: McpServers | None = None
    retired: list[Provider] = field(default_factory=list)
    turn: TurnTicket | None = None
    prompted: bool = False

    @property
    def acp_mode(self) -> str:
        return to_acp_mode(self.session.mode)

    def modes(self) -> dict[str, Any]:
        """``$defs/SessionModeState``."""
        return mode_state(self.session.mode)

    def config_options(self) -> list[dict[str, Any]]:
        """``$defs/SessionConfigOption`` list with the current values."""
        provider = self.session.provider
        thinking = None
        if self.sink.client.can("session", "configOptions", "boolean"):
            thinking = self.session.options.thinking_budget_tokens > 0
        return config_options(
            self.session.mode, provider.model, _known_models(provider.name), thinking
        )

    async def set_thinking(self, on: bool) -> None:
        """Extended thinking on (the configured budget, else 4096 tokens) or off; tell the client."""
        configured = self.runtime.settings.provider.thinking_budget_tokens
        self.session.options.thinking_budget_tokens = (configured or 4096) if on else 0
        await self.send_config_update()

    async def set_mode(self, acp_mode: str, *, field_name: str = "modeId") -> None:
        """Switch the permission mode and tell the client.

        Raises:
            RequestError: ``-32602`` for an unknown mode id, naming ``field_name``.
        """
        try:
            core_mode = from_acp_mode(acp_mode)
        except KeyError:
            valid = ", ".join(("ask", "code", "plan", "bypass"))
            raise RequestError.invalid_params(
                f"{field_name}: unknown mode {acp_mode[:40]!r} (valid: {valid})"
            ) from None
        await self.session.set_mode(core_mode)  # emits current_mode_update through the sink
        await self.send_config_update()

    async def set_model(self, model: str, *, field_name: str = "value") -> None:
        """Switch the model of this session (a new provider; the old one closes later).

        Raises:
            RequestError: ``-32602`` naming ``field_name`` when the model is unknown.
        """
        from zeph_tui.core import ZephError, switch_model

        try:
            old = await switch_model(self.session, self.runtime, model)
        except ZephError as exc:
            raise RequestError.invalid_params(f"{field_name}: {exc}") from exc
        if old is not None:
            self.retired.append(old)
            await self.send_config_update()

    async def send_config_update(self) -> None:
        await self.sink.send(
            {"sessionUpdate": "config_option_update", "configOptions": self.config_options()}
        )

    async def aclose(self) -> None:
        """Cancel the running turn and the provider's warm-up, stop MCP servers, close providers."""
        self.session.cancel()
        await self.runtime.close_session(self.session)
        if self.mcp is not None:
            await self.mcp.aclose()
        for provider in [*self.retired, self.session.provider]:
            with contextlib.suppress(Exception):
                await provider.aclose()
        self.retired.clear()
