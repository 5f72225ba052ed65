"""A bounded, coalescing buffer between the session's events and the widgets.

The session emits events as fast as a command prints (one
:class:`~zeph_tui.core.events.ToolCallUpdate` per read of up to 64 KiB); the
dashboard renders at most once per frame. :class:`EventFeed` sits between
them: :meth:`EventFeed.push` is cheap and never touches a widget, and
:meth:`EventFeed.drain` hands the app a short list of operations for one frame:

* consecutive message (or thought) chunks are joined into one string;
* output chunks of a tool call are joined into an :class:`OutputTail` that
  keeps only the last ``max_lines`` lines (plus exact byte and line totals),
  so memory is bounded by ``max_lines`` whatever the command prints;
* every other event passes through in order.

No Textual import here: this module is plain data, tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zeph_tui.core.events import (
    AgentMessageChunk,
    AgentThoughtChunk,
    Event,
    TextContent,
    ToolCallUpdate,
)

__all__ = ["AgentText", "EventFeed", "FeedOp", "OutputTail", "ThoughtText", "ToolOutput"]


@dataclass(slots=True)
class OutputTail:
    """The newest lines of one tool call's output within one frame.

    Attributes:
        max_lines: lines kept; older ones are dropped (they stay in the archive).
        chunks: kept text, in order (joined by :attr:`text`).
        total_bytes: UTF-8 bytes seen in this frame, dropped ones included.
        total_lines: newlines seen in this frame, dropped ones included.
        dropped_lines: lines dropped from the front in this frame.
    """

    max_lines: int
    chunks: list[str] = field(default_factory=list)
    total_bytes: int = 0
    total_lines: int = 0
    dropped_lines: int = 0
    _kept_lines: int = 0

    def add(self, text: str) -> None:
        self.total_bytes += len(text.encode("utf-8", "replace"))
        newlines = text.count("\n")
        self.total_lines += newlines
        self._kept_lines += newlines
        self.chunks.append(text)
        if self._kept_lines > 2 * self.max_lines:
            self._trim()

    def _trim(self) -> None:
        joined = "".join(self.chunks)
        lines = joined.split("\n")  # last item is the unfinished line ('' after a newline)
        keep = lines[-(self.max_lines + 1) :]
        self.dropped_lines += len(lines) - len(keep)
        self.chunks = ["\n".join(keep)]
        self._kept_lines = len(keep) - 1

    @property
    def text(self) -> str:
        """The kept output: at most ``max_lines`` complete lines plus an unfinished one."""
        if self._kept_lines > self.max_lines:
            self._trim()
        return "".join(self.chunks)


@dataclass(slots=True)
class AgentText:
    text: str
    message_id: str | None


@dataclass(slots=True)
class ThoughtText:
    text: str
    message_id: str | None


@dataclass(slots=True)
class ToolOutput:
    tool_call_id: str
    tail: OutputTail


FeedOp = AgentText | ThoughtText | ToolOutput | Event
"""One operation for the app to apply, in the order the events came."""


class EventFeed:
    """Collects events between two frames; see the module docstring.

    Args:
        max_lines: lines of tool output kept per call per frame (the pane
            keeps the same number across frames).
    """

    def __init__(self, max_lines: int = 2000) -> None:
        self.max_lines = max_lines
        self._ops: list[FeedOp] = []
        self._tails: dict[str, OutputTail] = {}

    @property
    def pending(self) -> bool:
        """True when :meth:`drain` would return something."""
        return bool(self._ops)

    def push(self, event: Event) -> None:
        """Queue one event (O(size of its text); never blocks, never renders)."""
        ops = self._ops
        last = ops[-1] if ops else None
        if isinstance(event, AgentMessageChunk | AgentThoughtChunk):
            op = AgentText if isinstance(event, AgentMessageChunk) else ThoughtText
            if isinstance(last, op) and last.message_id == event.message_id:
                last.text += event.text  # chunks of one message coalesce
            else:
                ops.append(op(event.text, event.message_id))
            return
        if isinstance(event, ToolCallUpdate) and event.content:
            texts = [c.text for c in event.content if isinstance(c, TextContent)]
            if texts:
                self._tool_text(event.tool_call_id, "".join(texts))
                rest = tuple(c for c in event.content if not isinstance(c, TextContent))
                if (
                    not rest
                    and event.status is None
                    and event.raw_output is None
                    and (event.title is None and event.locations is None)
                ):
                    return
                event = ToolCallUpdate(
                    event.tool_call_id,
                    status=event.status,
                    content=rest or None,
                    locations=event.locations,
                    title=event.title,
                    raw_output=event.raw_output,
                )
        ops.append(event)

    def _tool_text(self, tool_call_id: str, text: str) -> None:
        tail = self._tails.get(tool_call_id)
        if tail is None:
            tail = self._tails[tool_call_id] = OutputTail(self.max_lines)
            self._ops.append(ToolOutput(tool_call_id, tail))
        tail.add(text)

    def drain(self) -> list[FeedOp]:
        """Return the queued operations and start a new frame."""
        ops, self._ops = self._ops, []
        self._tails = {}
        return ops
