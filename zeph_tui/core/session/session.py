"""The agent session: the turn loop every face drives.

``await session.prompt(blocks)`` streams the model's reply, dispatches the
tool calls it makes (independent ones concurrently), feeds the results back
and repeats until the model ends its turn. It returns an ACP stop reason:
``end_turn``, ``max_tokens``, ``max_turn_requests``, ``refusal`` or
``cancelled`` (after :meth:`Session.cancel`, never an exception).

Spec: https://agentclientprotocol.com/protocol/v1/prompt-turn
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zeph_tui.core.errors import ToolError, ZephError
from zeph_tui.core.events import (
    CurrentModeUpdate,
    Event,
    SessionInfoUpdate,
    StopReason,
    ToolCall,
    ToolCallStatus,
    ToolCallUpdate,
    UsageUpdate,
)
from zeph_tui.core.layers.base import Layer, LayerStack, ToolInvocation
from zeph_tui.core.ports import ClientTerminal, EventSink, LocalFS, WorkspaceFS
from zeph_tui.core.providers.base import (
    Message,
    MessageStop,
    ModelRequest,
    Part,
    Provider,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ToolResultPart,
    ToolUse,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.session.prompt_blocks import (
    PromptBlock,
    TextBlock,
    blocks_to_parts,
    blocks_to_text,
)
from zeph_tui.core.session.replay import ReplayRecorder
from zeph_tui.core.tools.base import (
    CodeIntel,
    Tool,
    ToolContext,
    ToolResult,
    check_args,
    parse_args,
)

if TYPE_CHECKING:
    from zeph_tui.core.safety.paths import WorkspaceRoots
    from zeph_tui.core.safety.redact import Redactor
    from zeph_tui.core.session.context import CompactionResult
    from zeph_tui.core.store import Store

__all__ = ["MODES", "Session", "SessionOptions"]

log = logging.getLogger(__name__)

MODES = ("ask", "accept-edits", "plan", "bypass")
REPEATED_FAILURE_LIMIT = 3
_LOOP_NOTICE = (
    f"The same tool call failed {REPEATED_FAILURE_LIMIT} times in this turn, so tools are off "
    "for the rest of it. Answer the user now with what you know, and say what failed."
)
_MODE_ALIASES = {"code": "accept-edits", "accept_edits": "accept-edits"}  # see README

SystemPromptFn = Callable[["Session", str], Awaitable[str]]
PromptSection = Callable[["Session", str], Awaitable[str]]
"""Contributes one section of the system prompt ('' for none): (session, user_text) -> text."""


@dataclass(slots=True)
class SessionOptions:
    """Limits of a session.

    Attributes:
        max_turn_requests: model calls per prompt before ``max_turn_requests``.
        max_tokens: output tokens per model call.
        model_copy_limit_bytes: budget of the model's copy of long tool output.
        thinking_budget_tokens: extended thinking budget (0 = off).
        env: environment for child processes (scrub it before passing).
        extra_write_roots / read_roots: confinement beyond the workspace.
        auto_compact: compact the context at 70 % / 85 % fill (see core.context).
    """

    max_turn_requests: int = 50
    max_tokens: int = 8192
    model_copy_limit_bytes: int = 16 * 1024
    thinking_budget_tokens: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    extra_write_roots: Sequence[Path] = ()
    read_roots: Sequence[Path] = ()
    auto_compact: bool = True


def normalise_mode(mode: str) -> str:
    """Map ACP/legacy names onto :data:`MODES`; raises ZephError for unknown ones."""
    mode = _MODE_ALIASES.get(mode, mode)
    if mode not in MODES:
        raise ZephError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    return mode


class Session:
    """One conversation with the agent in one workspace.

    Create with :meth:`open`, which records the session in the store (or
    loads its history when it exists). Not thread-safe; one prompt at a time.
    """

    def __init__(
        self,
        *,
        session_id: str,
        workspace: Path,
        provider: Provider,
        store: Store,
        sink: EventSink,
        tools: Sequence[Tool],
        layers: Sequence[Layer] = (),
        fs: WorkspaceFS | None = None,
        terminal: ClientTerminal | None = None,
        code_intel: CodeIntel | None = None,
        options: SessionOptions | None = None,
        mode: str = "ask",
        system_prompt: SystemPromptFn | None = None,
        history: list[Message] | None = None,
        title: str = "",
        prompt_sections: Sequence[PromptSection] = (),
        redactor: Redactor | None = None,
    ) -> None:
        from zeph_tui.core.safety.paths import WorkspaceRoots
        from zeph_tui.core.safety.wiring import RedactingSink, default_redactor
        from zeph_tui.core.session.context import ContextManager

        self.id = session_id
        self.workspace = workspace.resolve()
        self.provider = provider
        self.store = store
        self.redactor = redactor or default_redactor()
        self.sink = RedactingSink(sink, self.redactor)  # every face sees redacted events
        self.tools: dict[str, Tool] = {t.name: t for t in tools}
        self.layers = LayerStack(layers)
        self.fs = fs or LocalFS()
        self.terminal = terminal
        self.code_intel = code_intel
        self.options = options or SessionOptions()
        self.context = ContextManager(enabled=self.options.auto_compact)
        self.mode = normalise_mode(mode)
        self.history: list[Message] = history or []
        self.title = title
        self.usage = Usage()
        self.cost_usd = 0.0
        self.turn_usage = Usage()  # the running (or last) prompt turn only
        self.turn_cost_usd = 0.0
        self.context_tokens = 0
        self.roots: WorkspaceRoots = WorkspaceRoots(
            self.workspace, self.options.extra_write_roots, self.options.read_roots
        )
        self._system_prompt = system_prompt
        self.prompt_sections: list[PromptSection] = list(prompt_sections)
        self._turn: asyncio.Task[StopReason] | None = None
        self._cancel_requested = False
        self._call_counter = 0

    @classmethod
    async def open(cls, *, session_id: str | None = None, **kwargs: Any) -> Session:
        """Create a new session, or load ``session_id`` with its history.

        Keyword arguments are those of the constructor (store, workspace, ...),
        plus ``default_mode`` for a new session when ``mode`` is None; a loaded
        session keeps its stored mode unless ``mode`` is given.
        """
        store: Store = kwargs["store"]
        provider: Provider = kwargs["provider"]
        default_mode = kwargs.pop("default_mode", "ask")
        sid = session_id or f"sess_{uuid.uuid4().hex[:16]}"
        record = await store.sessions.get(sid)
        if record is None:
            kwargs["mode"] = normalise_mode(kwargs.get("mode") or default_mode)
            await store.sessions.create(
                sid,
                str(await asyncio.to_thread(Path(kwargs["workspace"]).resolve)),
                mode=kwargs["mode"],
                provider=provider.name,
                model=provider.model,
            )
            return cls(session_id=sid, **kwargs)
        history = await store.sessions.messages(sid)
        kwargs["mode"] = kwargs.get("mode") or record.mode  # a resumed session keeps its mode
        session = cls(session_id=sid, history=history, title=record.title, **kwargs)
        session.usage = Usage(record.input_tokens, record.output_tokens)
        session.cost_usd = record.cost_usd
        return session

    # ---------------------------------------------------------------- public API

    async def prompt(self, blocks: Sequence[PromptBlock | str]) -> StopReason:
        """Run one prompt turn to its end and return the ACP stop reason.

        Raises:
            ProviderError: the model backend failed (the turn is over; history kept valid).
            ZephError: a prompt is already running in this session.
        """
        if self._turn is not None and not self._turn.done():
            raise ZephError("a prompt is already running in this session")
        items = [TextBlock(b) if isinstance(b, str) else b for b in blocks]
        self._cancel_requested = False
        self.turn_usage, self.turn_cost_usd = Usage(), 0.0
        self._turn = asyncio.create_task(self._run_turn(items), name=f"turn-{self.id}")
        try:
            return await asyncio.shield(self._turn)
        except asyncio.CancelledError:  # our caller was cancelled, not the turn
            self._turn.cancel()
            with contextlib.suppress(BaseException):
                await self._turn
            raise

    def cancel(self) -> None:
        """Cancel the running prompt (if any); it returns ``cancelled`` promptly."""
        self._cancel_requested = True
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()

    async def set_mode(self, mode: str) -> None:
        """Switch permission mode (ask | accept-edits | plan | bypass; ACP ``code`` = accept-edits)."""
        self.mode = normalise_mode(mode)
        await self.store.sessions.update(self.id, mode=self.mode)
        await self.sink(CurrentModeUpdate(self.mode))

    @property
    def busy(self) -> bool:
        """True while a prompt turn is running."""
        return self._turn is not None and not self._turn.done()

    async def compact(self) -> CompactionResult:
        """Summarise the conversation now (``/compact``); see :func:`zeph_tui.core.session.context.compact`."""
        from zeph_tui.core.session.context import compact

        return await compact(self)

    def usage_update(self) -> UsageUpdate:
        return UsageUpdate(
            self.context_tokens,
            self.provider.context_window_tokens,
            self.cost_usd,
            self.usage.input_tokens,
            self.usage.output_tokens,
            self.turn_usage.input_tokens,
            self.turn_usage.output_tokens,
            self.turn_cost_usd,
        )

    # ---------------------------------------------------------------- the loop

    async def _run_turn(self, blocks: list[PromptBlock]) -> StopReason:
        recorder = ReplayRecorder()
        try:
            return await self._loop(blocks, recorder)
        except asyncio.CancelledError:
            await self._repair_history()
            return "cancelled"
        finally:
            with contextlib.suppress(Exception):
                await self.sink.flush()
            with contextlib.suppress(Exception):
                await self.store.sessions.append_events(self.id, recorder.flush())

    async def _emit(self, event: Event, recorder: ReplayRecorder | None = None) -> None:
        if recorder is not None:
            recorder.add(event)
        await self.sink(event)

    async def _loop(self, blocks: list[PromptBlock], recorder: ReplayRecorder) -> StopReason:
        user_text = blocks_to_text(blocks)
        recorder.user(user_text)
        await self._append(Message("user", blocks_to_parts(blocks)))
        if not self.title and user_text.strip():
            self.title = " ".join(user_text.split())[:60]
            await self.store.sessions.update(self.id, title=self.title)
            await self._emit(SessionInfoUpdate(self.title))
        system = await self._system_prompt(self, user_text) if self._system_prompt else ""
        failures: Counter[tuple[str, str]] = Counter()
        tool_choice: Literal["auto", "none"] = "auto"
        for _ in range(self.options.max_turn_requests):
            await self.context.before_request(self)
            request = await self.layers.before_model(
                ModelRequest(
                    system=system,
                    messages=list(self.history),
                    tools=[t.spec() for t in self.tools.values()],
                    max_tokens=self.options.max_tokens,
                    thinking_budget_tokens=self.options.thinking_budget_tokens,
                    tool_choice=tool_choice,
                )
            )
            stop = await self.layers.after_model(await self._stream(request, recorder))
            await self._append(Message("assistant", list(stop.parts)))
            await self._account(stop.usage)
            tool_uses = [p for p in stop.parts if isinstance(p, ToolUsePart)]
            if stop.stop_reason == "max_tokens":
                if tool_uses:
                    await self._append(
                        Message(
                            "user",
                            [
                                ToolResultPart(
                                    p.id, "not executed: the response hit max_tokens", True
                                )
                                for p in tool_uses
                            ],
                        )
                    )
                return "max_tokens"
            if stop.stop_reason == "refusal":
                return "refusal"
            if not tool_uses:
                return "end_turn"
            results = await self._dispatch(tool_uses, recorder)
            reply: list[Part] = list(results)
            if tool_choice == "auto" and _repeats_failure(failures, tool_uses, results):
                # loop guard: the same call failed again and again; let the model answer instead
                tool_choice = "none"
                reply.append(TextPart(_LOOP_NOTICE))
            await self._append(Message("user", reply))
        return "max_turn_requests"

    async def _stream(self, request: ModelRequest, recorder: ReplayRecorder) -> MessageStop:
        message_id = uuid.uuid4().hex[:12]
        stop: MessageStop | None = None
        from zeph_tui.core.events import AgentMessageChunk, AgentThoughtChunk

        async for item in self.provider.stream(request):
            if isinstance(item, TextDelta):
                await self._emit(AgentMessageChunk(item.text, message_id), recorder)
            elif isinstance(item, ThinkingDelta):
                await self._emit(AgentThoughtChunk(item.text, message_id), recorder)
            elif isinstance(item, MessageStop):
                stop = item
            elif isinstance(item, ToolUse):
                pass  # dispatched after the message ends, from stop.parts
        if stop is None:
            from zeph_tui.core.errors import ProviderError

            raise ProviderError(f"{self.provider.name} stream ended without a stop event")
        return stop

    async def _append(self, message: Message) -> None:
        self.history.append(message)
        await self.store.sessions.append_message(self.id, message)

    async def _account(self, usage: Usage) -> None:
        cost = self.provider.cost_usd(usage)
        self.usage = self.usage + usage
        self.cost_usd += cost
        self.turn_usage = self.turn_usage + usage
        self.turn_cost_usd += cost
        self.context_tokens = usage.context_tokens + usage.output_tokens
        self.context.record_usage(self)
        await self.store.sessions.update(
            self.id,
            input_tokens=self.usage.input_tokens,
            output_tokens=self.usage.output_tokens,
            cost_usd=self.cost_usd,
        )
        await self.sink(self.usage_update())

    async def _repair_history(self) -> None:
        """After a cancel, answer dangling tool uses so the history stays valid."""
        if not self.history or self.history[-1].role != "assistant":
            return
        dangling = [p for p in self.history[-1].parts if isinstance(p, ToolUsePart)]
        if dangling:
            await self._append(
                Message(
                    "user", [ToolResultPart(p.id, "cancelled by the user", True) for p in dangling]
                )
            )

    # ---------------------------------------------------------------- tools

    async def _dispatch(
        self, uses: list[ToolUsePart], recorder: ReplayRecorder
    ) -> list[ToolResultPart]:
        """Run tool calls in batches of mutually independent calls, preserving order."""
        results: dict[str, ToolResultPart] = {}
        for batch in _independent_batches(uses, self.tools):
            async with asyncio.TaskGroup() as group:
                tasks = {p.id: group.create_task(self._run_tool(p, recorder)) for p in batch}
            results.update({pid: task.result() for pid, task in tasks.items()})
        return [results[p.id] for p in uses]

    async def _run_tool(self, use: ToolUsePart, recorder: ReplayRecorder) -> ToolResultPart:
        tool = self.tools.get(use.name)
        self._call_counter += 1
        call_id = use.id or f"call_{self._call_counter}"
        args: dict[str, Any] = dict(use.input)
        call = ToolCall(
            call_id,
            title=tool.title(args) if tool else f"Unknown tool {use.name}",
            kind=tool.kind if tool else "other",
            status="pending",
            raw_input=args or ({"_raw": use.raw_input} if use.raw_input else {}),
            name=use.name,
        )
        await self._emit(call, recorder)
        await self.store.sessions.record_tool_call(self.id, call_id, use.name, use.raw_input or "")
        try:
            result = await self._invoke(tool, use, call, args, recorder)
        except asyncio.CancelledError:
            await self._emit(ToolCallUpdate(call_id, status="failed"), recorder)
            raise
        status: ToolCallStatus = "failed" if result.is_error else "completed"
        await self._emit(
            ToolCallUpdate(
                call_id,
                status=status,
                content=result.content or None,
                locations=result.locations or None,
                raw_output={
                    "text": _clip(result.text, 4000),
                    "isError": result.is_error,
                    **result.raw_extras,
                },
            ),
            recorder,
        )
        await self.store.sessions.finish_tool_call(
            self.id, call_id, status=status, result_text=result.text, is_error=result.is_error
        )
        return ToolResultPart(call_id, result.text, result.is_error)

    async def _invoke(
        self,
        tool: Tool | None,
        use: ToolUsePart,
        call: ToolCall,
        args: dict[str, Any],
        recorder: ReplayRecorder,
    ) -> ToolResult:
        invocation = ToolInvocation(call, tool, args, self.id, self.mode)
        try:
            if tool is None:
                raise ToolError(
                    f"unknown tool {use.name!r}; available tools: {', '.join(sorted(self.tools))}"
                )
            if use.raw_input:
                args.update(parse_args(use.raw_input))
            check_args(tool.input_schema, args)
            short = await self.layers.before_tool(invocation)
            if short is not None:
                return await self.layers.after_tool(invocation, short)
            await self._emit(ToolCallUpdate(call.tool_call_id, status="in_progress"), recorder)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        except (OSError, ValueError, ZephError) as exc:
            log.warning("tool %s failed: %s", use.name, exc, exc_info=True)
            return ToolResult(f"{use.name} failed: {type(exc).__name__}: {exc}", is_error=True)
        assert tool is not None  # unknown tools were answered above
        invocation.notes["ran"] = True  # layers tell a dispatched call from a refused one
        try:
            result = await tool.run(args, self._context(call.tool_call_id, recorder))
        except ToolError as exc:
            result = ToolResult(str(exc), is_error=True)
        except (OSError, ValueError, ZephError) as exc:
            log.warning("tool %s failed: %s", use.name, exc, exc_info=True)
            result = ToolResult(f"{use.name} failed: {type(exc).__name__}: {exc}", is_error=True)
        # errors of the run pass the layers too (sanitising, rate-limit failure counts)
        return await self.layers.after_tool(invocation, result)

    def _context(self, call_id: str, recorder: ReplayRecorder) -> ToolContext:
        async def emit(event: Event) -> None:  # plans a tool emits are kept for replay too
            await self._emit(event, recorder)

        async def emit_redacted(event: Event) -> None:
            recorder.add(event)
            await self.sink.pass_through(event)

        return ToolContext(
            workspace=self.workspace,
            roots=self.roots,
            fs=self.fs,
            archive=self.store.archive,
            emit=emit,
            emit_redacted=emit_redacted,
            tool_call_id=call_id,
            session_id=self.id,
            env=self.options.env,
            terminal=self.terminal,
            code_intel=self.code_intel,
            model_copy_limit_bytes=self.options.model_copy_limit_bytes,
            extras={"session": self, "redact": self.redactor.redact},
        )


def _independent_batches(
    uses: list[ToolUsePart], tools: Mapping[str, Tool]
) -> list[list[ToolUsePart]]:
    """Split calls into consecutive batches whose members do not conflict.

    Two calls conflict unless both are read-only, or they touch different
    known paths. A call without a path that writes (bash) runs alone.
    """

    def scope(use: ToolUsePart) -> tuple[bool, str | None]:
        tool = tools.get(use.name)
        if tool is None:
            return True, None
        return tool.read_only, tool.target_path(use.input)

    batches: list[list[ToolUsePart]] = []
    for use in uses:
        ro, path = scope(use)
        current = batches[-1] if batches else None
        if current is not None and all(
            (ro and scope(o)[0])
            or (path is not None and scope(o)[1] is not None and path != scope(o)[1])
            for o in current
        ):
            current.append(use)
        else:
            batches.append([use])
    return batches


def _clip(text: str, limit_chars: int) -> str:
    """Head and tail of ``text`` (the tail holds notices such as ``overflow_id=``)."""
    if len(text) <= limit_chars:
        return text
    half = limit_chars // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half} characters ...]\n{text[-half:]}"


def _repeats_failure(
    failures: Counter[tuple[str, str]], uses: list[ToolUsePart], results: list[ToolResultPart]
) -> bool:
    """Count failed calls by (tool, arguments); True once one reaches the limit."""
    hit = False
    for use, result in zip(uses, results, strict=True):
        if result.is_error:
            key = (use.name, json.dumps(use.input, sort_keys=True) if use.input else use.raw_input)
            failures[key] += 1
            hit = hit or failures[key] >= REPEATED_FAILURE_LIMIT
    return hit
