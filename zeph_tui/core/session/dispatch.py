"""Tool dispatch: the tool calls of one model reply, through the layers, in safe batches.

:class:`ToolDispatcher` runs the ``tool_use`` parts of one assistant message
and returns their ``tool_result`` parts in the same order. Calls are cut into
consecutive batches of mutually independent calls (:func:`independent_batches`);
the members of a batch run concurrently, batches run one after the other.

For each call (ACP ``session/update`` ``tool_call`` then ``tool_call_update``,
spec: https://agentclientprotocol.com/protocol/v1/tool-calls): announce it
(``pending``), record it in the store, check the arguments, pass
``before_tool`` of the layer stack (a result there short-circuits the call),
report ``in_progress``, run the tool, pass ``after_tool``, record the outcome,
report ``completed`` or ``failed``.

A failure becomes a failed call: a :class:`~zeph_tui.core.errors.ZephError`
(a :class:`~zeph_tui.core.errors.ToolError`, a ``StoreError`` from the tool or
while recording the call, an error raised by a layer), ``OSError`` or
``ValueError`` ends the call with ``tool_call_update`` status ``failed`` and
a text the model reads, and the turn goes on. A call that ran but whose
result a layer could not process, or whose outcome could not be recorded,
says so (the tool's effects happened).

Two things end the turn. Cancellation propagates (the call is reported
``failed`` first). A :class:`~zeph_tui.core.errors.StorageUnavailable` (a full
disk, a read-only database: nothing more can be recorded) fails its call like
any failure, the other calls of its batch finish, and then :meth:`dispatch`
raises it: the face ends the turn with its message and stop reason
``refusal`` (:mod:`zeph_tui.core.failed_turn`), instead of asking the model
again with a store that cannot keep the answer (issue 14).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import StorageUnavailable, ToolError, ZephError
from zeph_tui.core.events import Event, ToolCall, ToolCallStatus, ToolCallUpdate
from zeph_tui.core.layers.base import LayerStack, ToolInvocation
from zeph_tui.core.providers.base import ToolResultPart, ToolUsePart
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult, check_args, parse_args

if TYPE_CHECKING:
    from zeph_tui.core.store.sessions import SessionStore

__all__ = [
    "REPEATED_FAILURE_LIMIT",
    "ToolDispatcher",
    "independent_batches",
    "repeats_failure",
]

log = logging.getLogger(__name__)

REPEATED_FAILURE_LIMIT = 3
"""Failures of the same (tool, arguments) in one turn before tools are switched off."""
_FAILURES = (OSError, ValueError, ZephError)
"""What a tool or a layer may raise and the model reads as a failed call."""
RAW_OUTPUT_TEXT_CHARS = 4000
"""Characters of the result text kept in the final update's ``raw_output`` (head and tail)."""


