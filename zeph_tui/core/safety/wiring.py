"""Secret redaction wired into the running agent: storage, events, logs, tool results.

One process-wide :class:`~zeph_tui.core.safety.redact.Redactor`
(:func:`default_redactor`) is seeded with the values of the secret-looking
environment variables (:func:`~zeph_tui.core.safety.env.secret_env_values`)
and those the CLI moved out of the environment
(:func:`~zeph_tui.core.safety.keys.taken_secrets`), and knows the built-in
token shapes. It is applied:

* before storage: :class:`~zeph_tui.core.store.sessions.SessionStore` redacts
  messages, events, tool calls and titles; the ``bash`` tool redacts output
  before it reaches the overflow archive, the live panes and the model's copy;
* before the faces: :class:`RedactingSink` wraps a session's event sink, so
  every face (dashboard, ACP, ``run --json``) sees redacted events;
* in logs: :func:`install_log_redaction` (called by ``Runtime.start``)
  redacts every log record at creation and adds :class:`RedactingLogFilter`
  to the root logger and its handlers;
* for the model: :class:`~zeph_tui.core.layers.safety.RedactionLayer`.

Streamed message text is redacted per chunk with a hold-back of the last
unfinished word (up to :data:`HOLD_BACK_MAX_CHARS`), so a secret split across
two chunks is still caught.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import Any

from zeph_tui.core.events import (
    AgentMessageChunk,
    AgentThoughtChunk,
    DiffContent,
    Event,
    TextContent,
    ToolCall,
    ToolCallContent,
    ToolCallUpdate,
)
from zeph_tui.core.ports import EventSink
from zeph_tui.core.providers.base import (
    Message,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from zeph_tui.core.safety.env import secret_env_values
from zeph_tui.core.safety.keys import taken_secrets
from zeph_tui.core.safety.redact import Redactor

__all__ = [
    "HOLD_BACK_MAX_CHARS",
    "RedactingLogFilter",
    "RedactingSink",
    "default_redactor",
    "install_log_redaction",
    "redact_event",
    "redact_message",
    "redact_value",
]

HOLD_BACK_MAX_CHARS = 256
"""Longest unfinished word a :class:`RedactingSink` holds back between chunks."""

_lock = threading.Lock()
_default: Redactor | None = None


def default_redactor(refresh_env: bool = False) -> Redactor:
    """The process-wide redactor (created on first use from ``os.environ``).

    Args:
        refresh_env: add the secret values of the current environment again
            (``Runtime.start`` does, so keys set after import are covered).
    """
    global _default
    known = [*secret_env_values(), *taken_secrets().values()]  # taken: moved out of os.environ
    with _lock:
        if _default is None:
            _default = Redactor(known)
        elif refresh_env:
            _default.add_secrets(known)
        return _default


def redact_value(value: Any, redact: Callable[[str], str]) -> Any:
    """Redact every string inside JSON-like data (dicts, lists, tuples); returns a copy."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, redact) for v in value)
    return value


def redact_message(message: Message, redact: Callable[[str], str]) -> Message:
    """A copy of ``message`` with text, thinking, tool inputs and results redacted.

    Thinking signatures and image data are left as they are.
    """
    parts: list[Any] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            parts.append(TextPart(redact(part.text)))
        elif isinstance(part, ThinkingPart):
            parts.append(ThinkingPart(redact(part.text), part.signature))
        elif isinstance(part, ToolResultPart):
            parts.append(ToolResultPart(part.tool_use_id, redact(part.content), part.is_error))
        elif isinstance(part, ToolUsePart):
            parts.append(
                ToolUsePart(
                    part.id, part.name, redact_value(part.input, redact), redact(part.raw_input)
                )
            )
        else:
            parts.append(part)
    return Message(message.role, parts)


