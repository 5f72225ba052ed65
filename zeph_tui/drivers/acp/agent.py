"""``ZephAgent``: ACP requests mapped onto the core's Runtime and Sessions.

Spec: https://agentclientprotocol.com/protocol/v1 (initialization,
session-setup incl. load/list/resume/close, prompt-turn, session-modes,
session-config-options, slash-commands). One Runtime per process (started on
the first session request), one core Session per ACP session; sessions are
isolated (cwd, history, permissions, cancellation) and persisted in SQLite,
so ``session/load`` works after a restart.

This module imports only :mod:`acp` and the standard library at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import acp
from acp import RequestError
from acp import messages as m
from zeph_tui.drivers.acp.commands import available_commands_update, parse_command
from zeph_tui.drivers.acp.modes import CONFIG_MODE, CONFIG_MODEL, CONFIG_THINKING
from zeph_tui.drivers.acp.setup import TurnTicket, notice, replay_payload, workspace_dir
from zeph_tui.drivers.acp.shared_runtime import SharedRuntime
from zeph_tui.drivers.acp.turn import first_prompt, run_prompt, run_slash

if TYPE_CHECKING:
    from zeph_tui.core import Runtime
    from zeph_tui.drivers.acp.state import SessionState

__all__ = ["SharedRuntime", "ZephAgent"]

log = logging.getLogger(__name__)

_LIST_PAGE = 50


def _cwd(params: dict[str, Any]) -> Path:
    return workspace_dir(params["cwd"], "cwd")


def _extra_dirs(params: dict[str, Any]) -> list[Path]:
    """``additionalDirectories``: extra workspace roots (read and write), same rule as ``cwd``."""
    dirs = params.get("additionalDirectories") or []
    return [workspace_dir(d, f"additionalDirectories[{i}]") for i, d in enumerate(dirs)]


def _options(runtime: Runtime, extra_dirs: list[Path]) -> Any:
    """The runtime's session options with ``additionalDirectories`` as extra write roots."""
    options = runtime.session_options()
    if extra_dirs:
        options.extra_write_roots = (*options.extra_write_roots, *extra_dirs)
    return options


