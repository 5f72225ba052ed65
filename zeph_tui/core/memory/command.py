"""``/memory``: one implementation of the memory listing every face shares.

The slash command (:func:`zeph_tui.core.commands.builtin.memory`, dashboard
and ACP) answers :func:`memory_reply`; ``zeph-tui memory`` prints the same
lines (:func:`memory_line`, :func:`forgot_line`); a search is
:meth:`~zeph_tui.core.memory.store.MemoryStore.recall`, the ``recall`` tool's,
listed by :func:`recall_lines`.

Actions: ``list`` (the default), ``search QUERY``, ``show ID``, ``forget ID``,
over the memories visible in the session's project (its project memories and
the user's).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from zeph_tui.core.errors import ZephError
from zeph_tui.core.memory.store import Memory, MemoryStore, Recalled, Related

__all__ = [
    "RELATED_HEADING",
    "USAGE",
    "MemoryUsage",
    "forgot_line",
    "memory_line",
    "memory_reply",
    "recall_lines",
    "related_note",
]

USAGE = "Usage: /memory [list | search QUERY | show ID | forget ID]"
_LIST_LIMIT = 20


class MemoryUsage(ZephError):
    """A ``/memory`` line that is not one of the actions; the message is the usage."""


def memory_line(memory: Memory) -> str:
    """``   id  YYYY-MM-DD  scope   importance  text`` (local date of the last update)."""
    when = time.strftime("%Y-%m-%d", time.localtime(memory.updated_at))
    return f"{memory.id:>5}  {when}  {memory.scope:<7} {memory.importance:.2f}  {memory.text}"


RELATED_HEADING = "related through shared entities (found by expansion, not by the query):"


def related_note(related: Related) -> str:
    """``1 hop via Postgres, db-01``: how expansion reached a memory."""
    hops = "1 hop" if related.hop == 1 else f"{related.hop} hops"
    return f"{hops} via {', '.join(related.via)}"


def recall_lines(found: Recalled, line: Callable[[Memory], str] = memory_line) -> list[str]:
    """The hits as ``line`` writes them, then :data:`RELATED_HEADING` and the related ones.

    Each related line ends in ``  [<related_note>]``; no heading without related ones.
    """
    lines = [line(m) for m in found.hits]
    if found.related:
        lines.append(RELATED_HEADING)
        lines += [f"{line(r.memory)}  [{related_note(r)}]" for r in found.related]
    return lines


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
        recalled = await store.recall(rest, project=project, limit=_LIST_LIMIT)
        if not recalled.hits:
            return f"No memory matches {rest!r}."
        return "\n".join([f"Memories for {rest!r} (best first):", *recall_lines(recalled)])
    if action == "show" and rest:
        return json.dumps(
            (await store.get(_memory_id(rest))).to_json(), ensure_ascii=False, indent=2
        )
    if action == "forget" and rest:
        return forgot_line(await store.forget(_memory_id(rest)))
    raise MemoryUsage(USAGE)