@dataclass(slots=True)
class ToolDispatcher:
    """Runs the tool calls of one model reply for one session.

    Attributes:
        session_id: the owning session (store rows, invocations).
        mode: the session's permission mode for these calls.
        tools: the session's tools by name.
        layers: the session's layer stack.
        store: where calls and their outcomes are recorded.
        emit: publishes an event to the faces (and the replay recorder).
        context: builds the :class:`ToolContext` of one call from its id.
        open_calls: ids of calls announced but not yet given a final update
            (shared with the session, so a failed turn can end exactly those).
        storage_failure: the first StorageUnavailable met by a call of the
            current batch; :meth:`dispatch` raises it once the batch is done.
    """

    session_id: str
    mode: str
    tools: Mapping[str, Tool]
    layers: LayerStack
    store: SessionStore
    emit: Callable[[Event], Awaitable[None]]
    context: Callable[[str], ToolContext]
    open_calls: set[str] = field(default_factory=set)
    storage_failure: StorageUnavailable | None = None

    async def dispatch(self, uses: list[ToolUsePart]) -> list[ToolResultPart]:
        """Run ``uses`` in batches of independent calls; results in the order of ``uses``.

        Raises:
            StorageUnavailable: a call of a batch met it (that call is already
                reported ``failed``); later batches do not run.
            asyncio.CancelledError: the turn was cancelled.
        """
        results: dict[int, ToolResultPart] = {}  # by id() of the part: call ids may repeat
        for batch in independent_batches(uses, self.tools):
            async with asyncio.TaskGroup() as group:
                tasks = [(use, group.create_task(self.run_one(use))) for use in batch]
            if self.storage_failure is not None:
                failure, self.storage_failure = self.storage_failure, None
                raise failure
            results.update({id(use): task.result() for use, task in tasks})
        return [results[id(use)] for use in uses]

    async def run_one(self, use: ToolUsePart) -> ToolResultPart:
        """One call from announcement to its final update; failures become error results."""
        tool = self.tools.get(use.name)
        call_id = use.id or f"call_{uuid.uuid4().hex[:12]}"
        args: dict[str, Any] = dict(use.input)
        call = ToolCall(
            call_id,
            title=tool.title(args) if tool else f"Unknown tool {use.name}",
            kind=tool.kind if tool else "other",
            status="pending",
            raw_input=args or ({"_raw": use.raw_input} if use.raw_input else {}),
            name=use.name,
        )
        await self.emit(call)
        self.open_calls.add(call_id)
        try:
            await self.store.record_tool_call(
                self.session_id, call_id, use.name, use.raw_input or ""
            )
            result = await self._invoke(tool, use, call, args)
        except asyncio.CancelledError:
            self.open_calls.discard(call_id)
            await self.emit(ToolCallUpdate(call_id, status="failed"))
            raise
        except ZephError as exc:  # recording the call failed (StoreError): it did not run
            result = self._fail(use.name, exc)
        result = await self._finish(use.name, call_id, result)
        status: ToolCallStatus = "failed" if result.is_error else "completed"
        self.open_calls.discard(call_id)
        await self.emit(
            ToolCallUpdate(
                call_id,
                status=status,
                content=result.content or None,
                locations=result.locations or None,
                raw_output={
                    "text": _clip(result.text, RAW_OUTPUT_TEXT_CHARS),
                    "isError": result.is_error,
                    **result.raw_extras,
                },
            )
        )
        return ToolResultPart(call_id, result.text, result.is_error)

    async def _finish(self, name: str, call_id: str, result: ToolResult) -> ToolResult:
        """Record the outcome; when that fails the call fails, its text kept for the model."""
        status = "failed" if result.is_error else "completed"
        try:
            await self.store.finish_tool_call(
                self.session_id,
                call_id,
                status=status,
                result_text=result.text,
                is_error=result.is_error,
            )
        except ZephError as exc:
            self._note_storage(exc)
            log.warning("recording the result of %s failed: %s", call_id, exc)
            note = f"[{name} ran, but recording its result failed: {type(exc).__name__}: {exc}]"
            return replace(result, text=f"{result.text}\n\n{note}", is_error=True)
        return result

    async def _invoke(
        self, tool: Tool | None, use: ToolUsePart, call: ToolCall, args: dict[str, Any]
    ) -> ToolResult:
        invocation = ToolInvocation(call, tool, args, self.session_id, self.mode)
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
            await self.emit(ToolCallUpdate(call.tool_call_id, status="in_progress"))
        except _FAILURES as exc:
            return self._fail(use.name, exc)
        invocation.ran = True  # layers tell a dispatched call from a refused one
        try:
            result = await tool.run(args, self.context(call.tool_call_id))
        except _FAILURES as exc:
            result = self._fail(use.name, exc)
        try:  # errors of the run pass the layers too (sanitising, rate-limit failure counts)
            return await self.layers.after_tool(invocation, result)
        except _FAILURES as exc:  # the unprocessed result may hold secrets: not shown
            self._note_storage(exc)
            log.warning("a layer failed after %s ran: %s", use.name, exc, exc_info=True)
            return ToolResult(
                f"{use.name} ran, but its result could not be processed: "
                f"{type(exc).__name__}: {exc}",
                is_error=True,
            )

    def _fail(self, name: str, exc: Exception) -> ToolResult:
        """The failed result of a call (see :func:`_failure`), noting a storage failure."""
        self._note_storage(exc)
        return _failure(name, exc)

    def _note_storage(self, exc: Exception) -> None:
        if isinstance(exc, StorageUnavailable) and self.storage_failure is None:
            self.storage_failure = exc


def _failure(name: str, exc: Exception) -> ToolResult:
    """The error result the model reads: a ToolError's own text, else the error named."""
    if isinstance(exc, ToolError):
        return ToolResult(str(exc), is_error=True)
    log.warning("tool %s failed: %s", name, exc, exc_info=True)
    return ToolResult(f"{name} failed: {type(exc).__name__}: {exc}", is_error=True)


def independent_batches(
    uses: list[ToolUsePart], tools: Mapping[str, Tool]
) -> list[list[ToolUsePart]]:
    """Split calls into consecutive batches whose members do not conflict.

    Two calls conflict unless both are read-only, or they touch different
    known paths (``Tool.target_path``). A call without a path that writes
    (bash) runs alone. Order is kept: a call never overtakes an earlier one
    it conflicts with.
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


def repeats_failure(
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


def _clip(text: str, limit_chars: int) -> str:
    """Head and tail of ``text`` (the tail holds notices such as ``overflow_id=``)."""
    if len(text) <= limit_chars:
        return text
    half = limit_chars // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half} characters ...]\n{text[-half:]}"