class ZephAgent(acp.BaseAgent):
    """The zeph-tui ACP agent (one per connection).

    Args:
        client: the proxy for agent -> client calls.
        provider / model: command-line overrides of the provider resolution.
    """

    def __init__(
        self,
        client: acp.Client,
        *,
        provider: str | None = None,
        model: str | None = None,
        shared: SharedRuntime | None = None,
    ) -> None:
        super().__init__(client)
        self._shared = shared or SharedRuntime(provider, model)
        self._owns_runtime = shared is None
        self._sessions: dict[str, SessionState] = {}
        self._opening: dict[str, asyncio.Lock] = {}

    # ------------------------------------------------------------ lifecycle

    async def initialize(self, params: m.InitializeRequest) -> m.InitializeResponse:
        """``initialize`` (spec: /initialization): version 1 and our capabilities."""
        from zeph_tui.drivers.acp.fastinit import initialize_result

        return initialize_result()  # type: ignore[return-value]

    def prestart(self) -> None:
        """Start the runtime ahead of the first session request (see ``SharedRuntime``)."""
        self._shared.prestart()

    async def aclose(self) -> None:
        """Close every session and the runtime (at EOF)."""
        for state in list(self._sessions.values()):
            with contextlib.suppress(Exception):
                await state.aclose()
        self._sessions.clear()
        if self._owns_runtime:
            await self._shared.aclose()

    async def _get_runtime(self) -> Runtime:
        return await self._shared.get()

    # ------------------------------------------------------------ sessions

    def _state(self, session_id: str) -> SessionState:
        state = self._sessions.get(session_id)
        if state is None:
            raise RequestError.resource_not_found(f"session {session_id}")
        return state

    async def _open(
        self,
        cwd: Path,
        mcp_servers: list[dict[str, Any]],
        session_id: str | None,
        mode: str | None = None,
        model: str | None = None,
        extra_dirs: list[Path] | None = None,
    ) -> SessionState:
        from zeph_tui.core import ZephError
        from zeph_tui.drivers.acp.ports import (
            AcpApprover,
            AcpAsker,
            AcpFS,
            AcpSink,
            AcpTerminal,
            ReadOnlyClientFS,
        )
        from zeph_tui.drivers.acp.state import SessionState

        runtime = await self._get_runtime()
        servers = None
        tools = None
        if mcp_servers:
            from zeph_tui.core.tools import default_tools
            from zeph_tui.drivers.acp.mcp_tools import McpServers

            servers = await McpServers.start(mcp_servers)
            tools = default_tools(runtime.sandbox) + servers.tools()  # [sandbox] holds here too
        sid = session_id or f"sess_{uuid.uuid4().hex[:16]}"
        provider = None
        if model:  # a reloaded session keeps the model it was switched to
            try:
                provider = runtime.build_provider(None, model)
            except ZephError as exc:
                log.warning("stored model %s unavailable: %s", model, exc)
        client = self.client
        sink = AcpSink(client, sid)
        fs: Any = None
        if client.can("fs", "readTextFile"):
            fs = AcpFS(client, sid)
            if not client.can("fs", "writeTextFile"):
                from zeph_tui.core import LocalFS

                fs = ReadOnlyClientFS(fs, LocalFS())
        try:
            session = await runtime.open_session(
                workspace=cwd,
                sink=sink,
                approver=AcpApprover(client, sid),
                session_id=sid,
                mode=mode,
                provider=provider,
                tools=tools,
                fs=fs,
                terminal=AcpTerminal(client, sid) if client.can("terminal") else None,
                asker=AcpAsker(client) if client.can("elicitation", "form") else None,
                options=_options(runtime, extra_dirs or []),
                warm=False,  # warm-ups start once the answer is written (below)
            )
        except (ZephError, OSError) as exc:
            if servers is not None:
                await servers.aclose()
            raise RequestError(acp.ErrorCode.INTERNAL_ERROR, f"cannot open session: {exc}") from exc
        state = SessionState(session, runtime, sink, cwd, servers)
        self._sessions[session.id] = state

        async def warm() -> None:  # the SDK import starts once the answer is written
            if self._sessions.get(session.id) is state:  # not closed meanwhile
                runtime.warm(session)

        acp.after_response(warm)
        if servers is not None:
            acp.after_response(lambda: self._report_mcp(state))
        unconfined = await asyncio.to_thread(runtime.sandbox_notice)  # probed by prestart
        if unconfined is not None:  # the process's one "not sandboxed" notice, after the answer
            log.warning("%s", unconfined.line)
            update = notice(self.client, unconfined.marker, unconfined.text, "warning")
            acp.after_response(lambda: state.sink.send(update))
        return state

    async def _report_mcp(self, state: SessionState) -> None:
        """Tell the person which MCP servers did not start (after the session answer)."""
        assert state.mcp is not None
        for name, problem in state.mcp.failures():
            await state.sink.send(
                notice(self.client, f"MCP server {name!r} did not start", problem, "warning")
            )

    def _setup_response(self, state: SessionState) -> dict[str, Any]:
        return {"modes": state.modes(), "configOptions": state.config_options()}

    async def new_session(self, params: m.NewSessionRequest) -> m.NewSessionResponse:
        """``session/new`` (spec: /session-setup#creating-a-session).

        Answers ``sessionId``, ``modes`` and ``configOptions``; the slash
        commands follow as ``available_commands_update`` right after.
        """
        cwd, extra = _cwd(dict(params)), _extra_dirs(dict(params))
        state = await self._open(cwd, params.get("mcpServers") or [], None, extra_dirs=extra)
        self._commands_after_response(state)
        response: m.NewSessionResponse = {"sessionId": state.session.id}
        response.update(self._setup_response(state))  # type: ignore[typeddict-item]
        return response

    async def _reopen(self, params: dict[str, Any], *, replay: bool = False) -> SessionState:
        """Open a stored session (or take the open one), replaying its history if ``replay``.

        Holds the session's opening lock throughout, so a request for the same
        session that arrives meanwhile (a prompt pipelined behind ``session/load``)
        waits in :meth:`_ready_state` and then runs once, after the replay.
        """
        session_id = params["sessionId"]
        cwd, extra = _cwd(params), _extra_dirs(params)
        lock = self._opening.setdefault(session_id, asyncio.Lock())
        async with lock:
            state = self._sessions.get(session_id)
            if state is None:
                runtime = await self._get_runtime()
                record = await runtime.store.sessions.get(session_id)
                if record is None:
                    raise RequestError.resource_not_found(f"session {session_id}")
                servers = params.get("mcpServers") or []
                state = await self._open(cwd, servers, session_id, record.mode, record.model, extra)
            if replay:
                async for payload in state.runtime.store.sessions.replay(state.session.id):
                    await state.sink.send(replay_payload(payload))
            return state

    async def _ready_state(self, session_id: str) -> SessionState:
        """The open session ``session_id``, after a ``session/load`` or ``/resume`` of it ends.

        Raises:
            RequestError: ``-32002`` when no such session is open (or its load failed).
        """
        lock = self._opening.get(session_id)
        if session_id not in self._sessions and lock is not None and lock.locked():
            async with lock:
                pass
        return self._state(session_id)

    async def load_session(self, params: m.LoadSessionRequest) -> m.LoadSessionResponse:
        """``session/load`` (spec: /session-setup#loading-sessions).

        Replays the stored history (user and agent messages, thoughts, tool
        calls with their final status, plans) as ``session/update``s, then answers.
        The replay streams from SQLite in pages, so memory stays bounded by one page.
        """
        state = await self._reopen(dict(params), replay=True)
        self._commands_after_response(state)
        return self._setup_response(state)  # type: ignore[return-value]

    async def resume_session(self, params: m.ResumeSessionRequest) -> m.ResumeSessionResponse:
        """``session/resume``: reattach without replaying history."""
        state = await self._reopen(dict(params))
        self._commands_after_response(state)
        return self._setup_response(state)  # type: ignore[return-value]

    def _commands_after_response(self, state: SessionState) -> None:
        """``available_commands_update`` once the client has read the session answer.

        Zed ignores updates for a session it has not registered yet; the list is
        sent again on the first prompt (see :meth:`prompt`).
        """
        acp.after_response(lambda: state.sink.send(available_commands_update()))

    async def list_sessions(self, params: m.ListSessionsRequest) -> m.ListSessionsResponse:
        """``session/list``: newest first, ``cwd`` filter, pages of 50 (cursor = offset)."""
        runtime = await self._get_runtime()
        cursor = params.get("cursor")
        try:
            offset = int(cursor) if cursor else 0
        except ValueError:
            raise RequestError.invalid_params("cursor: not a cursor from this agent") from None
        cwd = params.get("cwd")
        records = await runtime.store.sessions.list(cwd=cwd, limit=offset + _LIST_PAGE + 1)
        page = records[offset : offset + _LIST_PAGE]
        sessions: list[m.SessionInfo] = [
            {
                "sessionId": r.id,
                "cwd": r.cwd,
                "title": r.title or None,
                "updatedAt": dt.datetime.fromtimestamp(r.updated_at, dt.UTC).isoformat(),
            }
            for r in page
        ]
        response: m.ListSessionsResponse = {"sessions": sessions}
        if len(records) > offset + _LIST_PAGE:
            response["nextCursor"] = str(offset + _LIST_PAGE)
        return response

    async def close_session(self, params: m.CloseSessionRequest) -> dict[str, Any] | None:
        """``session/close``: cancel its turn, stop its MCP servers, forget it (stays stored)."""
        state = self._state(params["sessionId"])
        del self._sessions[params["sessionId"]]
        await state.aclose()
        return {}

    async def delete_session(self, params: m.DeleteSessionRequest) -> dict[str, Any] | None:
        """``session/delete``: close it if open, then remove it and its history from the store.

        Raises:
            RequestError: ``-32002`` when no such session is stored.
        """
        session_id = params["sessionId"]
        runtime = await self._get_runtime()
        state = self._sessions.pop(session_id, None)
        if state is not None:
            await state.aclose()
        if await runtime.store.sessions.get(session_id) is None:
            raise RequestError.resource_not_found(f"session {session_id}")
        await runtime.store.sessions.delete(session_id)
        return {}

    # ------------------------------------------------------------ modes and config

    async def set_session_mode(self, params: m.SetSessionModeRequest) -> dict[str, Any] | None:
        """``session/set_mode``: ``ask`` | ``code`` | ``plan`` | ``bypass``."""
        await self._state(params["sessionId"]).set_mode(params["modeId"])
        return {}

    async def set_config_option(
        self, params: m.SetSessionConfigOptionRequest
    ) -> m.SetSessionConfigOptionResponse:
        """``session/set_config_option``: ``mode`` or ``model``; answers every option."""
        state = self._state(params["sessionId"])
        config_id, value = params["configId"], params["value"]
        if config_id not in (CONFIG_MODE, CONFIG_MODEL, CONFIG_THINKING):
            raise RequestError.invalid_params(f"configId: unknown option {config_id[:40]!r}")
        if (params.get("type") == "boolean") != isinstance(value, bool):
            raise RequestError.invalid_params(
                'value: expected boolean with type "boolean", else a string'
            )
        if config_id == CONFIG_THINKING:
            if not isinstance(value, bool):
                raise RequestError.invalid_params("value: expected boolean (type: boolean)")
            await state.set_thinking(value)
        elif not isinstance(value, str):
            raise RequestError.invalid_params("value: expected string")
        elif config_id == CONFIG_MODE:
            await state.set_mode(value, field_name="value")
        else:
            await state.set_model(value)
        return {"configOptions": state.config_options()}

    # ------------------------------------------------------------ prompt turn

    async def prompt(self, params: m.PromptRequest) -> m.PromptResponse:
        """``session/prompt`` (spec: /prompt-turn): run one turn, stream updates.

        Ends with ``cancelled`` after ``session/cancel`` (never an error), however
        many cancels arrive and however early (same write as the prompt included),
        and with ``refusal`` when the store fails (a full disk, a read-only
        database): the open tool calls are updated ``failed`` and the message,
        saying what to do, arrives as an ``agent_message_chunk``.

        Raises:
            RequestError: ``-32002`` unknown session, ``-32602`` bad content,
                ``-32600`` a prompt already running, ``-32603`` provider failure.
                A prompt for a session whose ``session/load`` is still running
                waits for that answer and then runs (once).
        """
        state = await self._ready_state(params["sessionId"])
        command = parse_command(params["prompt"])
        if command is not None:  # slash commands answer even while a turn runs
            await first_prompt(state)
            return await run_slash(self.client, state, *command)
        if state.turn is not None:
            raise RequestError.invalid_request("a prompt is already running in this session")
        ticket = state.turn = TurnTicket()  # before the first await: cancels find it
        try:
            return await run_prompt(self.client, state, ticket, params["prompt"])
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if ticket.cancelled and task is not None and not task.cancelling():
                return {"stopReason": "cancelled"}  # the turn's cancel, not ours
            raise
        finally:
            if state.turn is ticket:
                state.turn = None

    async def cancel(self, params: m.CancelNotification) -> None:
        """``session/cancel``: stop the session's running turn (quick; unknown ids ignored).

        Only the first cancel of a turn reaches the core; later ones are no-ops.
        """
        state = self._sessions.get(params["sessionId"])
        ticket = state.turn if state is not None else None
        if state is None or (ticket is not None and ticket.cancelled):
            return
        if ticket is not None:
            ticket.cancelled = True
        state.session.cancel()  # the turn, and the session's jobs (a running /plan)
