"""Entities and relations from remembered notes (rules), entity search, one- and two-hop recall."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeph_tui.core.memory import MemoryDraft, MemoryStore
from zeph_tui.core.memory.graph import MemoryGraph, Relation, extract, recall
from zeph_tui.core.store import open_store

A, B = "/work/a", "/work/b"

NOTES = [
    "The Billing service depends on Postgres.",  # 1
    "Postgres runs on db-01; its backups go to S3 nightly.",  # 2
    "db-01 is patched every Tuesday by the ops team.",  # 3
    "Releases are tagged from the main branch.",  # 4: no shared entity
]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    opened = await open_store(tmp_path / "zeph.db")
    try:
        yield MemoryStore(opened.db)
    finally:
        await opened.close()


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


async def test_entities_are_searchable(store: MemoryStore) -> None:
    for note in NOTES:
        await store.remember(MemoryDraft(note), project=A)
    graph = MemoryGraph.build(await store.list(project=A))
    assert graph.search("which host is it, db-01?") == ["db-01"]
    assert graph.search("postgres") == ["postgres"]
    typed = graph.relations_of("postgres")[:2]  # typed relations before plain mentions
    assert {(r.subject, r.verb, r.object) for r in typed} == {
        ("billing", "depends on", "postgres"),
        ("postgres", "runs on", "db-01"),
    }


async def test_recall_expands_one_and_two_hops(store: MemoryStore) -> None:
    ids = [(await store.remember(MemoryDraft(n), project=A)).memory.id for n in NOTES]
    await store.remember(MemoryDraft("db-01 in project b is a different machine"), project=B)
    one = await recall(store, "Billing", project=A, hops=1)
    assert [m.id for m in one.hits] == [ids[0]]
    # hop 1: the note sharing Postgres; not yet the db-01 patch note
    assert [(m.id, hop) for m, hop in one.related] == [(ids[1], 1)]
    two = await recall(store, "Billing", project=A, hops=2)
    # hop 2: Postgres runs on db-01, so the db-01 note comes in; never another project's
    assert [(m.id, hop) for m, hop in two.related] == [(ids[1], 1), (ids[2], 2)]
    assert ids[3] not in [m.id for m, _ in two.related]
    assert {"billing", "postgres"} <= set(two.entities)
    with pytest.raises(ValueError, match="hops must be 1 or 2"):
        await recall(store, "Billing", project=A, hops=3)
