"""The entity graph of the memories, kept in the database, and its expansion of a recall.

Tables (schema v4, :mod:`zeph_tui.core.store.db`): ``memory_entities``
(memory id, entity key, the name as the memory writes it) and
``memory_relations`` (memory id, subject, verb, object: the typed relations of
:func:`.entities.extract_named`; ``mentions`` between two entities of one
memory is implied by their rows in ``memory_entities`` and not stored).

Both are written by :func:`index_memory` in the transaction that writes the
memory (remember; a merge re-extracts the merged text, so the old text's
entities go), and removed with it (forget deletes them, and ``ON DELETE
CASCADE`` would too). ``memories.graph_version`` says which extraction rules
(:data:`GRAPH_VERSION`) filled a memory's rows: memories written before v4
(0) or by older rules are extracted by :func:`backfill`, which the store runs
on its first graph read.

Expansion (:func:`expand`) walks from seed memories through shared entities:
hop 1 is every visible memory that shares an entity with a seed, hop 2 every
one that shares an entity with a kept hop-1 memory. Bounds: an entity
mentioned by more than :data:`MAX_FANOUT` memories is not followed (it links
everything, like a stop word), and at most ``limit`` memories come back,
ranked by hop, then by link strength (the sum of ``1 / mentions`` over the
shared entities: a rare shared name says more), then importance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zeph_tui.core.memory.entities import Relation, extract_named

if TYPE_CHECKING:
    import aiosqlite

    from zeph_tui.core.store.db import Database

__all__ = [
    "GRAPH_VERSION",
    "MAX_FANOUT",
    "Link",
    "backfill",
    "entities_of",
    "expand",
    "find_entities",
    "forget_memory",
    "index_memory",
]

GRAPH_VERSION = 1
"""Version of the extraction rules; raise it when they change to re-extract every memory."""
MAX_FANOUT = 50
"""An entity mentioned by more memories than this is not followed by an expansion."""
_BACKFILL_BATCH = 500

Visible = tuple[str, tuple[Any, ...]]
"""An SQL condition on ``memories m`` and its parameters (the store's visibility)."""


@dataclass(frozen=True, slots=True)
class Link:
    """A memory reached by expansion: ``hop`` 1 or 2, ``via`` the shared entities' names."""

    memory_id: int
    hop: int
    via: tuple[str, ...]


async def index_memory(conn: aiosqlite.Connection, memory_id: int, text: str) -> None:
    """Replace the entities and relations of one memory by those of ``text`` (in a transaction)."""
    names, relations = extract_named(text)
    await conn.execute("DELETE FROM memory_entities WHERE memory_id = ?", (memory_id,))
    await conn.execute("DELETE FROM memory_relations WHERE memory_id = ?", (memory_id,))
    await conn.executemany(
        "INSERT INTO memory_entities (memory_id, entity, name) VALUES (?, ?, ?)",
        [(memory_id, key, name) for key, name in names.items()],
    )
    await conn.executemany(
        "INSERT OR IGNORE INTO memory_relations (memory_id, subject, verb, object) "
        "VALUES (?, ?, ?, ?)",
        [(memory_id, r.subject, r.verb, r.object) for r in relations if r.verb != "mentions"],
    )
    await conn.execute(
        "UPDATE memories SET graph_version = ? WHERE id = ?", (GRAPH_VERSION, memory_id)
    )


async def forget_memory(conn: aiosqlite.Connection, memory_id: int) -> None:
    """Delete the entity rows and relations of one memory (in its forget transaction)."""
    await conn.execute("DELETE FROM memory_entities WHERE memory_id = ?", (memory_id,))
    await conn.execute("DELETE FROM memory_relations WHERE memory_id = ?", (memory_id,))


async def backfill(db: Database) -> int:
    """Extract every memory whose ``graph_version`` is older than :data:`GRAPH_VERSION`.

    Runs in transactions of :data:`_BACKFILL_BATCH` memories.

    Returns:
        How many memories were extracted (0 when the graph was complete).
    """
    done = 0
    while True:
        rows = await db.fetchall(
            "SELECT id, text FROM memories WHERE graph_version < ? ORDER BY id LIMIT ?",
            (GRAPH_VERSION, _BACKFILL_BATCH),
        )
        if not rows:
            return done
        async with db.transaction() as conn:
            for memory_id, text in rows:
                await index_memory(conn, int(memory_id), str(text))
        done += len(rows)


async def entities_of(db: Database, memory_id: int) -> tuple[list[str], list[Relation]]:
    """The entity names of one memory (by lower-case key) and its typed relations."""
    names = [
        str(r[0])
        for r in await db.fetchall(
            "SELECT name FROM memory_entities WHERE memory_id = ? ORDER BY entity", (memory_id,)
        )
    ]
    relations = [
        Relation(str(s), str(v), str(o))
        for s, v, o in await db.fetchall(
            "SELECT subject, verb, object FROM memory_relations WHERE memory_id = ? "
            "ORDER BY subject, verb, object",
            (memory_id,),
        )
    ]
    return names, relations


async def find_entities(
    db: Database, query: str, visible: Visible, limit: int = 20
) -> list[tuple[str, int]]:
    """Entities whose key contains ``query`` (case-insensitive), as ``(name, memories)``.

    Only mentions by visible memories count; most mentioned first. '' finds nothing.
    """
    needle = query.strip().lower()
    if not needle:
        return []
    cond, params = visible
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await db.fetchall(
        "SELECT min(e.name), count(*) AS n FROM memory_entities e "
        f"JOIN memories m ON m.id = e.memory_id WHERE e.entity LIKE ? ESCAPE '\\' AND {cond} "
        "GROUP BY e.entity ORDER BY n DESC, e.entity LIMIT ?",
        (f"%{escaped}%", *params, limit),
    )
    return [(str(name), int(n)) for name, n in rows]


async def _links(
    db: Database, sources: list[int], exclude: set[int], visible: Visible
) -> list[tuple[int, float, float, tuple[str, ...]]]:
    """Visible memories sharing a followed entity with ``sources``: (id, strength, importance, via)."""
    if not sources:
        return []
    marks = ", ".join("?" * len(sources))
    shared = await db.fetchall(
        "SELECT e.entity, min(e.name), "
        "(SELECT count(*) FROM memory_entities d WHERE d.entity = e.entity) "
        f"FROM memory_entities e WHERE e.memory_id IN ({marks}) GROUP BY e.entity",
        sources,
    )
    followed = {str(k): (str(name), int(df)) for k, name, df in shared if 1 < int(df) <= MAX_FANOUT}
    if not followed:
        return []
    cond, params = visible
    keys = list(followed)
    rows = await db.fetchall(
        "SELECT e.memory_id, e.entity, m.importance FROM memory_entities e "
        f"JOIN memories m ON m.id = e.memory_id WHERE e.entity IN ({', '.join('?' * len(keys))}) "
        f"AND {cond}",
        (*keys, *params),
    )
    strength: dict[int, float] = defaultdict(float)
    via: dict[int, list[str]] = defaultdict(list)
    importance: dict[int, float] = {}
    for memory_id, key, weight in rows:
        mid = int(memory_id)
        if mid in exclude:
            continue
        name, df = followed[str(key)]
        strength[mid] += 1.0 / df
        via[mid].append(name)
        importance[mid] = float(weight)
    ranked = sorted(strength, key=lambda i: (-strength[i], -importance[i], i))
    return [(i, strength[i], importance[i], tuple(sorted(via[i]))) for i in ranked]


async def expand(
    db: Database, seeds: list[int], exclude: set[int], visible: Visible, *, hops: int, limit: int
) -> list[Link]:
    """Memories reached from ``seeds`` in 1 or ``hops`` (2) steps, best first (module doc).

    Args:
        seeds: the memories to start from (the top hits of a search).
        exclude: memories never returned (every direct hit).
        visible: the store's visibility condition.
        hops: 1 or 2.
        limit: most memories returned.

    Raises:
        ValueError: ``hops`` is not 1 or 2.
    """
    if hops not in (1, 2):
        raise ValueError(f"hops must be 1 or 2, got {hops}")
    if limit <= 0:
        return []
    skip = set(exclude) | set(seeds)
    first = await _links(db, seeds, skip, visible)
    out = [Link(i, 1, via) for i, _, _, via in first[:limit]]
    if hops == 2 and len(out) < limit:
        skip |= {i for i, _, _, _ in first}
        second = await _links(db, [link.memory_id for link in out], skip, visible)
        out += [Link(i, 2, via) for i, _, _, via in second[: limit - len(out)]]
    return out
