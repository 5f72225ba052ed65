"""The agent's handle on the client: typed calls of the client-side ACP methods.

Spec: https://agentclientprotocol.com/protocol/v1/overview#client (file system,
terminals, permission, ``session/update``). Methods guarded by a client
capability (``fs.readTextFile``, ``fs.writeTextFile``, ``terminal``) should only
be called when :attr:`Client.capabilities` advertises it; the client answers
``-32601`` otherwise, raised here as :class:`~acp.errors.RequestError`.

A negative ``timeout_s`` (the default where shown as ``-1.0``) means the
class default for that family (:attr:`Client.fs_timeout_s`,
:attr:`Client.terminal_timeout_s`); ``None`` waits forever.

Every request method raises :class:`~acp.errors.RequestError` (error answer),
:class:`~acp.errors.RequestTimeoutError` (no answer within ``timeout_s``) or
:class:`~acp.errors.ConnectionClosedError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from acp import messages as m
from acp.errors import RequestError
from acp.jsonrpc import Connection

__all__ = ["Client"]


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


class Client:
    """Proxy for calls from the agent to the client over one connection.

    Attributes:
        capabilities: the ``clientCapabilities`` of the last ``initialize``
            request (``{}`` before it), e.g. ``{"fs": {"readTextFile": True}}``.
        client_info: the ``clientInfo`` of ``initialize`` (or None).
    """

    fs_timeout_s: float | None = 60.0
    """Default wait for ``fs/*`` answers, in seconds."""
    terminal_timeout_s: float | None = 60.0
    """Default wait for ``terminal/*`` answers except ``wait_for_exit``, in seconds."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.capabilities: dict[str, Any] = {}
        self.client_info: dict[str, Any] | None = None

    def can(self, *path: str) -> bool:
        """Whether a capability is advertised, e.g. ``can("fs", "readTextFile")``, ``can("terminal")``.

        ``true`` and an object (``{}`` included, as ACP uses for
        ``session.notices``, ``elicitation.form``...) count as present;
        ``false``, ``null`` and absence do not.
        """
        node: Any = self.capabilities
        for key in path:
            if not isinstance(node, dict):
                return False
            node = node.get(key)
        return node is True or isinstance(node, dict)

    async def session_update(self, session_id: str, update: m.SessionUpdate) -> None:
        """Send a ``session/update`` notification ``{sessionId, update}``.

        Args:
            session_id: the session the update belongs to.
            update: one ``$defs/SessionUpdate`` dict (see :mod:`acp.updates`).
        """
        params: m.SessionNotification = {"sessionId": session_id, "update": update}
        await self._connection.send_notification(m.SESSION_UPDATE, params)

    async def request_permission(
        self,
        session_id: str,
        tool_call: dict[str, Any],
        options: Sequence[m.PermissionOption],
        *,
        timeout_s: float | None = None,
    ) -> m.RequestPermissionResponse:
        """Ask the user to allow a tool call (``session/request_permission``).

        Args:
            session_id: the session.
            tool_call: a ``$defs/ToolCallUpdate`` (at least ``toolCallId``).
            options: the choices, e.g. ``{"optionId": "allow", "name": "Allow", "kind": "allow_once"}``.
            timeout_s: seconds to wait; ``None`` (default) waits for the user.

        Returns:
            ``{"outcome": {"outcome": "selected", "optionId": ...}}`` or
            ``{"outcome": {"outcome": "cancelled"}}`` (after ``session/cancel``).
        """
        params = {"sessionId": session_id, "toolCall": tool_call, "options": list(options)}
        result = await self._connection.send_request(
            m.SESSION_REQUEST_PERMISSION, params, timeout_s=timeout_s
        )
        return cast(m.RequestPermissionResponse, result)

    async def read_text_file(
        self,
        session_id: str,
        path: str,
        *,
        line: int | None = None,
        limit_lines: int | None = None,
        timeout_s: float | None = -1.0,
    ) -> str:
        """Read a text file as the editor sees it, unsaved changes included (``fs/read_text_file``).

        Args:
            session_id: the session.
            path: absolute path.
            line: first line to read, 1-based (None: from the start).
            limit_lines: maximum number of lines (None: all).
            timeout_s: seconds to wait; default :attr:`fs_timeout_s`.

        Returns:
            The file content.
        """
        params = _drop_none(sessionId=session_id, path=path, line=line, limit=limit_lines)
        result = await self._request(m.FS_READ_TEXT_FILE, params, timeout_s, self.fs_timeout_s)
        content = result.get("content") if isinstance(result, dict) else None
        if not isinstance(content, str):
            raise RequestError.internal_error({"badResult": m.FS_READ_TEXT_FILE})
        return content

    async def write_text_file(
        self, session_id: str, path: str, content: str, *, timeout_s: float | None = -1.0
    ) -> None:
        """Write a text file through the client (``fs/write_text_file``); ``path`` is absolute."""
        params = {"sessionId": session_id, "path": path, "content": content}
        await self._request(m.FS_WRITE_TEXT_FILE, params, timeout_s, self.fs_timeout_s)

    async def create_terminal(
        self,
        session_id: str,
        command: str,
        *,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        output_byte_limit: int | None = None,
        timeout_s: float | None = -1.0,
    ) -> str:
        """Start ``command`` in a client terminal (``terminal/create``).

        Args:
            session_id: the session.
            command: the program to run.
            args: its arguments.
            env: extra environment variables.
            cwd: absolute working directory (None: the session's).
            output_byte_limit: bytes of output the client retains (older bytes dropped).
            timeout_s: seconds to wait for the answer; default :attr:`terminal_timeout_s`.

        Returns:
            The terminal id; release it with :meth:`release_terminal`.
        """
        env_list = [{"name": k, "value": v} for k, v in (env or {}).items()]
        params = _drop_none(
            sessionId=session_id,
            command=command,
            args=list(args),
            env=env_list,
            cwd=cwd,
            outputByteLimit=output_byte_limit,
        )
        result = await self._request(m.TERMINAL_CREATE, params, timeout_s, self.terminal_timeout_s)
        return str(result["terminalId"])

    async def terminal_output(
        self, session_id: str, terminal_id: str, *, timeout_s: float | None = -1.0
    ) -> m.TerminalOutputResponse:
        """Current output: ``{"output": str, "truncated": bool, "exitStatus"?: {...}}``."""
        params = {"sessionId": session_id, "terminalId": terminal_id}
        result = await self._request(m.TERMINAL_OUTPUT, params, timeout_s, self.terminal_timeout_s)
        return cast(m.TerminalOutputResponse, result)

    async def wait_for_terminal_exit(
        self, session_id: str, terminal_id: str, *, timeout_s: float | None = None
    ) -> m.WaitForTerminalExitResponse:
        """Wait for the command to exit: ``{"exitCode": int | None, "signal": str | None}``."""
        params = {"sessionId": session_id, "terminalId": terminal_id}
        result = await self._request(m.TERMINAL_WAIT_FOR_EXIT, params, timeout_s, None)
        return cast(m.WaitForTerminalExitResponse, result)

    async def kill_terminal(
        self, session_id: str, terminal_id: str, *, timeout_s: float | None = -1.0
    ) -> None:
        """Kill the command; the terminal stays valid until released (``terminal/kill``)."""
        params = {"sessionId": session_id, "terminalId": terminal_id}
        await self._request(m.TERMINAL_KILL, params, timeout_s, self.terminal_timeout_s)

    async def release_terminal(
        self, session_id: str, terminal_id: str, *, timeout_s: float | None = -1.0
    ) -> None:
        """Kill if running and free the terminal (``terminal/release``)."""
        params = {"sessionId": session_id, "terminalId": terminal_id}
        await self._request(m.TERMINAL_RELEASE, params, timeout_s, self.terminal_timeout_s)

    async def create_elicitation(
        self, params: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Ask the user for structured input (``elicitation/create``; ``elicitation.form`` capability).

        Args:
            params: a ``$defs/CreateElicitationRequest``, e.g. ``{"sessionId", "mode": "form",
                "message", "requestedSchema": {"type": "object", "properties": {...}}}``.
            timeout_s: seconds to wait; ``None`` (default) waits for the user.

        Returns:
            ``{"action": "accept", "content": {...}}``, ``{"action": "decline"}`` or
            ``{"action": "cancel"}``.
        """
        result = await self._connection.send_request(
            m.ELICITATION_CREATE, params, timeout_s=timeout_s
        )
        if not isinstance(result, dict):
            raise RequestError.internal_error({"badResult": m.ELICITATION_CREATE})
        return result

    async def ext_method(
        self, method: str, params: dict[str, Any], *, timeout_s: float | None = None
    ) -> Any:
        """Call an extension method (its name must start with ``_``)."""
        return await self._connection.send_request(method, params, timeout_s=timeout_s)

    async def ext_notification(self, method: str, params: dict[str, Any]) -> None:
        """Send an extension notification (its name must start with ``_``)."""
        await self._connection.send_notification(method, params)

    async def _request(
        self, method: str, params: dict[str, Any], timeout_s: float | None, default_s: float | None
    ) -> Any:
        wait_s = default_s if timeout_s is not None and timeout_s < 0 else timeout_s
        return await self._connection.send_request(method, params, timeout_s=wait_s)