def redact_event(event: Event, redact: Callable[[str], str]) -> Event:
    """A copy of ``event`` with its user-visible text redacted.

    Covers message and thought chunks, text content, raw input and raw output
    of tool calls and their updates; other events are returned unchanged.
    """
    if isinstance(event, AgentMessageChunk | AgentThoughtChunk):
        return dataclasses.replace(event, text=redact(event.text))
    if isinstance(event, ToolCall | ToolCallUpdate):
        changes: dict[str, Any] = {}
        if event.content:
            changes["content"] = tuple(_redact_content(c, redact) for c in event.content)
        if isinstance(event, ToolCall) and event.raw_input:
            changes["raw_input"] = redact_value(event.raw_input, redact)
        if isinstance(event, ToolCallUpdate) and event.raw_output:
            changes["raw_output"] = redact_value(event.raw_output, redact)
        if event.title:
            changes["title"] = redact(event.title)
        return dataclasses.replace(event, **changes) if changes else event
    return event


def _redact_content(content: ToolCallContent, redact: Callable[[str], str]) -> ToolCallContent:
    if isinstance(content, TextContent):
        return TextContent(redact(content.text))
    if isinstance(content, DiffContent):
        old = None if content.old_text is None else redact(content.old_text)
        return dataclasses.replace(content, old_text=old, new_text=redact(content.new_text))
    return content


class RedactingSink:
    """Wraps an :class:`~zeph_tui.core.ports.EventSink`; every event is redacted first.

    Message and thought chunks are cut after their last whitespace; the
    unfinished word waits for the next chunk (or the next other event) so a
    secret split across chunks is seen whole. Call :meth:`flush` to release it.

    Args:
        sink: the face's sink.
        redactor: the redactor to apply.
    """

    def __init__(self, sink: EventSink, redactor: Redactor) -> None:
        self.inner = sink
        self.redactor = redactor
        self._held: AgentMessageChunk | AgentThoughtChunk | None = None

    async def __call__(self, event: Event) -> None:
        if isinstance(event, AgentMessageChunk | AgentThoughtChunk):
            held = self._held
            if held is not None and (
                type(held) is not type(event) or held.message_id != event.message_id
            ):
                await self.flush()
                held = None
            text = (held.text if held is not None else "") + event.text
            cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t")) + 1
            if len(text) - cut > HOLD_BACK_MAX_CHARS:
                cut = len(text)
            head, tail = text[:cut], text[cut:]
            self._held = dataclasses.replace(event, text=tail) if tail else None
            if head:
                await self.inner(dataclasses.replace(event, text=self.redactor.redact(head)))
            return
        await self.flush()
        await self.inner(redact_event(event, self.redactor.redact))

    async def pass_through(self, event: Event) -> None:
        """Forward an event whose text was already redacted (bash output blocks)."""
        await self.flush()
        await self.inner(event)

    async def flush(self) -> None:
        """Emit the held-back end of the current message, redacted."""
        held, self._held = self._held, None
        if held is not None:
            await self.inner(dataclasses.replace(held, text=self.redactor.redact(held.text)))


class RedactingLogFilter(logging.Filter):
    """Redacts a record's message, arguments and traceback in place; never drops it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, self.redactor)
        return True


def _redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    if getattr(record, "_zeph_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to the handler's error path
        return
    record.msg = redactor.redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)
    record._zeph_redacted = True


_installed: dict[str, Any] = {}


def install_log_redaction(redactor: Redactor | None = None) -> RedactingLogFilter:
    """Redact every log record of the process (idempotent; the last redactor wins).

    Records are redacted when created (a wrapped log record factory), which
    covers loggers and handlers added later and records propagated from child
    loggers; the returned filter is also added to the root logger and to its
    current handlers.
    """
    redactor = redactor or default_redactor()
    with _lock:
        flt: RedactingLogFilter | None = _installed.get("filter")
        if flt is None:
            flt = RedactingLogFilter(redactor)
            _installed["filter"] = flt
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _redact_record(record, flt.redactor)
                return record

            logging.setLogRecordFactory(factory)
        flt.redactor = redactor
    root = logging.getLogger()
    for target in (root, *root.handlers):
        if flt not in target.filters:
            target.addFilter(flt)
    return flt
