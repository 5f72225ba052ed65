"""Context budgets and compaction: keep a long session inside the model's window.

Budget (units: tokens). After each model call the provider's usage report
gives the truth: ``session.context_tokens`` = prompt tokens + output tokens,
covering the history up to the assistant message just appended. Messages
added since are estimated at ``ceil(chars / 4)`` (:func:`estimate_message_tokens`).
The fill ratio is that estimate over ``provider.context_window_tokens``.

Before every model request (:meth:`ContextManager.before_request`):

1. at :attr:`ContextManager.reference_ratio` (0.70) fill, older tool results
   in the history sent to the model are replaced, oldest first, by short
   references until the fill is below :attr:`ContextManager.reference_target_ratio`:
   the first line of the result plus its ``overflow_id`` when it had one
   (``read_overflow`` pages it back), else the store message id holding the
   original. The most recent :data:`KEEP_RECENT_RESULTS` tool-result messages
   are never replaced. This changes the in-memory history only.
2. at :attr:`ContextManager.summary_ratio` (0.85) fill, the conversation is
   summarised by the model (one extra call, :meth:`CompactionHost.complete`, over a plain
   transcript, no tools). The new history is a user message holding the
   summary and the active task (the user message that started the current
   turn) verbatim, followed by the recent messages kept verbatim (about
   :attr:`ContextManager.keep_recent_ratio` of the window, cut before an
   assistant message so tool uses and their results stay paired).

:meth:`ContextManager.compact` does step 2 on demand (``/compact``). Nothing is lost: every
message shown to the model before the compaction is marked compacted in
SQLite (``SessionStore.messages(include_compacted=True)`` reads them back)
and the new history, summary first, is stored after them, so a resumed
session loads exactly what the model saw.

Compaction works on a :class:`CompactionHost` (the
:class:`~zeph_tui.core.session.session.Session` implements it), never on the
Session class itself: the summary request goes through
:meth:`CompactionHost.complete`, so it passes the session's layer stack
(``before_model`` / ``after_model``) and is accounted in the session's and the
running turn's usage and cost like every other model call.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.base import (
    ImagePart,
    Message,
    MessageStop,
    ModelRequest,
    Part,
    Provider,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)

if TYPE_CHECKING:
    from zeph_tui.core.store import Store

__all__ = [
    "CHARS_PER_TOKEN",
    "KEEP_RECENT_RESULTS",
    "SUMMARY_HEADER",
    "CompactionHost",
    "CompactionResult",
    "ContextManager",
    "estimate_message_tokens",
    "estimate_tokens",
]

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
KEEP_RECENT_RESULTS = 2
"""Most recent tool-result messages never replaced by references."""
IMAGE_TOKENS = 1600
"""Estimate for one image part."""
MIN_REFERENCE_CHARS = 300
"""Tool results shorter than this are left alone (a reference would not save much)."""
REFERENCE_PREFIX = "[earlier tool result elided to save context"
SUMMARY_HEADER = "[Summary of the earlier conversation, written by the assistant at compaction]"
SUMMARY_SYSTEM = (
    "You compact a coding assistant's conversation so the work can continue in a fresh "
    "context. Write a faithful, dense summary; never invent facts."
)
SUMMARY_MAX_TOKENS = 4096
"""Output budget of the summary request (tokens), at most the session's ``max_tokens``."""
SUMMARY_INSTRUCTION = (
    "Summarise the conversation transcript below for the assistant to continue from. "
    "Keep: the user's goals and constraints, decisions made, files read or changed (with "
    "paths), commands run and their outcomes, errors still open, overflow ids worth "
    "re-reading, and the next steps. Use short sections and bullet points. Do not call "
    "tools.\n\n<transcript>\n"
)
_TRANSCRIPT_PART_CHARS = 2000
_OVERFLOW_ID = re.compile(r"overflow_id=(ovf_[0-9a-f]{12})")

CompactionAction = Literal["none", "references", "summary"]


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What a compaction did.

    Attributes:
        action: ``none``, ``references`` (tool results replaced) or ``summary``.
        tokens_before / tokens_after: estimated context fill, in tokens.
        references: tool results replaced by references.
        summarised_messages: messages folded into the summary (hidden in the store).
        summary: the summary text ('' unless ``action == "summary"``).
    """

    action: CompactionAction
    tokens_before: int
    tokens_after: int
    references: int = 0
    summarised_messages: int = 0
    summary: str = ""


class CompactionHost(Protocol):
    """What compaction needs from its session (the Session implements it).

    Attributes:
        history: the live conversation; compaction rewrites it in place.
        context_tokens: the measured context fill (tokens); compaction lowers it.
    """

    history: list[Message]
    context_tokens: int

    @property
    def id(self) -> str:
        """The session id (store rows)."""
        ...

    @property
    def provider(self) -> Provider:
        """The session's provider (its ``context_window_tokens``)."""
        ...

    @property
    def store(self) -> Store:
        """The store holding the session's messages."""
        ...

    async def complete(self, request: ModelRequest) -> MessageStop:
        """One model call through the layer stack, accounted in the session and turn totals.

        Raises:
            ProviderError: the call failed.
        """
        ...

    async def publish_usage(self) -> None:
        """Tell the faces the new context fill (a ``UsageUpdate``)."""
        ...


