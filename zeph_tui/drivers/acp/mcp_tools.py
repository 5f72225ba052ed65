"""MCP servers given in ``session/new``: started, their tools offered to the model.

Spec: https://agentclientprotocol.com/protocol/v1/session-setup#mcp-servers
(stdio, ``http`` (streamable HTTP) and ``sse``, with their ``headers``). Each server runs under one owner task that enters the ``mcp``
client's context managers (``stdio_client`` + ``ClientSession``) and leaves
them on :meth:`McpServers.aclose`, so the anyio scopes open and close in the
same task. Tools appear as ``mcp__<server>__<tool>`` (kind ``other``, not
read-only, so the permission layer asks in ``ask`` mode); descriptions are
sanitised and results wrapped as untrusted content.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from zeph_tui.core import ToolError, ZephError
from zeph_tui.core.events import ToolKind
from zeph_tui.core.safety.sanitize import sanitize, wrap_untrusted
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["McpServers", "McpTool", "tool_name"]

log = logging.getLogger(__name__)

_START_TIMEOUT_S = 20.0
_CALL_TIMEOUT_S = 300.0
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")
_MAX_DESCRIPTION_CHARS = 2000


def tool_name(server: str, tool: str) -> str:
    """``mcp__<server>__<tool>`` with characters outside ``[A-Za-z0-9_-]`` as ``_`` (<= 64)."""
    return f"mcp__{_NAME_CHARS.sub('_', server)}__{_NAME_CHARS.sub('_', tool)}"[:64]


class McpTool(Tool):
    """One tool of one MCP server; subclassed per tool by :meth:`McpServers.tools`."""

    kind: ClassVar[ToolKind] = "other"
    read_only: ClassVar[bool] = False
    server_name: ClassVar[str] = ""
    remote_name: ClassVar[str] = ""

    def __init__(self, call: Any) -> None:
        self._call = call

    def title(self, args: Mapping[str, Any]) -> str:
        return f"{self.server_name}: {self.remote_name}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            async with asyncio.timeout(_CALL_TIMEOUT_S):
                result = await self._call(self.remote_name, dict(args))
        except TimeoutError as exc:
            raise ToolError(f"MCP tool {self.name} timed out after {_CALL_TIMEOUT_S:g} s") from exc
        except Exception as exc:  # the mcp SDK raises its own errors (McpError, anyio...)
            raise ToolError(f"MCP tool {self.name} failed: {type(exc).__name__}: {exc}") from exc
        texts = []
        for item in getattr(result, "content", None) or []:
            text = getattr(item, "text", None)
            texts.append(text if isinstance(text, str) else f"[{getattr(item, 'type', '?')}]")
        source = f"mcp:{self.server_name}"
        clean = sanitize("\n".join(texts), source)
        return ToolResult(
            wrap_untrusted(clean.text, source, clean.flags),
            is_error=bool(getattr(result, "is_error", False)),
        )


class _Server:
    """One running MCP server connection (stdio, http or sse), owned by its task."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.name = str(config["name"])
        self.config = config
        self.session: Any = None
        self.tools: list[Any] = []
        self.ready = asyncio.Event()
        self.stop = asyncio.Event()
        self.error: BaseException | None = None
        self.task: asyncio.Task[None] | None = None

    def _transport(self) -> Any:
        """The ``mcp`` client context manager for this entry's transport."""
        kind = self.config.get("type", "stdio")
        if kind in ("http", "sse"):
            headers = {h["name"]: h["value"] for h in self.config.get("headers") or []}
            url = str(self.config["url"])
            if kind == "sse":
                from mcp.client.sse import sse_client

                return sse_client(url, headers=headers or None)
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            return streamable_http_client(url, http_client=create_mcp_http_client(headers))
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        env = {e["name"]: e["value"] for e in self.config.get("env") or []}
        params = StdioServerParameters(
            command=str(self.config["command"]),
            args=[str(a) for a in self.config.get("args") or []],
            env=env or None,
        )
        return stdio_client(params)

    async def serve(self) -> None:
        try:
            from mcp import ClientSession

            async with self._transport() as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await self._run(session)
        except BaseException as exc:
            self.error = exc
            log.warning("MCP server %s failed: %s", self.name, _describe(exc))
            if not isinstance(exc, Exception):
                raise
        finally:
            self.session = None
            self.ready.set()

    async def _run(self, session: Any) -> None:
        await session.initialize()
        self.tools = list((await session.list_tools()).tools)
        self.session = session
        self.ready.set()
        await self.stop.wait()

    async def call(self, name: str, args: dict[str, Any]) -> Any:
        if self.session is None:
            raise ZephError(f"MCP server {self.name} is not running")
        return await self.session.call_tool(name, args)


def _describe(exc: BaseException) -> str:
    """One line for a start failure (exception groups from anyio are unwrapped)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, FileNotFoundError):
        return f"command not found: {exc.filename or exc}"
    return f"{type(exc).__name__}: {exc}"[:300]


class McpServers:
    """The MCP servers of one ACP session.

    Use ``await McpServers.start(configs)`` then :meth:`tools`; always
    :meth:`aclose` (stops every owner task and its server process).
    """

    def __init__(self) -> None:
        self._servers: list[_Server] = []
        self.skipped: list[tuple[str, str]] = []

    @classmethod
    async def start(cls, configs: list[dict[str, Any]]) -> McpServers:
        """Start the servers of ``configs`` (``$defs/McpServer`` dicts: stdio, http, sse).

        A server that fails to start is logged and skipped; the session works
        without it.
        """
        servers = cls()
        for config in configs:
            kind = config.get("type", "stdio")
            needed = "command" if kind == "stdio" else "url"
            if kind not in ("stdio", "http", "sse") or needed not in config or "name" not in config:
                log.warning("skipping MCP server %r: unsupported entry", config.get("name"))
                servers.skipped.append((str(config.get("name")), f"{kind} is not supported"))
                continue
            server = _Server(config)
            server.task = asyncio.create_task(server.serve(), name=f"mcp-{server.name}")
            servers._servers.append(server)
        for server in servers._servers:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_START_TIMEOUT_S):
                    await server.ready.wait()
        return servers

    def failures(self) -> list[tuple[str, str]]:
        """``(server name, one-line reason)`` for every server that is not running."""
        out = []
        for server in self._servers:
            if server.session is None:
                reason = _describe(server.error) if server.error else "did not answer in time"
                out.append((server.name, reason))
        out.extend(self.skipped)
        return out

    def tools(self) -> list[Tool]:
        """One :class:`McpTool` per tool of every running server."""
        out: list[Tool] = []
        for server in self._servers:
            if server.session is None:
                continue
            for remote in server.tools:
                description = sanitize(str(remote.description or ""), f"mcp:{server.name}").text
                cls = type(
                    "McpTool_" + _NAME_CHARS.sub("_", remote.name),
                    (McpTool,),
                    {
                        "name": tool_name(server.name, remote.name),
                        "description": f"[MCP server {server.name}] "
                        + description[:_MAX_DESCRIPTION_CHARS],
                        "input_schema": dict(remote.input_schema or {"type": "object"}),
                        "server_name": server.name,
                        "remote_name": remote.name,
                    },
                )
                out.append(cls(server.call))
        return out

    async def aclose(self) -> None:
        """Stop every server and await its owner task."""
        for server in self._servers:
            server.stop.set()
        for server in self._servers:
            if server.task is None:
                continue
            try:
                async with asyncio.timeout(5):
                    await server.task
            except TimeoutError:
                server.task.cancel()
                with contextlib.suppress(BaseException):
                    await server.task
        self._servers.clear()
