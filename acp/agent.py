"""The agent side of ACP: the :class:`Agent` protocol and its connection.

Spec: https://agentclientprotocol.com/protocol/v1/overview#agent (initialization,
session setup, prompt turn, cancellation, session modes/config, extensibility).

:class:`AgentSideConnection` reads client frames, checks params per method
(:mod:`acp.params`), and calls the matching :class:`Agent` method; the value it
returns becomes the JSON-RPC ``result`` (``None`` becomes ``{}``). An agent
method that the agent object lacks answers ``-32601``. Extension methods
(names starting with ``_``) go to ``ext_method`` / ``ext_notification``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from acp import messages as m
from acp.client import Client
from acp.errors import RequestError
from acp.jsonrpc import Connection
from acp.params import check_params
from acp.transport import (
    DEFAULT_MAX_FRAME_BYTES,
    FrameSink,
    guard_stdin,
    guard_stdout,
    open_fd_streams,
)

__all__ = ["Agent", "AgentFactory", "AgentSideConnection", "BaseAgent", "run_agent_stdio"]

_log = logging.getLogger("acp.agent")

# method -> name of the Agent attribute handling it
_ROUTES: dict[str, str] = {
    m.INITIALIZE: "initialize",
    m.AUTHENTICATE: "authenticate",
    m.LOGOUT: "logout",
    m.SESSION_NEW: "new_session",
    m.SESSION_LOAD: "load_session",
    m.SESSION_LIST: "list_sessions",
    m.SESSION_RESUME: "resume_session",
    m.SESSION_CLOSE: "close_session",
    m.SESSION_DELETE: "delete_session",
    m.SESSION_SET_MODE: "set_session_mode",
    m.SESSION_SET_CONFIG_OPTION: "set_config_option",
    m.SESSION_PROMPT: "prompt",
}


class Agent(Protocol):
    """What an ACP agent implements; every method receives the checked params dict.

    Return the result dict (``None`` means ``{}``); raise
    :class:`~acp.errors.RequestError` to answer an error (e.g.
    ``RequestError.resource_not_found("session x")``); any other exception
    answers ``-32603``. Subclass :class:`BaseAgent` to get ``-32601`` for the
    methods you do not support.
    """

    async def initialize(self, params: m.InitializeRequest) -> m.InitializeResponse:
        """``initialize``: negotiate version and capabilities (spec: /initialization)."""
        ...

    async def authenticate(self, params: m.AuthenticateRequest) -> dict[str, Any] | None:
        """``authenticate`` with one of the advertised ``authMethods``."""
        ...

    async def logout(self, params: m.LogoutRequest) -> dict[str, Any] | None:
        """``logout`` (requires the ``auth.logout`` agent capability)."""
        ...

    async def new_session(self, params: m.NewSessionRequest) -> m.NewSessionResponse:
        """``session/new``: create a session in ``params["cwd"]`` (spec: /session-setup)."""
        ...

    async def load_session(self, params: m.LoadSessionRequest) -> m.LoadSessionResponse | None:
        """``session/load``: replay history as ``session/update``s, then answer."""
        ...

    async def list_sessions(self, params: m.ListSessionsRequest) -> m.ListSessionsResponse:
        """``session/list``: known sessions, optionally filtered by ``cwd``, paged by ``cursor``."""
        ...

    async def resume_session(
        self, params: m.ResumeSessionRequest
    ) -> m.ResumeSessionResponse | None:
        """``session/resume``: reattach to a session without replaying history."""
        ...

    async def close_session(self, params: m.CloseSessionRequest) -> dict[str, Any] | None:
        """``session/close``: cancel its work and free its resources."""
        ...

    async def delete_session(self, params: m.DeleteSessionRequest) -> dict[str, Any] | None:
        """``session/delete``: remove a stored session."""
        ...

    async def set_session_mode(self, params: m.SetSessionModeRequest) -> dict[str, Any] | None:
        """``session/set_mode``: switch to ``params["modeId"]`` (spec: /session-modes)."""
        ...

    async def set_config_option(
        self, params: m.SetSessionConfigOptionRequest
    ) -> m.SetSessionConfigOptionResponse:
        """``session/set_config_option``: set ``configId`` to ``value``; return all options."""
        ...

    async def prompt(self, params: m.PromptRequest) -> m.PromptResponse:
        """``session/prompt``: run one turn, streaming ``session/update``s (spec: /prompt-turn).

        Must return ``{"stopReason": "cancelled"}`` after a ``session/cancel``
        for that session, even if the work below raised.
        """
        ...

    async def cancel(self, params: m.CancelNotification) -> None:
        """``session/cancel`` notification: stop the session's running turn.

        Awaited inline by the reader, so it must be quick: set an event or
        cancel a task, do not wait for the turn to finish.
        """
        ...

    async def ext_method(self, method: str, params: dict[str, Any]) -> Any:
        """An extension request (``method`` starts with ``_``)."""
        ...

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        """An extension notification (``method`` starts with ``_``)."""
        ...


class BaseAgent:
    """An :class:`Agent` that supports nothing: subclass and override what you serve.

    Unsupported requests answer ``-32601``; ``cancel`` and extension
    notifications are ignored. ``self.client`` is the :class:`~acp.client.Client`.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    async def initialize(self, params: m.InitializeRequest) -> m.InitializeResponse:
        return {"protocolVersion": m.PROTOCOL_VERSION, "agentCapabilities": {}, "authMethods": []}

    async def authenticate(self, params: m.AuthenticateRequest) -> dict[str, Any] | None:
        raise RequestError.method_not_found(m.AUTHENTICATE)

    async def logout(self, params: m.LogoutRequest) -> dict[str, Any] | None:
        raise RequestError.method_not_found(m.LOGOUT)

    async def new_session(self, params: m.NewSessionRequest) -> m.NewSessionResponse:
        raise RequestError.method_not_found(m.SESSION_NEW)

    async def load_session(self, params: m.LoadSessionRequest) -> m.LoadSessionResponse | None:
        raise RequestError.method_not_found(m.SESSION_LOAD)

    async def list_sessions(self, params: m.ListSessionsRequest) -> m.ListSessionsResponse:
        raise RequestError.method_not_found(m.SESSION_LIST)

    async def resume_session(
        self, params: m.ResumeSessionRequest
    ) -> m.ResumeSessionResponse | None:
        raise RequestError.method_not_found(m.SESSION_RESUME)

    async def close_session(self, params: m.CloseSessionRequest) -> dict[str, Any] | None:
        raise RequestError.method_not_found(m.SESSION_CLOSE)

    async def delete_session(self, params: m.DeleteSessionRequest) -> dict[str, Any] | None:
        raise RequestError.method_not_found(m.SESSION_DELETE)

    async def set_session_mode(self, params: m.SetSessionModeRequest) -> dict[str, Any] | None:
        raise RequestError.method_not_found(m.SESSION_SET_MODE)

    async def set_config_option(
        self, params: m.SetSessionConfigOptionRequest
    ) -> m.SetSessionConfigOptionResponse:
        raise RequestError.method_not_found(m.SESSION_SET_CONFIG_OPTION)

    async def prompt(self, params: m.PromptRequest) -> m.PromptResponse:
        raise RequestError.method_not_found(m.SESSION_PROMPT)

    async def cancel(self, params: m.CancelNotification) -> None:
        return None

    async def ext_method(self, method: str, params: dict[str, Any]) -> Any:
        raise RequestError.method_not_found(method)

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        return None


