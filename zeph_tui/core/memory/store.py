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

Each write keeps the memory's entities and relations (:mod:`.graph`) in the
same transaction; :meth:`MemoryStore.recall`, what the ``recall`` tool, the
prompt section, ``/memory search``, ``zeph-tui memory search`` and the
dashboard's memory pane all answer, is a search whose top hits are expanded
one and two hops through shared entities.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from zeph_tui.core.errors import NotFound
from zeph_tui.core.memory.entities import Relation
from zeph_tui.core.memory.graph import (
    backfill,
    entities_of,
    expand,
    find_entities,
    forget_memory,
    index_memory,
)
from zeph_tui.core.memory.rank import Candidate, fts_query, jaccard, mmr, tokens
from zeph_tui.core.memory.validate import MemoryDraft, normalised_text, validate

if TYPE_CHECKING:
    from collections.abc import Callable

    from zeph_tui.core.store.db import Database

__all__ = [
    "MERGE_JACCARD",
    "SEED_HITS",
    "Memory",
    "MemoryStore",
    "Recalled",
    "Related",
    "UnknownMemory",
    "Written",
]

MERGE_JACCARD = 0.8
SEED_HITS = 3
"""How many of a recall's top hits its expansion starts from."""
CANDIDATES = 50
_DAY_S = 86400.0
_COLUMNS = "id, scope, project, kind, text, importance, source_session, created_at, updated_at"


class UnknownMemory(NotFound):
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
        """Every field by name, JSON-ready: ``{"id": 3, "scope": "project", ..., "updated_at": 1.7e9}``."""
        return {f: getattr(self, f) for f in self.__slots__}


class Written(NamedTuple):
    """The outcome of a write, ``(memory, merged)``: the memory as stored, and
    whether it merged into a duplicate instead of adding a row."""

    memory: Memory
    merged: bool


@dataclass(frozen=True, slots=True)
class Related:
    """A memory a recall found by expansion: ``hop`` 1 or 2, through the entities ``via``."""

    memory: Memory
    hop: int
    via: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recalled:
    """A recall: the ranked direct hits, then the memories found through their entities."""

    hits: list[Memory]
    related: list[Related]

    @property
    def memories(self) -> list[Memory]:
        """Every memory of the recall in its order: the hits, then the related ones."""
        return [*self.hits, *(r.memory for r in self.related)]


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
        self._graph_ready = False

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
            await index_memory(conn, memory_id, draft.text)
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
            await forget_memory(conn, memory_id)
            await conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
        return memory

    async def ensure_graph(self) -> int:
        """Extract the memories the graph lacks (a database from before it); how many.

        Runs once per store (then the writes keep the graph); later calls return 0.
        """
        if self._graph_ready:
            return 0
        done = await backfill(self.db)
        self._graph_ready = True
        return done

    async def recall(
        self, query: str, *, project: str | None, limit: int = 5, hops: int = 2
    ) -> Recalled:
        """:meth:`search`, then up to ``limit`` more memories through the entity graph.

        The :data:`SEED_HITS` best hits seed :func:`.graph.expand`; what it
        reaches (visible in ``project``, never a hit) comes after the hits,
        hop 1 before hop 2.

        Raises:
            ValueError: ``hops`` is not 1 or 2.
        """
        if hops not in (1, 2):
            raise ValueError(f"hops must be 1 or 2, got {hops}")
        hits = await self.search(query, project=project, limit=limit)
        if not hits:
            return Recalled([], [])
        await self.ensure_graph()
        links = await expand(
            self.db,
            [m.id for m in hits[:SEED_HITS]],
            {m.id for m in hits},
            _visible(project),
            hops=hops,
            limit=limit,
        )
        by_id = {m.id: m for m in await self._many([link.memory_id for link in links])}
        related = [Related(by_id[k.memory_id], k.hop, k.via) for k in links if k.memory_id in by_id]
        return Recalled(hits, related)

    async def entities(self, memory_id: int) -> tuple[builtins.list[str], builtins.list[Relation]]:
        """The entity names and typed relations of one memory; raises UnknownMemory."""
        await self.get(memory_id)
        await self.ensure_graph()
        return await entities_of(self.db, memory_id)

    async def find_entities(
        self, query: str, *, project: str | None
    ) -> builtins.list[tuple[str, int]]:
        """Entities named like ``query`` in the visible memories: ``(name, how many)``."""
        await self.ensure_graph()
        return await find_entities(self.db, query, _visible(project))

    async def _many(self, ids: builtins.list[int]) -> builtins.list[Memory]:
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        async with self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE id IN ({marks})", ids
        ) as cur:
            return [Memory(*r) for r in await cur.fetchall()]
