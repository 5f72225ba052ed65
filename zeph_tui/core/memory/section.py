"""The system-prompt section that offers relevant memories before each turn.

Like the skills catalog: for the user's text of the turn, the best memories
visible in the session's workspace (:meth:`.store.MemoryStore.recall`: the
search hits, then those related to them through shared entities, marked) are
listed, best first, until the next one would pass ``budget_tokens``
(estimated at ``ceil(chars / 4)``, as the context budget does);
the whole section, heading included, stays within the budget.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from zeph_tui.core.memory.command import related_note
from zeph_tui.core.memory.store import MemoryStore

__all__ = ["DEFAULT_BUDGET_TOKENS", "estimate_tokens", "memory_section", "render_memories"]

DEFAULT_BUDGET_TOKENS = 300
_HEADING = (
    "## Memories\nFrom earlier sessions (`recall` searches for more; `remember` stores new ones):"
)
_CANDIDATES = 10


class _InWorkspace(Protocol):
    """What the section needs of a Session (memory does not import the session room)."""

    workspace: Path


def estimate_tokens(text: str) -> int:
    """``ceil(len(text) / 4)`` tokens, the estimate of :mod:`zeph_tui.core.session.context`."""
    return -(-len(text) // 4)


def render_memories(texts: list[tuple[int, str]], budget_tokens: int) -> str:
    """The section for ``(id, text)`` pairs, best first, within ``budget_tokens`` ('' if none fit)."""
    lines = [_HEADING]
    used = estimate_tokens(_HEADING)
    for memory_id, text in texts:
        line = f"- [{memory_id}] {text}"
        cost = estimate_tokens("\n" + line)
        if used + cost > budget_tokens:
            break
        lines.append(line)
        used += cost
    return "\n".join(lines) if len(lines) > 1 else ""


def memory_section(
    store: MemoryStore, budget_tokens: int = DEFAULT_BUDGET_TOKENS
) -> Callable[[_InWorkspace, str], Awaitable[str]]:
    """A prompt section (``(session, user_text) -> text``) over ``store``."""

    async def section(session: _InWorkspace, user_text: str) -> str:
        if budget_tokens <= 0:
            return ""
        found = await store.recall(user_text, project=str(session.workspace), limit=_CANDIDATES)
        texts = [(m.id, m.text) for m in found.hits]
        texts += [(r.memory.id, f"{r.memory.text} [{related_note(r)}]") for r in found.related]
        return render_memories(texts, budget_tokens)

    return section
