"""The record file ("tape") of model calls: JSONL codec, normalisation, divergence.

A tape is JSON Lines. The first line is the header, then one line per model
call, in the order the calls were made::

    {"kind": "header", "version": 1, "workspace": "/abs/ws", "provider": "anthropic",
     "model": "claude-...", "context_window_tokens": 200000, "mode": "bypass"}
    {"kind": "call", "seq": 0, "request": {...}, "stream": [{"type": "text", "text": "Hi"},
     ..., {"type": "stop", "stop_reason": "end_turn", "usage": {...}, "parts": [...]}]}

``request`` is the :class:`~zeph_tui.core.providers.base.ModelRequest` as the
provider got it (system, messages with their tool results, tools, limits);
``stream`` is every item the provider streamed. Every string is redacted
with the session's redactor and the workspace path is written as
``$WORKSPACE``, so a tape can be attached to a bug report and replayed in
another checkout. Overflow ids (``ovf_`` + 12 hex digits) are random per run:
requests are compared with them masked, and the recorded ids in a replayed
answer are mapped onto the ones of this run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import ProviderError, ZephError
from zeph_tui.core.providers.base import (
    Message,
    MessageStop,
    ModelCharge,
    ModelRequest,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolSpec,
    ToolUse,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.store.sessions import message_from_json, message_to_json
from zeph_tui.core.text import parse_json_object

__all__ = [
    "TAPE_VERSION",
    "Normaliser",
    "ReplayDivergence",
    "Tape",
    "TapeError",
    "first_difference",
    "request_to_json",
    "stream_from_json",
    "stream_item_to_json",
]

TAPE_VERSION = 1
WORKSPACE_MARK = "$WORKSPACE"
_OVERFLOW_ID = re.compile(r"ovf_[0-9a-f]{12}")
_OVERFLOW_MASK = "ovf_<id>"
_SHOW_CHARS = 160


class TapeError(ZephError):
    """The tape file is missing, unreadable or not a tape (a user mistake: exit 2)."""


class ReplayDivergence(ProviderError):
    """A replayed session asked for something other than what was recorded.

    Attributes:
        seq: 0-based index of the model call that diverged.
        field: dotted path of the first differing field (``messages[2].parts[0].content``).
        recorded / now: the two values, shortened for display.
    """

    def __init__(self, seq: int, field: str, recorded: str, now: str) -> None:
        self.seq, self.field, self.recorded, self.now = seq, field, recorded, now
        super().__init__(f"replay {self.verdict}")

    @property
    def verdict(self) -> str:
        """``diverged at model call N, field F: recorded R, now X`` (``zeph-tui replay``)."""
        return (
            f"diverged at model call {self.seq + 1}, field {self.field}: "
            f"recorded {self.recorded}, now {self.now}"
        )


# ---------------------------------------------------------------- codec


def request_to_json(request: ModelRequest) -> dict[str, Any]:
    """A ModelRequest as plain JSON (parts in the store's message codec)."""
    return {
        "system": request.system,
        "messages": [
            {"role": m.role, "parts": json.loads(message_to_json(m))} for m in request.messages
        ],
        "tools": [asdict(t) for t in request.tools],
        "max_tokens": request.max_tokens,
        "thinking_budget_tokens": request.thinking_budget_tokens,
        "tool_choice": request.tool_choice,
    }


def request_from_json(raw: dict[str, Any]) -> ModelRequest:
    """Inverse of :func:`request_to_json`."""
    return ModelRequest(
        system=raw["system"],
        messages=[message_from_json(m["role"], json.dumps(m["parts"])) for m in raw["messages"]],
        tools=[ToolSpec(**t) for t in raw["tools"]],
        max_tokens=raw["max_tokens"],
        thinking_budget_tokens=raw["thinking_budget_tokens"],
        tool_choice=raw["tool_choice"],
    )


def stream_item_to_json(item: StreamEvent) -> dict[str, Any]:
    """One streamed item as JSON (``type``: text | thinking | tool_use | stop)."""
    if isinstance(item, TextDelta):
        return {"type": "text", "text": item.text}
    if isinstance(item, ThinkingDelta):
        return {"type": "thinking", "text": item.text}
    if isinstance(item, ToolUse):
        return {"type": "tool_use", "part": asdict(item.part)}
    parts = json.loads(message_to_json(Message("assistant", list(item.parts))))
    stop: dict[str, Any] = {
        "type": "stop",
        "stop_reason": item.stop_reason,
        "usage": asdict(item.usage),
        "parts": parts,
    }
    if item.charges:  # a routed call: every model call behind it (providers/routing.py)
        stop["charges"] = [asdict(c) for c in item.charges]
    return stop


def stream_from_json(raw: dict[str, Any]) -> StreamEvent:
    """Inverse of :func:`stream_item_to_json`.

    Raises:
        TapeError: an unknown type, or an item missing a field or with a wrong one.
    """
    try:
        return _stream_item(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise TapeError(f"tape: malformed stream item {str(raw)[:80]} ({exc!r})") from exc


def _stream_item(raw: dict[str, Any]) -> StreamEvent:
    kind = raw.get("type")
    if kind == "text":
        return TextDelta(raw["text"])
    if kind == "thinking":
        return ThinkingDelta(raw["text"])
    if kind == "tool_use":
        return ToolUse(ToolUsePart(**raw["part"]))
    if kind == "stop":
        parts = message_from_json("assistant", json.dumps(raw["parts"])).parts
        charges = tuple(
            ModelCharge(str(c["model"]), Usage(**c["usage"]), float(c["cost_usd"]))
            for c in raw.get("charges", ())
        )
        return MessageStop(raw["stop_reason"], Usage(**raw["usage"]), tuple(parts), charges)
    raise TapeError(f"tape: unknown stream item type {kind!r}")


# ---------------------------------------------------------------- normalisation


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    return value


@dataclass(slots=True)
class Normaliser:
    """Turns this run's JSON into tape form and back.

    Args:
        redact: the session's redactor (``Redactor.redact``).
        workspace: this run's workspace (written as ``$WORKSPACE``).
    """

    redact: Callable[[str], str]
    workspace: Path
    overflow_ids: dict[str, str] = field(default_factory=dict)
    """recorded overflow id -> this run's, learnt from matching requests."""

    def to_tape(self, value: Any) -> Any:
        root = str(self.workspace)
        return _map_strings(value, lambda s: self.redact(s).replace(root, WORKSPACE_MARK))

    def from_tape(self, value: Any) -> Any:
        root = str(self.workspace)

        def back(s: str) -> str:
            s = _OVERFLOW_ID.sub(lambda m: self.overflow_ids.get(m[0], m[0]), s)
            return s.replace(WORKSPACE_MARK, root)

        return _map_strings(value, back)

    def check(self, seq: int, recorded: dict[str, Any], now: dict[str, Any]) -> None:
        """Compare a request with the recorded one (overflow ids masked).

        Raises:
            ReplayDivergence: naming the first differing field.
        """
        masked = [
            _map_strings(v, lambda s: _OVERFLOW_ID.sub(_OVERFLOW_MASK, s)) for v in (recorded, now)
        ]
        diff = first_difference(masked[0], masked[1])
        if diff is not None:
            raise ReplayDivergence(seq, *diff)
        old_ids = _OVERFLOW_ID.findall(json.dumps(recorded))
        new_ids = _OVERFLOW_ID.findall(json.dumps(now))
        self.overflow_ids.update(zip(old_ids, new_ids, strict=True))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"


def _show_pair(old: str, new: str) -> tuple[str, str]:
    """Two differing strings, cut around the first character where they differ."""
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    at = min(len(old), len(new)) if at is None else at
    start = max(0, at - 40)
    mark = "…" if start else ""
    return _show(mark + old[start:]), _show(mark + new[start:])


def first_difference(recorded: Any, now: Any, path: str = "") -> tuple[str, str, str] | None:
    """The first differing field of two JSON values: (path, recorded, now) or None."""
    if type(recorded) is not type(now):
        return path or "request", _show(recorded), _show(now)
    if isinstance(recorded, dict):
        for key in [*recorded, *(k for k in now if k not in recorded)]:
            sub = f"{path}.{key}" if path else key
            if key not in now or key not in recorded:
                return sub, _show(recorded.get(key, "<absent>")), _show(now.get(key, "<absent>"))
            found = first_difference(recorded[key], now[key], sub)
            if found:
                return found
        return None
    if isinstance(recorded, list):
        for i, (a, b) in enumerate(zip(recorded, now, strict=False)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        if len(recorded) != len(now):
            return f"{path} (length)", str(len(recorded)), str(len(now))
        return None
    if recorded != now:
        if isinstance(recorded, str):
            return (path, *_show_pair(recorded, now))
        return path, _show(recorded), _show(now)
    return None


# ---------------------------------------------------------------- the file


@dataclass(slots=True)
class Tape:
    """A loaded tape: its header and its calls (``request`` and ``stream``, tape form)."""

    header: dict[str, Any]
    calls: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Tape:
        """Read a tape.

        Raises:
            TapeError: the file cannot be read, a line is not JSON, or it has no header.
        """
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise TapeError(f"cannot read tape {path}: {exc}") from exc
        records = list(_parse(path, lines))
        if not records or records[0].get("kind") != "header":
            raise TapeError(f"{path} is not a zeph-tui tape (no header line)")
        header = records[0]
        if header.get("version") != TAPE_VERSION:
            raise TapeError(f"{path}: tape version {header.get('version')!r} is not supported")
        calls = [r for r in records[1:] if r.get("kind") == "call"]
        for call in calls:
            if not isinstance(call.get("request"), dict) or not isinstance(
                call.get("stream"), list
            ):
                raise TapeError(f"{path}: call {call.get('seq')} lacks 'request' or 'stream'")
        return cls(header, calls)


def _parse(path: Path, lines: list[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = parse_json_object(line)
        except ValueError as exc:
            raise TapeError(f"{path}:{number}: not a JSON object ({exc})") from exc
        yield record
