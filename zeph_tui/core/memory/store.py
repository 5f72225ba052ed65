"""Long-term memory in the session database: notes and facts, searched with FTS5.

Table ``memories`` (schema v3, :mod:`zeph_tui.core.store.db`): ``scope``
``project`` (visible in sessions of that workspace, ``project`` = its
resolved path) or ``user`` (visible everywhere), ``kind`` note | fact,
``importance`` 0..1, ``source_session``, ``created_at`` / ``updated_at``
(Unix seconds), ``merges`` (times a duplicate was folded in). The FTS5 table
``memories_fts`` (porter stemming) is kept in step by triggers.

Writes pass :func:`.validate.validate`; a memory whose normalised text equals
one already visible in the same scope, or shares at least
:data:`MERGE_JACCARD` of its words with it, is merged into it (newer text
kept, importance the higher of the two, ``updated_at`` now). Search ranks
BM25 candidates by :mod:`.rank` (decay, importance, MMR).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ZephError
from zeph_tui.core.memory.rank import Candidate, fts_query, jaccard, mmr, tokens
from zeph_tui.core.memory.validate import MemoryDraft, normalised_text, validate

if TYPE_CHECKING:
    from collections.abc import Callable

    from zeph_tui.core.store.db import Database

__all__ = ["MERGE_JACCARD", "Memory", "MemoryStore", "UnknownMemory", "Written"]

MERGE_JACCARD = 0.8
CANDIDATES = 50
_DAY_S = 86400.0
_COLUMNS = "id, scope, project, kind, text, importance, source_session, created_at, updated_at"


class UnknownMemory(ZephError):
    """No memory has that id (in the scopes visible here)."""


@dataclass(frozen=True, slots=True)
class Memory:
    """One stored memory (times in Unix seconds)."""

    id: int
    scope: str
    project: str
    kind: str
    text: str
    importance: float
    source_session: str | None
    created_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(frozen=True, slots=True)
class Written:
    """The outcome of a write: the memory as stored, and whether it merged a duplicate."""

    memory: Memory
    merged: bool


def _visible(project: str | None) -> tuple[str, tuple[Any, ...]]:
    """SQL condition and parameters: user memories plus ``project``'s (all when None)."""
    if project is None:
        return "1", ()
    return "(m.scope = 'user' OR m.project = ?)", (project,)


class MemoryStore:
    """The memories of one database.

    Args:
        db: the open database (schema v3 or later).
        redact: the redactor the validator uses (default: the process redactor).
        clock: seconds since the epoch (tests and the bench pass their own).
    """

    def __init__(
        self,
        db: Database,
        redact: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if redact is None:
            from zeph_tui.core.safety.wiring import default_redactor

            redact = default_redactor().redact
        self.db, self.redact, self.clock = db, redact, clock

    async def remember(
        self, draft: MemoryDraft, *, project: str, session_id: str | None = None
    ) -> Written:
        """Validate and store ``draft`` (merging a duplicate).

        Args:
            project: the workspace path; kept for ``user`` memories too (origin).

        Raises:
            MemoryRejected: the validator refused it (:mod:`.validate`).
        """
        draft = validate(draft, self.redact)
        now = self.clock()
        where = (
            "m.scope = 'user'" if draft.scope == "user" else "m.scope = 'project' AND m.project = ?"
        )
        params: tuple[Any, ...] = () if draft.scope == "user" else (project,)
        duplicate = await self._duplicate(draft.text, where, params)
        async with self.db.transaction() as conn:
            if duplicate is not None:
                await conn.execute(
                    "UPDATE memories SET text = ?, importance = max(importance, ?), "
                    "updated_at = ?, merges = merges + 1 WHERE id = ?",
                    (draft.text, draft.importance, now, duplicate),
                )
                memory_id = duplicate
            else:
                cur = await conn.execute(
                    "INSERT INTO memories (scope, project, kind, text, importance, "
                    "source_session, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        draft.scope,
                        project,
                        draft.kind,
                        draft.text,
                        draft.importance,
                        session_id,
                        now,
                        now,
                    ),
                )
                memory_id = int(cur.lastrowid or 0)
        return Written(await self.get(memory_id), duplicate is not None)

    async def _duplicate(self, text: str, where: str, params: tuple[Any, ...]) -> int | None:
        key, words = normalised_text(text), tokens(text)
        query = fts_query(text)
        if not query:
            return None
        sql = (
            "SELECT m.id, m.text FROM memories_fts JOIN memories m ON m.id = memories_fts.rowid "
            f"WHERE memories_fts MATCH ? AND {where} ORDER BY bm25(memories_fts) LIMIT 20"
        )
        async with self.db.conn.execute(sql, (query, *params)) as cur:
            for memory_id, other in await cur.fetchall():
                if normalised_text(other) == key or jaccard(words, tokens(other)) >= MERGE_JACCARD:
                    return int(memory_id)
        return None

    async def search(self, query: str, *, project: str | None, limit: int = 5) -> list[Memory]:
        """The ``limit`` most relevant memories visible in ``project`` (None: all), best first.

        Ranking: :mod:`.rank`. A query with no searchable word returns [].
        """
        match = fts_query(query)
        if not match or limit <= 0:
            return []
        cond, params = _visible(project)
        sql = (
            f"SELECT {', '.join('m.' + c for c in _COLUMNS.split(', '))}, bm25(memories_fts) "
            "FROM memories_fts JOIN memories m ON m.id = memories_fts.rowid "
            f"WHERE memories_fts MATCH ? AND {cond} ORDER BY bm25(memories_fts) LIMIT ?"
        )
        async with self.db.conn.execute(sql, (match, *params, CANDIDATES)) as cur:
            rows = list(await cur.fetchall())
        now = self.clock()
        by_id = {int(r[0]): Memory(*r[:9]) for r in rows}
        candidates = [
            Candidate(int(r[0]), r[4], float(r[9]), float(r[5]), (now - float(r[8])) / _DAY_S)
            for r in rows
        ]
        return [by_id[c.id] for c in mmr(candidates, limit)]

    async def list(self, *, project: str | None, limit: int = 50) -> list[Memory]:
        """Visible memories, most recently updated first."""
        cond, params = _visible(project)
        sql = f"SELECT {_COLUMNS} FROM memories m WHERE {cond} ORDER BY updated_at DESC, id DESC LIMIT ?"
        async with self.db.conn.execute(sql, (*params, limit)) as cur:
            return [Memory(*r) for r in await cur.fetchall()]

    async def get(self, memory_id: int) -> Memory:
        """One memory by id; raises UnknownMemory."""
        async with self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            raise UnknownMemory(f"unknown memory id {memory_id}")
        return Memory(*row)

    async def forget(self, memory_id: int) -> Memory:
        """Delete one memory and return it; raises UnknownMemory."""
        memory = await self.get(memory_id)
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
        return memory
