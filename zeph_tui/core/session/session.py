"""The agent session: the turn loop every face drives.

``await session.prompt(blocks)`` streams the model's reply, dispatches the
tool calls it makes (independent ones concurrently, :mod:`.dispatch`), feeds
the results back and repeats until the model ends its turn. It returns an ACP
stop reason: ``end_turn``, ``max_tokens``, ``max_turn_requests``, ``refusal``
or ``cancelled`` (after :meth:`Session.cancel`, never an exception).

Every model call, the turn's requests and the compaction summary
(:mod:`.context`, through the :class:`~.context.CompactionHost` protocol the
Session implements) alike, passes the layer stack (``before_model`` /
``after_model``) and one accounting (:meth:`Session._account`): the session
totals (``usage``, ``cost_usd``, stored), the running turn's totals
(``turn_usage``, ``turn_cost_usd``) and a ``UsageUpdate`` to the faces.

Spec: https://agentclientprotocol.com/protocol/v1/prompt-turn
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zeph_tui.core.errors import PromptInProgress, ProviderError, ZephError
from zeph_tui.core.events import (
    AgentMessageChunk,
    AgentThoughtChunk,
    CurrentModeUpdate,
    Event,
    SessionInfoUpdate,
    StopReason,
    UsageUpdate,
)
from zeph_tui.core.layers.base import Layer, LayerStack
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
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.ledger import ModelLedger, charges_of
from zeph_tui.core.session.context import SUMMARY_MAX_TOKENS, CompactionResult, ContextManager
from zeph_tui.core.session.dispatch import REPEATED_FAILURE_LIMIT, ToolDispatcher, repeats_failure
from zeph_tui.core.session.options import SessionOptions, normalise_mode
from zeph_tui.core.session.prompt_blocks import (
    PromptBlock,
    TextBlock,
    blocks_to_parts,
    blocks_to_text,
)
from zeph_tui.core.session.replay import ReplayRecorder
from zeph_tui.core.tools.base import CodeIntel, Tool, ToolContext

if TYPE_CHECKING:
    from zeph_tui.core.safety.paths import WorkspaceRoots
    from zeph_tui.core.safety.redact import Redactor
    from zeph_tui.core.store import Store

__all__ = ["PromptSection", "Session", "SystemPromptFn"]

log = logging.getLogger(__name__)

_LOOP_NOTICE = (
    f"The same tool call failed {REPEATED_FAILURE_LIMIT} times in this turn, so tools are off "
    "for the rest of it. Answer the user now with what you know, and say what failed."
)

SystemPromptFn = Callable[["Session", str], Awaitable[str]]
PromptSection = Callable[["Session", str], Awaitable[str]]
"""Contributes one section of the system prompt ('' for none): (session, user_text) -> text."""


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
        self.context = ContextManager(
            enabled=self.options.auto_compact,
            summary_max_tokens=min(self.options.max_tokens, SUMMARY_MAX_TOKENS),
        )
        self.mode = normalise_mode(mode)
        self.history: list[Message] = history or []
        self.title = title
        self.usage = Usage()
        self.cost_usd = 0.0
        self.turn_usage = Usage()  # the running (or last) prompt turn only
        self.turn_cost_usd = 0.0
        self.models = ModelLedger()  # cost and tokens per model, session and turn
        self.context_tokens = 0
        self.open_tool_calls: set[str] = set()  # announced, no final update yet
        self.roots: WorkspaceRoots = WorkspaceRoots(
            self.workspace, self.options.extra_write_roots, self.options.read_roots
        )
        self._system_prompt = system_prompt
        self.prompt_sections: list[PromptSection] = list(prompt_sections)
        self._turn: asyncio.Task[StopReason] | None = None
        self._cancel_requested = False
        self.jobs: set[asyncio.Task[Any]] = set()  # e.g. a /plan graph run; cancel() stops them
        self.cancels = 0  # how many times cancel() was called: a command compares before/after

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
            PromptInProgress: a prompt is already running in this session.
        """
        if self.busy:
            raise PromptInProgress("a prompt is already running in this session")
        items = [TextBlock(b) if isinstance(b, str) else b for b in blocks]
        self._cancel_requested = False
        self.turn_usage, self.turn_cost_usd = Usage(), 0.0
        self.models.start_turn()
        self._turn = asyncio.create_task(self._run_turn(items), name=f"turn-{self.id}")
        try:
            return await asyncio.shield(self._turn)
        except asyncio.CancelledError:  # our caller was cancelled, not the turn
            self._turn.cancel()
            with contextlib.suppress(BaseException):
                await self._turn
            raise

    def cancel(self) -> None:
        """Cancel the running prompt and :attr:`jobs` (if any); the prompt returns ``cancelled``."""
        self._cancel_requested = True
        self.cancels += 1
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
        for job in list(self.jobs):
            job.cancel()

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
        """Summarise the conversation now (``/compact``), as a turn of its own.

        The turn totals restart, so the ``UsageUpdate`` that follows shows what
        the compaction cost (see :meth:`.context.ContextManager.compact`).

        Raises:
            PromptInProgress: a prompt is running in this session.
            ProviderError: the summary request failed (history unchanged).
        """
        if self.busy:
            raise PromptInProgress("a prompt is running; compact after it ends")
        self.turn_usage, self.turn_cost_usd = Usage(), 0.0
        self.models.start_turn()
        return await self.context.compact(self)

    async def complete(self, request: ModelRequest) -> MessageStop:
        """One model call outside the conversation (the compaction summary).

        It passes the layer stack and is accounted like a turn's request
        (session and turn totals, a ``UsageUpdate``) but emits no message
        chunks and does not measure the context fill.

        Raises:
            ProviderError: the provider failed or the stream had no stop event.
        """
        stop = await self._call_model(request, None)
        await self._account(stop, measured=False)
        return stop

    async def publish_usage(self) -> None:
        """Send the current :meth:`usage_update` to the faces."""
        await self.sink(self.usage_update())

    def usage_update(self) -> UsageUpdate:
        """Context fill (tokens), session and turn totals (tokens, USD), as ACP ``usage_update``."""
        return UsageUpdate(
            self.context_tokens,
            self.provider.context_window_tokens,
            self.cost_usd,
            self.usage.input_tokens,
            self.usage.output_tokens,
            self.turn_usage.input_tokens,
            self.turn_usage.output_tokens,
            self.turn_cost_usd,
            *self.models.snapshot(),
            self.models.last_model or self.provider.model,
        )

    # ---------------------------------------------------------------- the loop

    async def _run_turn(self, blocks: list[PromptBlock]) -> StopReason:
        recorder = ReplayRecorder()
        try:
            return await self._loop(blocks, recorder)
        except asyncio.CancelledError:
            await self._repair_history("cancelled by the user")
            return "cancelled"
        except ZephError as exc:  # e.g. StorageUnavailable out of a tool batch: the face says it
            with contextlib.suppress(ZephError):  # the history is repaired even if not stored
                await self._repair_history(f"not completed: the turn ended on {type(exc).__name__}")
            raise
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
            request = ModelRequest(
                system=system,
                messages=list(self.history),
                tools=[t.spec() for t in self.tools.values()],
                max_tokens=self.options.max_tokens,
                thinking_budget_tokens=self.options.thinking_budget_tokens,
                tool_choice=tool_choice,
            )
            stop = await self._call_model(request, recorder)
            await self._append(Message("assistant", list(stop.parts)))
            await self._account(stop, measured=True)
            tool_uses = [p for p in stop.parts if isinstance(p, ToolUsePart)]
            if stop.stop_reason == "max_tokens":
                await self._answer_unrun(tool_uses, "not executed: the response hit max_tokens")
                return "max_tokens"
            if stop.stop_reason == "refusal":
                return "refusal"
            if not tool_uses:
                return "end_turn"
            results = await self._dispatch(tool_uses, recorder)
            reply: list[Part] = list(results)
            if tool_choice == "auto" and repeats_failure(failures, tool_uses, results):
                # loop guard: the same call failed again and again; let the model answer instead
                tool_choice = "none"
                reply.append(TextPart(_LOOP_NOTICE))
            await self._append(Message("user", reply))
        return "max_turn_requests"

    async def _call_model(
        self, request: ModelRequest, recorder: ReplayRecorder | None
    ) -> MessageStop:
        """One provider call inside the layer stack; chunks are emitted when ``recorder`` is set."""
        request = await self.layers.before_model(request)
        message_id = uuid.uuid4().hex[:12]
        stop: MessageStop | None = None
        async for item in self.layers.stream_model(request, self.provider.stream):
            if isinstance(item, MessageStop):
                stop = item
            elif recorder is None:
                continue  # a call outside the conversation: nothing to show
            elif isinstance(item, TextDelta):
                await self._emit(AgentMessageChunk(item.text, message_id), recorder)
            elif isinstance(item, ThinkingDelta):
                await self._emit(AgentThoughtChunk(item.text, message_id), recorder)
            # ToolUse items are dispatched after the message ends, from stop.parts
        if stop is None:
            raise ProviderError(f"{self.provider.name} stream ended without a stop event")
        return await self.layers.after_model(stop)

    async def _append(self, message: Message) -> None:
        self.history.append(message)
        await self.store.sessions.append_message(self.id, message)

    async def _account(self, stop: MessageStop, *, measured: bool) -> None:
        """The one usage/cost accounting of every model call of this session.

        Adds the calls behind ``stop`` (tokens, USD, per model in
        :attr:`models`) to the session and turn totals, stores the session
        totals and sends a ``UsageUpdate``. ``measured``: the call's prompt
        was the conversation, so the answering call's usage measures the
        context fill (False for the compaction summary).
        """
        charges = charges_of(self.provider, stop)
        self.models.charge(charges)
        if measured:
            self.context_tokens = stop.usage.context_tokens + stop.usage.output_tokens
            self.context.record_usage(self)
        await self.add_spend(
            sum((c.usage for c in charges), Usage()), sum(c.cost_usd for c in charges)
        )

    async def add_spend(self, usage: Usage, cost_usd: float, *, store: bool = True) -> None:
        """Add ``usage`` (tokens) and ``cost_usd`` (US dollars) to the session and turn totals.

        With ``store`` the session totals are written to the store and a
        ``UsageUpdate`` (ACP ``usage_update``) is sent; without, they go out
        with the next call that stores them (a cancelled sub-agent's roll-up).

        Raises:
            StoreError: the totals could not be stored.
        """
        self.usage = self.usage + usage
        self.cost_usd += cost_usd
        self.turn_usage = self.turn_usage + usage
        self.turn_cost_usd += cost_usd
        if not store:
            return
        await self.store.sessions.update(
            self.id,
            input_tokens=self.usage.input_tokens,
            output_tokens=self.usage.output_tokens,
            cost_usd=self.cost_usd,
        )
        await self.publish_usage()

    async def _repair_history(self, reason: str) -> None:
        """After a cancel or a failed turn, answer dangling tool uses so the history stays valid."""
        if not self.history or self.history[-1].role != "assistant":
            return
        dangling = [p for p in self.history[-1].parts if isinstance(p, ToolUsePart)]
        await self._answer_unrun(dangling, reason)

    async def _answer_unrun(self, uses: list[ToolUsePart], reason: str) -> None:
        """Answer tool uses that will not run with error results (the history stays valid)."""
        if uses:
            await self._append(Message("user", [ToolResultPart(p.id, reason, True) for p in uses]))

    # ---------------------------------------------------------------- tools

    async def _dispatch(
        self, uses: list[ToolUsePart], recorder: ReplayRecorder
    ) -> list[ToolResultPart]:
        """Run the tool calls of one reply (see :mod:`.dispatch`)."""

        async def emit(event: Event) -> None:
            await self._emit(event, recorder)

        dispatcher = ToolDispatcher(
            self.id,
            self.mode,
            self.tools,
            self.layers,
            self.store.sessions,
            emit,
            lambda call_id: self._context(call_id, recorder),
            self.open_tool_calls,
        )
        return await dispatcher.dispatch(uses)

    def tool_context(self, call_id: str) -> ToolContext:
        """The context a tool runs with outside a model turn (the dashboard's ``!cmd``).

        Same workspace, confinement, archive, redaction and sink as a model's
        call; its events are not part of a turn's replay.
        """
        return self._context(call_id, ReplayRecorder())

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
            redact=self.redactor.redact,
        )
