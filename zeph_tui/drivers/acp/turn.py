"""The prompt turn of one ACP session (spec: /prompt-turn, /slash-commands).

:func:`run_prompt` runs a turn on the core Session and maps its failures onto
``stopReason`` or ``RequestError``; :func:`run_slash` answers a slash command
as a turn. Used by :class:`~zeph_tui.drivers.acp.agent.ZephAgent`; imports only
:mod:`acp` and the standard library at import time.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import acp
from acp import RequestError
from acp import messages as m
from zeph_tui.drivers.acp.commands import available_commands_update, run_command
from zeph_tui.drivers.acp.setup import TurnTicket, compaction_updates

if TYPE_CHECKING:
    from zeph_tui.core import Command
    from zeph_tui.drivers.acp.state import SessionState

__all__ = ["first_prompt", "run_prompt", "run_slash"]

log = logging.getLogger(__name__)


async def run_prompt(
    client: acp.Client, state: SessionState, ticket: TurnTicket, prompt: list[dict[str, Any]]
) -> m.PromptResponse:
    """The turn after its checks: content converted, the core prompt run, failures mapped.

    Returns ``stopReason`` ``cancelled`` once the ticket is cancelled, ``refusal`` on
    a store failure. Raises ``RequestError`` -32602 (empty or bad content), -32600
    (a prompt already running), -32603 (provider failure).
    """
    from zeph_tui.core import PromptInProgress, StoreError, ZephError
    from zeph_tui.core.failed_turn import find_error
    from zeph_tui.drivers.acp.content import to_prompt_blocks

    blocks = to_prompt_blocks(prompt)
    if not blocks:
        raise RequestError.invalid_params("prompt: empty")
    await first_prompt(state)
    if ticket.cancelled:
        return {"stopReason": "cancelled"}
    compactions = len(state.session.context.results)
    try:
        stop = await state.session.prompt(blocks)
    except PromptInProgress as exc:
        raise RequestError.invalid_request(str(exc)) from exc
    except ZephError as exc:
        if ticket.cancelled:
            return {"stopReason": "cancelled"}
        if isinstance(exc, StoreError):
            return await _store_failed(state, exc)
        log.warning("turn failed: %s", exc)
        raise RequestError(acp.ErrorCode.INTERNAL_ERROR, str(exc)[:500]) from exc
    except BaseExceptionGroup as group:  # a tool batch failed (e.g. the disk is full)
        if ticket.cancelled:
            return {"stopReason": "cancelled"}
        found = find_error(group)
        if isinstance(found, StoreError):
            return await _store_failed(state, group)
        raise
    await _report_compactions(client, state, compactions)
    return {"stopReason": "cancelled" if ticket.cancelled else stop}


async def first_prompt(state: SessionState) -> None:
    """Re-send the commands with the first prompt (Zed may have dropped the first list)."""
    if not state.prompted:
        state.prompted = True
        await state.sink.send(available_commands_update())


async def _report_compactions(client: acp.Client, state: SessionState, since: int) -> None:
    """``compaction_update``s for automatic compactions of the last turn (when advertised)."""
    for index, result in enumerate(state.session.context.results[since:], since):
        if result.action == "none":
            continue
        compaction_id = f"compaction-{index + 1}"
        summary = result.summary or (
            f"Context compacted ({result.action}): {result.tokens_before} -> "
            f"{result.tokens_after} tokens"
        )
        for update in compaction_updates(client, compaction_id, "completed", summary):
            await state.sink.send(update)


async def _store_failed(state: SessionState, exc: BaseException) -> m.PromptResponse:
    """A storage failure (full disk, read-only): calls failed, the message, ``refusal``."""
    from zeph_tui.core.failed_turn import end_failed_turn

    message = await end_failed_turn(state.session, exc) or str(exc)
    log.warning("turn failed: %s", message)
    await state.sink.send(
        {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": message}}
    )
    return {"stopReason": "refusal"}


async def run_slash(
    client: acp.Client, state: SessionState, command: Command, argument: str
) -> m.PromptResponse:
    """A slash command as a turn: its reply, compaction updates, usage, and the stored exchange.

    Returns ``stopReason`` ``cancelled`` when a ``session/cancel`` arrived while the
    command ran (e.g. a ``/plan`` graph stopped; its reply says so), else ``end_turn``.
    Spec: https://agentclientprotocol.com/protocol/v1/prompt-turn#cancellation
    """
    name = command.name
    cancels = state.session.cancels
    compactions = len(state.session.context.results)
    compaction_id = f"compaction-{compactions + 1}"
    if name == "compact":
        for update in compaction_updates(client, compaction_id, "in_progress"):
            await state.sink.send(update)
    text = await run_command(state, command, argument)
    await state.sink.send(
        {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": text}}
    )
    if name == "compact":  # the context fill after the compaction, after the reply
        done = len(state.session.context.results) > compactions
        status = "completed" if done else "failed"
        for update in compaction_updates(client, compaction_id, status, text):
            await state.sink.send(update)
    if name in ("compact", "clear"):  # the context fill after it, after the reply
        await state.sink(state.session.usage_update())
    user = f"/{command.name} {argument}".strip()
    await state.runtime.store.sessions.append_events(
        state.session.id,
        [
            {"sessionUpdate": "user_message_chunk", "content": {"type": "text", "text": user}},
            {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": text}},
        ],
    )
    return {"stopReason": "cancelled" if state.session.cancels != cancels else "end_turn"}