def estimate_tokens(text: str) -> int:
    """``ceil(len(text) / 4)`` tokens."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _part_chars(part: Part) -> int:
    if isinstance(part, TextPart | ThinkingPart):
        return len(part.text)
    if isinstance(part, ToolResultPart):
        return len(part.content) + 16
    if isinstance(part, ToolUsePart):
        return len(part.raw_input or json.dumps(part.input)) + len(part.name) + 16
    return IMAGE_TOKENS * CHARS_PER_TOKEN


def estimate_message_tokens(message: Message) -> int:
    """Estimated tokens of one message (4 characters per token, images 1,600)."""
    chars = sum(_part_chars(p) for p in message.parts) + 8
    return -(-chars // CHARS_PER_TOKEN)


@dataclass(kw_only=True, eq=False)
class ContextManager:
    """Per-session budget and automatic compaction (see the module docstring).

    Args (keyword only):
        reference_ratio: fill at which old tool results become references.
        reference_target_ratio: fill the reference pass aims for.
        summary_ratio: fill at which the conversation is summarised.
        keep_recent_ratio: share of the window kept verbatim by a summary.
        enabled: False turns automatic compaction off (``compact`` still works).
        summary_max_tokens: output budget of the summary request (tokens).

    Attributes (state, not arguments):
        measured_len: messages of the history the last usage report covered.
        overhead_tokens: system prompt and tool specs, estimated from that report.
        results: the compactions done so far, oldest first.
    """

    reference_ratio: float = 0.70
    reference_target_ratio: float = 0.55
    summary_ratio: float = 0.85
    keep_recent_ratio: float = 0.25
    enabled: bool = True
    summary_max_tokens: int = SUMMARY_MAX_TOKENS
    measured_len: int = field(default=0, init=False)
    overhead_tokens: int = field(default=0, init=False)
    results: list[CompactionResult] = field(default_factory=list, init=False)

    # ------------------------------------------------------------ budget

    def record_usage(self, session: CompactionHost) -> None:
        """Call after ``session.context_tokens`` was set from a usage report."""
        self.measured_len = len(session.history)
        estimated = sum(estimate_message_tokens(m) for m in session.history)
        # system prompt + tool specs; capped so a bad estimate cannot pin the fill high
        window = session.provider.context_window_tokens
        self.overhead_tokens = min(max(0, session.context_tokens - estimated), window // 4)

    def estimate(self, session: CompactionHost) -> int:
        """Tokens the next request would occupy: last report + estimates since."""
        history = session.history
        if session.context_tokens <= 0 or self.measured_len > len(history):
            return self.overhead_tokens + sum(estimate_message_tokens(m) for m in history)
        return session.context_tokens + sum(
            estimate_message_tokens(m) for m in history[self.measured_len :]
        )

    def _reset_estimate(self, session: CompactionHost) -> int:
        tokens = self.overhead_tokens + sum(estimate_message_tokens(m) for m in session.history)
        session.context_tokens = tokens
        self.measured_len = len(session.history)
        return tokens

    # ------------------------------------------------------------ automatic

    async def before_request(self, session: CompactionHost) -> CompactionResult:
        """Compact if the fill crossed a threshold; called before each model request."""
        window = session.provider.context_window_tokens
        before = self.estimate(session)
        if not self.enabled or window <= 0 or before < self.reference_ratio * window:
            return CompactionResult("none", before, before)
        refs = await self._reference_pass(session, int(self.reference_target_ratio * window))
        after = self.estimate(session)
        result = CompactionResult("references" if refs else "none", before, after, refs)
        if after >= self.summary_ratio * window:
            try:
                summary = await self.summarise(session)
            except ProviderError as exc:
                log.warning("compaction summary failed, going on without it: %s", exc)
            else:
                result = CompactionResult(
                    summary.action if summary.action != "none" else result.action,
                    before,
                    summary.tokens_after if summary.action != "none" else after,
                    refs,
                    summary.summarised_messages,
                    summary.summary,
                )
        if result.action != "none":
            self.results.append(result)
            await session.publish_usage()
        return result

    async def compact(self, session: CompactionHost) -> CompactionResult:
        """Summarise now (``/compact``); the caller checks no turn is running.

        Returns:
            What was done; ``action == "none"`` when there was too little to fold.

        Raises:
            ProviderError: the summary request failed (history unchanged).
        """
        result = await self.summarise(session)
        if result.action != "none":
            self.results.append(result)
            await session.publish_usage()
        return result

    async def _reference_pass(self, session: CompactionHost, target_tokens: int) -> int:
        history = session.history
        result_msgs = [
            i
            for i, m in enumerate(history)
            if m.role == "user" and any(isinstance(p, ToolResultPart) for p in m.parts)
        ]
        candidates = result_msgs[:-KEEP_RECENT_RESULTS] if KEEP_RECENT_RESULTS else result_msgs
        ids = await session.store.sessions.message_ids(session.id)
        if len(ids) != len(history):
            ids = []
        replaced = 0
        for i in candidates:
            if self.estimate(session) <= target_tokens:
                break
            message = history[i]
            parts: list[Part] = []
            changed = False
            for part in message.parts:
                if (
                    isinstance(part, ToolResultPart)
                    and len(part.content) >= MIN_REFERENCE_CHARS
                    and not part.content.startswith(REFERENCE_PREFIX)
                ):
                    ref = _reference(part, ids[i] if ids else None)
                    parts.append(ToolResultPart(part.tool_use_id, ref, part.is_error))
                    changed = True
                    replaced += 1
                else:
                    parts.append(part)
            if changed:
                history[i] = Message(message.role, parts)
                if i < self.measured_len:  # the measured total included the original
                    saved = estimate_message_tokens(message) - estimate_message_tokens(history[i])
                    session.context_tokens = max(0, session.context_tokens - saved)
        return replaced

    # ------------------------------------------------------------ summary

    async def summarise(self, session: CompactionHost) -> CompactionResult:
        """Fold older messages into a model-written summary (see the module docstring).

        Raises:
            ProviderError: the summary request failed (history unchanged).
        """
        history = session.history
        before = self.estimate(session)
        window = session.provider.context_window_tokens
        cut = _keep_from(history, int(self.keep_recent_ratio * window))
        task = _active_task(history)
        if cut is None or (cut == 1 and task == 0):
            return CompactionResult("none", before, before)
        summary = await _summary_text(session, history[:cut], self.summary_max_tokens)
        first: list[Part] = [TextPart(f"{SUMMARY_HEADER}\n{summary.strip()}")]
        if task is not None and task < cut:
            first.append(TextPart("\n[The user's current request, kept verbatim:]\n"))
            first.extend(p for p in history[task].parts if isinstance(p, TextPart | ImagePart))
        new_history = [Message("user", first), *history[cut:]]
        store = session.store.sessions
        await store.mark_compacted(await store.message_ids(session.id))
        for message in new_history:
            await store.append_message(session.id, message)
        history[:] = new_history
        after = self._reset_estimate(session)
        return CompactionResult("summary", before, after, 0, cut, summary)


def _reference(part: ToolResultPart, message_id: int | None) -> str:
    first_line = part.content.lstrip().split("\n", 1)[0][:160]
    found = _OVERFLOW_ID.search(part.content)
    if found:
        where = (
            f"full output archived as overflow_id={found.group(1)}; "
            "use read_overflow to page or grep it"
        )
    elif message_id is not None:
        where = f"the original ({len(part.content)} chars) is kept in the session store, message {message_id}"
    else:
        where = f"the original ({len(part.content)} chars) is kept in the session store"
    return f"{REFERENCE_PREFIX}; {where}. It began: {first_line}]"


def _active_task(history: list[Message]) -> int | None:
    """Index of the user message that started the current turn (no tool results in it)."""
    for i in range(len(history) - 1, -1, -1):
        m = history[i]
        if m.role == "user" and not any(isinstance(p, ToolResultPart) for p in m.parts):
            return i
    return None


def _keep_from(history: list[Message], keep_tokens: int) -> int | None:
    """Start of the verbatim tail: an assistant message index >= 1, or None."""
    starts = [i for i in range(1, len(history)) if history[i].role == "assistant"]
    if not starts:
        return None
    tail = 0
    pos = len(history)
    for start in reversed(starts):
        tail += sum(estimate_message_tokens(m) for m in history[start:pos])
        pos = start
        if tail >= keep_tokens:
            return start
    return starts[0]


def _render_transcript(messages: list[Message]) -> str:
    out: list[str] = []
    for m in messages:
        out.append(f"## {m.role}")
        for p in m.parts:
            if isinstance(p, TextPart):
                out.append(p.text)
            elif isinstance(p, ToolUsePart):
                args = p.raw_input or json.dumps(p.input, ensure_ascii=False)
                out.append(f"[tool call {p.name} {args[:_TRANSCRIPT_PART_CHARS]}]")
            elif isinstance(p, ToolResultPart):
                body = p.content
                if len(body) > _TRANSCRIPT_PART_CHARS:
                    half = _TRANSCRIPT_PART_CHARS // 2
                    body = f"{body[:half]}\n[...]\n{body[-half:]}"
                label = "tool error" if p.is_error else "tool result"
                out.append(f"[{label}: {body}]")
            elif isinstance(p, ImagePart):
                out.append("[image]")
    return "\n".join(out)


async def _summary_text(session: CompactionHost, messages: list[Message], max_tokens: int) -> str:
    prompt = SUMMARY_INSTRUCTION + _render_transcript(messages) + "\n</transcript>"
    request = ModelRequest(
        system=SUMMARY_SYSTEM,
        messages=[Message("user", [TextPart(prompt)])],
        tools=[],
        max_tokens=max_tokens,
    )
    stop = await session.complete(request)
    text = "".join(p.text for p in stop.parts if isinstance(p, TextPart))
    if not text.strip():
        raise ProviderError("the model returned an empty summary")
    return text
