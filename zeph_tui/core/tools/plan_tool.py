"""The ``update_plan`` tool: the model shows its plan as a checklist.

``update_plan(entries)`` with ``entries = [{content, status, priority?}, ...]``
emits one core :class:`~zeph_tui.core.events.Plan` event through
``ctx.emit``. Every face shows it: the ACP driver sends it as a ``plan``
``session/update`` (spec: https://agentclientprotocol.com/protocol/v1/agent-plan;
each update replaces the whole plan), the dashboard fills its plan pane and
``zeph-tui run --json`` prints it. The model gets a one-line confirmation.

Read-only (kind ``think``): it touches no file, so every permission mode
allows it, plan mode included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from zeph_tui.core.errors import ToolInputError
from zeph_tui.core.events import Plan, PlanEntry
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["MAX_CONTENT_CHARS", "MAX_ENTRIES", "UpdatePlan", "parse_entries"]

MAX_ENTRIES = 50
"""Most entries one plan may hold."""
MAX_CONTENT_CHARS = 500
"""Longest ``content`` of one entry, in characters."""

_STATUSES = ("pending", "in_progress", "completed")
_PRIORITIES = ("high", "medium", "low")
_FIELDS = ("content", "status", "priority")

Status = Literal["pending", "in_progress", "completed"]
Priority = Literal["high", "medium", "low"]


def _one_of(where: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ToolInputError(f"{where} must be one of {', '.join(allowed)}; got {value!r:.60}")
    return value


def _entry(index: int, raw: object) -> PlanEntry:
    where = f"entries[{index}]"
    if not isinstance(raw, Mapping):
        raise ToolInputError(
            f"{where} must be an object with content and status, got {type(raw).__name__}"
        )
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise ToolInputError(
            f"{where} has unknown field '{unknown[0]}' (fields: content, status, priority)"
        )
    content = raw.get("content")
    if not isinstance(content, str) or not content.strip():
        raise ToolInputError(f"{where}.content must be a non-empty string")
    if len(content) > MAX_CONTENT_CHARS:
        raise ToolInputError(
            f"{where}.content is {len(content)} characters; at most {MAX_CONTENT_CHARS}"
        )
    if "status" not in raw:
        raise ToolInputError(f"{where}.status is missing (one of {', '.join(_STATUSES)})")
    status = cast(Status, _one_of(f"{where}.status", raw["status"], _STATUSES))
    priority = cast(Priority, _one_of(f"{where}.priority", raw.get("priority") or "medium",
                                      _PRIORITIES))  # fmt: skip
    return PlanEntry(" ".join(content.split()), priority, status)


def parse_entries(args: Mapping[str, Any]) -> tuple[PlanEntry, ...]:
    """Validate ``update_plan`` arguments and build the plan entries.

    Args:
        args: ``{"entries": [{"content": str, "status": "pending" | "in_progress" |
            "completed", "priority"?: "high" | "medium" | "low"}, ...]}``;
            ``priority`` defaults to ``medium``, whitespace in ``content`` is collapsed.

    Returns:
        The entries, in the given order (possibly empty: an empty plan clears it).

    Raises:
        ToolInputError: naming the offending field, e.g. ``entries[2].status``.
    """
    entries = args.get("entries")
    if not isinstance(entries, list):
        raise ToolInputError(
            f"argument 'entries' must be an array of {{content, status, priority?}} objects, "
            f"got {type(entries).__name__}"
        )
    if len(entries) > MAX_ENTRIES:
        raise ToolInputError(f"argument 'entries' has {len(entries)} items; at most {MAX_ENTRIES}")
    return tuple(_entry(i, raw) for i, raw in enumerate(entries))


def _summary(entries: tuple[PlanEntry, ...]) -> str:
    counts = {s: sum(1 for e in entries if e.status == s) for s in reversed(_STATUSES)}
    parts = [f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n]
    noun = "entry" if len(entries) == 1 else "entries"
    return f"{len(entries)} {noun} ({', '.join(parts)})"


class UpdatePlan(Tool, name="update_plan", kind="think", read_only=True):
    """``update_plan(entries)``: replace the plan the user sees (see the module doc)."""

    def title(self, args: Mapping[str, Any]) -> str:
        entries = args.get("entries")
        if not isinstance(entries, list):
            return "Update plan"
        done = sum(1 for e in entries if isinstance(e, Mapping) and e.get("status") == "completed")
        return f"Update plan ({done}/{len(entries)} done)"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """Emit the plan; the result text is ``Plan updated: N entries (...)``.

        Raises:
            ToolInputError: invalid entries (the field is named).
        """
        entries = parse_entries(args)
        await ctx.emit(Plan(entries))
        if not entries:
            return ToolResult("Plan cleared.")
        return ToolResult(f"Plan updated: {_summary(entries)}.")
