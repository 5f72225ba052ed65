"""The entity graph in SQLite: rules, upkeep on remember/merge/forget, migration, expansion."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeph_tui.core.memory import MemoryDraft, MemoryStore
from zeph_tui.core.memory.entities import Relation, extract
from zeph_tui.core.memory.graph import MAX_FANOUT
from zeph_tui.core.store import SCHEMA_VERSION, open_store
from zeph_tui.core.store.db import open_database

A, B = "/work/a", "/work/b"

NOTES = [
    "The Billing service depends on Postgres.",  # 0
    "Postgres runs on db-01; its backups go to S3 nightly.",  # 1
    "db-01 is patched every Tuesday by the ops team.",  # 2
    "Releases are tagged from the main branch.",  # 3: no shared entity
]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    opened = await open_store(tmp_path / "zeph.db")
    try:
        yield MemoryStore(opened.db)
    finally:
        await opened.close()


async def fill(store: MemoryStore, notes: list[str], project: str = A) -> list[int]:
    """Remember ``notes`` in ``project``; their ids."""
    return [(await store.remember(MemoryDraft(n), project=project)).memory.id for n in notes]


async def rows(store: MemoryStore, table: str, memory_id: int) -> list[tuple[str, ...]]:
    found = await store.db.fetchall(f"SELECT * FROM {table} WHERE memory_id = ?", (memory_id,))
    return [tuple(r[1:]) for r in found]


def test_rules_find_entities_and_typed_relations() -> None:
    keys, relations = extract("The Billing service depends on Postgres.")
    assert keys == ["billing", "postgres"]
    assert relations == [Relation("billing", "depends on", "postgres")]
    keys, relations = extract(
        "`RoutingProvider` wraps AnthropicProvider in core/providers/routing.py"
    )
    assert keys == ["routingprovider", "anthropicprovider", "core/providers/routing.py"]
    assert Relation("routingprovider", "wraps", "anthropicprovider") in relations
    assert Relation("routingprovider", "mentions", "core/providers/routing.py") in relations
    assert extract("nothing to see here.") == ([], [])


async def test_remember_merge_and_forget_keep_the_graph(store: MemoryStore) -> None:
    note = "The Billing service depends on {} for invoices, refunds, payouts, taxes, credits and statements."
    [billing] = await fill(store, [note.format("Postgres")])
    assert await rows(store, "memory_entities", billing) == [
        ("billing", "Billing"),
        ("postgres", "Postgres"),
    ]
    assert await rows(store, "memory_relations", billing) == [("billing", "depends on", "postgres")]
    assert await store.entities(billing) == (
        ["Billing", "Postgres"],
        [Relation("billing", "depends on", "postgres")],
    )
    # a duplicate merges: the newer text's entities replace the old ones
    merged = await store.remember(MemoryDraft(note.format("MySQL")), project=A)
    assert merged.merged and merged.memory.id == billing
    assert [e for e, _ in await rows(store, "memory_entities", billing)] == ["billing", "mysql"]
    assert await rows(store, "memory_relations", billing) == [("billing", "depends on", "mysql")]
    await store.forget(billing)
    assert await rows(store, "memory_entities", billing) == []
    assert await rows(store, "memory_relations", billing) == []
    assert await store.find_entities("mysql", project=A) == []


async def test_entities_are_searchable_per_project(store: MemoryStore) -> None:
    await fill(store, NOTES)
    await fill(store, ["db-01 in project b is a different machine"], B)
    assert await store.find_entities("DB-0", project=A) == [("db-01", 2)]
    assert await store.find_entities("db-01", project=None) == [("db-01", 3)]
    assert await store.find_entities("%", project=A) == []  # LIKE wildcards are literal
    assert await store.find_entities("", project=A) == []


async def test_recall_expands_one_and_two_hops(store: MemoryStore) -> None:
    ids = await fill(store, NOTES)
    await fill(store, ["db-01 in project b is a different machine"], B)
    one = await store.recall("Billing", project=A, hops=1)
    assert [m.id for m in one.hits] == [ids[0]]
    # hop 1: the note sharing Postgres; not yet the db-01 patch note
    assert [(r.memory.id, r.hop, r.via) for r in one.related] == [(ids[1], 1, ("Postgres",))]
    two = await store.recall("Billing", project=A)  # two hops is the default
    # hop 2: Postgres runs on db-01, so the db-01 note comes in; never another project's
    assert [(r.memory.id, r.hop, r.via) for r in two.related] == [
        (ids[1], 1, ("Postgres",)),
        (ids[2], 2, ("db-01",)),
    ]
    assert [m.id for m in two.memories] == ids[:3]
    assert (await store.recall("Billing", project=A, limit=1)).related[0].memory.id == ids[1]
    assert (await store.recall("no such words", project=A)).memories == []
    with pytest.raises(ValueError, match="hops must be 1 or 2"):
        await store.recall("Billing", project=A, hops=3)


async def test_expansion_ranks_rare_links_first_and_skips_hubs(store: MemoryStore) -> None:
    [seed] = await fill(store, ["The Ledger service uses Kafka and `payout_sync`."])
    [common, rare] = await fill(
        store,
        [
            "Kafka brokers are restarted on Sundays.",
            "The `payout_sync` job replays failed transfers.",
        ],
    )
    await fill(store, [f"Kafka topic number {i} holds event stream {i}." for i in range(3)])
    found = await store.recall("Ledger service", project=A, hops=1, limit=10)
    assert [m.id for m in found.hits] == [seed]
    # payout_sync is mentioned twice, Kafka five times: the rarer link ranks first
    assert found.related[0].memory.id == rare and found.related[0].via == ("payout_sync",)
    assert common in [r.memory.id for r in found.related]
    # an entity in more than MAX_FANOUT memories is a hub: not followed
    await fill(
        store, [f"Kafka consumer lag alert {i} for partition {i}." for i in range(MAX_FANOUT)]
    )
    found = await store.recall("Ledger service", project=A, hops=1, limit=10)
    assert [r.memory.id for r in found.related] == [rare]


async def test_a_database_from_before_the_graph_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "zeph.db"
    old = await open_database(path, target_version=3)  # the schema before the graph
    now = time.time()
    async with old.transaction() as conn:
        await conn.executemany(
            "INSERT INTO memories (scope, project, kind, text, importance, created_at, "
            "updated_at) VALUES ('project', ?, 'note', ?, 0.5, ?, ?)",
            [(A, note, now, now) for note in NOTES],
        )
    await old.close()
    with sqlite3.connect(path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert "memory_entities" not in tables

    opened = await open_store(path)
    try:
        store = MemoryStore(opened.db)
        found = await store.recall("Billing", project=A)
        assert [(r.memory.id, r.hop) for r in found.related] == [(2, 1), (3, 2)]
        assert (await store.entities(2))[0] == ["db-01", "Postgres", "S3"]
        assert await store.ensure_graph() == 0  # once per store
        assert await MemoryStore(opened.db).ensure_graph() == 0  # nothing left to extract
    finally:
        await opened.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT min(graph_version) FROM memories").fetchone()[0] == 1
