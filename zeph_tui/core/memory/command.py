"""``/memory``: one implementation of the memory listing every face shares.

The slash command (:func:`zeph_tui.core.commands.builtin.memory`, dashboard
and ACP) answers :func:`memory_reply`; ``zeph-tui memory`` prints the same
lines (:func:`memory_line`, :func:`forgot_line`).

Actions: ``list`` (the default), ``search QUERY``, ``show ID``, ``forget ID``,
over the memories visible in the session's project (its project memories and
the user's).
"""

from __future__ import annotations

import json
import time

from zeph_tui.core.errors import ZephError
from zeph_tui.core.memory.store import Memory, MemoryStore

__all__ = ["USAGE", "MemoryUsage", "forgot_line", "memory_line", "memory_reply"]

USAGE = "Usage: /memory [list | search QUERY | show ID | forget ID]"
_LIST_LIMIT = 20


class MemoryUsage(ZephError):
    """A ``/memory`` line that is not one of the actions; the message is the usage."""


def memory_line(memory: Memory) -> str:
    """``   id  YYYY-MM-DD  scope   importance  text`` (local date of the last update)."""
    when = time.strftime("%Y-%m-%d", time.localtime(memory.updated_at))
    return f"{memory.id:>5}  {when}  {memory.scope:<7} {memory.importance:.2f}  {memory.text}"


def forgot_line(memory: Memory) -> str:
    """What forgetting ``memory`` replies."""
    return f"forgot memory {memory.id}: {memory.text}"


def _memory_id(text: str) -> int:
    if not text.isdigit():
        raise MemoryUsage(f"memory id must be a number, not {text!r}. {USAGE}")
    return int(text)


async def memory_reply(store: MemoryStore, argument: str, *, project: str) -> str:
    """The reply of ``/memory ARGUMENT`` in ``project`` (a workspace path).

    Raises:
        MemoryUsage: an unknown action, a missing query or a bad id.
        UnknownMemory: no memory has that id.
    """
    action, _, rest = argument.strip().partition(" ")
    action, rest = action.lower() or "list", rest.strip()
    if action == "list" and not rest:
        found = await store.list(project=project, limit=_LIST_LIMIT)
        if not found:
            return "No memories yet (the model keeps them with its remember tool)."
        return "\n".join([f"Memories ({len(found)}, newest first):", *map(memory_line, found)])
    if action == "search" and rest:
        found = await store.search(rest, project=project, limit=_LIST_LIMIT)
        if not found:
            return f"No memory matches {rest!r}."
        return "\n".join([f"Memories for {rest!r} (best first):", *map(memory_line, found)])
    if action == "show" and rest:
        return json.dumps(
            (await store.get(_memory_id(rest))).to_json(), ensure_ascii=False, indent=2
        )
    if action == "forget" and rest:
        return forgot_line(await store.forget(_memory_id(rest)))
    raise MemoryUsage(USAGE)
