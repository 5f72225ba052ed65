"""The ``remember`` and ``recall`` tools: the model's long-term memory.

Both act on :class:`zeph_tui.core.memory.MemoryStore` in the session's
database; ``project`` memories belong to the session's workspace, ``user``
memories to every workspace. ``remember`` has kind ``think`` (like
``update_plan``: it touches no file of the workspace, only the agent's own
notebook, and its validator refuses secrets), ``recall`` kind ``search``.
``recall`` is :meth:`~zeph_tui.core.memory.store.MemoryStore.recall`: the
search hits, then (under a heading) the memories related to the top hits one
or two hops through shared entities, each saying by which.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from zeph_tui.core.errors import StoreError, ToolError, ToolInputError
from zeph_tui.core.memory import Memory, MemoryDraft, MemoryRejected, MemoryStore
from zeph_tui.core.memory.command import recall_lines
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult, check_args, int_argument

__all__ = ["Recall", "Remember", "format_memory", "memory_tools"]


def format_memory(memory: Memory) -> str:
    """``[id] (scope kind, importance 0.5) text`` on one line."""
    return f"[{memory.id}] ({memory.scope} {memory.kind}, importance {memory.importance:g}) {memory.text}"


class Remember(Tool, name="remember", kind="think", read_only=True):
    """``remember(text, scope?, kind?, importance?)``: store a note or fact for later sessions."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def title(self, args: Mapping[str, Any]) -> str:
        return f"remember {str(args.get('text', ''))[:40]}".rstrip()

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """Store the memory; ``raw_extras`` is ``{"memory": {...}, "merged": bool}``.

        Raises:
            ToolInputError: a field has the wrong type, or the validator refused it
                (the message names the field: text, scope, kind, importance).
        """
        check_args(self.input_schema, args)
        draft = MemoryDraft(
            str(args["text"]),
            str(args.get("scope", "project")),
            str(args.get("kind", "note")),
            float(args.get("importance", 0.5)),
        )
        try:
            written = await self.store.remember(
                draft, project=str(ctx.workspace), session_id=ctx.session_id
            )
        except MemoryRejected as exc:
            raise ToolInputError(str(exc)) from exc
        verb = "merged into" if written.merged else "remembered as"
        return ToolResult(
            text=f"{verb} memory {written.memory.id}",
            raw_extras={"memory": written.memory.to_json(), "merged": written.merged},
        )


class Recall(Tool, name="recall", kind="search", read_only=True):
    """``recall(query, limit?)``: search the memories of this project and of the user."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def title(self, args: Mapping[str, Any]) -> str:
        return f"recall {args.get('query', '')}".rstrip()

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """The matches, best first, then the related ones, or a line saying there are none.

        ``raw_extras``: ``{"memories": [hit ids], "related": [{"id", "hop", "via"}]}``.

        Raises:
            ToolInputError: ``query`` missing, ``limit`` out of 1 .. 20.
        """
        check_args(self.input_schema, args)
        limit = int_argument(args, "limit", 5, 1, 20)
        try:
            found = await self.store.recall(
                str(args["query"]), project=str(ctx.workspace), limit=limit
            )
        except (sqlite3.Error, StoreError) as exc:  # a broken database: a failed call
            raise ToolError(f"recall failed: {exc}") from exc
        if not found.hits:
            return ToolResult(text="no memory matches that query")
        related = [{"id": r.memory.id, "hop": r.hop, "via": list(r.via)} for r in found.related]
        return ToolResult(
            text="\n".join(recall_lines(found, format_memory)),
            raw_extras={"memories": [m.id for m in found.hits], "related": related},
        )


def memory_tools(store: MemoryStore) -> list[Tool]:
    """The two memory tools on ``store``."""
    return [Remember(store), Recall(store)]