AgentFactory = Callable[[Client], Agent]
"""Builds the agent for one connection, given the proxy for calling the client."""


class AgentSideConnection:
    """Serves one ACP client: frames in from ``reader``, frames out to ``writer``.

    Args:
        agent_factory: called once with the :class:`~acp.client.Client` proxy.
        reader: the client's frames (e.g. stdin).
        writer: where our frames go (e.g. the guarded stdout).
        max_frame_bytes: longest accepted incoming line, in bytes.
        shutdown_grace_s: after EOF, seconds running requests get to answer.

    Attributes:
        client: the proxy for agent -> client calls.
        agent: the agent built by ``agent_factory``.
    """

    def __init__(
        self,
        agent_factory: AgentFactory,
        reader: asyncio.StreamReader,
        writer: FrameSink,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        shutdown_grace_s: float = 1.0,
    ) -> None:
        self.connection = Connection(
            reader,
            writer,
            self._handle_request,
            self._handle_notification,
            max_frame_bytes=max_frame_bytes,
            shutdown_grace_s=shutdown_grace_s,
        )
        self.client = Client(self.connection)
        self.agent = agent_factory(self.client)

    async def run(self) -> None:
        """Serve until the client closes its end (EOF), then shut down cleanly."""
        await self.connection.run()

    async def close(self) -> None:
        """Stop serving: cancel running handlers, fail pending client calls."""
        await self.connection.close()

    async def _handle_request(self, method: str, params: Any) -> Any:
        if method.startswith("_"):
            return await self.agent.ext_method(method, self._ext_params(params))
        attr = _ROUTES.get(method)
        if attr is None:
            raise RequestError.method_not_found(method)
        checked = check_params(method, params)
        handler = getattr(self.agent, attr, None)
        if handler is None:
            raise RequestError.method_not_found(method)
        if method == m.INITIALIZE:
            capabilities = checked.get("clientCapabilities")
            self.client.capabilities = capabilities if isinstance(capabilities, dict) else {}
            info = checked.get("clientInfo")
            self.client.client_info = info if isinstance(info, dict) else None
        return await handler(checked)

    async def _handle_notification(self, method: str, params: Any) -> None:
        if method == m.SESSION_CANCEL:
            try:
                checked = check_params(method, params)
            except RequestError as exc:
                _log.warning("ignoring session/cancel: %s", exc.message)
                return
            await self.agent.cancel(checked)  # type: ignore[arg-type]
        elif method.startswith("_"):
            if params is not None and not isinstance(params, dict):
                _log.warning("ignoring %.100s: params: expected object", method)
                return
            await self.agent.ext_notification(method, params or {})
        else:
            _log.debug("ignoring unknown notification %.100s", method)

    @staticmethod
    def _ext_params(params: Any) -> dict[str, Any]:
        if params is None:
            return {}
        if not isinstance(params, dict):
            raise RequestError.invalid_params("params: expected object")
        return params


async def run_agent_stdio(
    agent_factory: AgentFactory, *, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
) -> None:
    """Serve ACP on this process's stdin/stdout until the client closes stdin.

    Calls :func:`~acp.transport.guard_stdout` and
    :func:`~acp.transport.guard_stdin` first, so only protocol frames reach the
    real stdout and child processes cannot read the real stdin.

    Args:
        agent_factory: builds the agent given the client proxy.
        max_frame_bytes: longest accepted incoming line, in bytes.
    """
    out_fd = guard_stdout()
    in_fd = guard_stdin()
    reader, writer = await open_fd_streams(in_fd, out_fd)
    connection = AgentSideConnection(agent_factory, reader, writer, max_frame_bytes=max_frame_bytes)
    try:
        await connection.run()
    finally:
        writer.close()
