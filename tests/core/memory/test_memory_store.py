"""MemoryStore on a real SQLite file: validator, merging, scopes, ranking, the prompt budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeph_tui.core.memory import MemoryDraft, MemoryRejected, MemoryStore, UnknownMemory
from zeph_tui.core.memory.section import estimate_tokens, render_memories
from zeph_tui.core.memory.validate import MAX_TEXT_CHARS
from zeph_tui.core.store import open_store

A, B = "/work/a", "/work/b"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    opened = await open_store(tmp_path / "zeph.db")
    try:
        yield MemoryStore(opened.db, clock=Clock())
    finally:
        await opened.close()


async def test_secrets_are_refused_never_stored(store: MemoryStore) -> None:
    key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCD"
    with pytest.raises(
        MemoryRejected, match=r"^text: refused, it contains a secret \(anthropic_key\)"
    ):
        await store.remember(MemoryDraft(f"the API key is {key}"), project=A)
    assert await store.list(project=None) == []


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (MemoryDraft("   "), "text"),
        (MemoryDraft("x" * (MAX_TEXT_CHARS + 1)), "text"),
        (MemoryDraft("fine", scope="team"), "scope"),
        (MemoryDraft("fine", kind="essay"), "kind"),
        (MemoryDraft("fine", importance=1.5), "importance"),
    ],
)
async def test_bad_drafts_name_the_field(
    store: MemoryStore, draft: MemoryDraft, field: str
) -> None:
    with pytest.raises(MemoryRejected, match=rf"^{field}: "):
        await store.remember(draft, project=A)


async def test_duplicates_merge_within_a_scope(store: MemoryStore) -> None:
    first = await store.remember(MemoryDraft("Tests run with pytest -q", importance=0.2), project=A)
    again = await store.remember(
        MemoryDraft("tests run with  PYTEST -q!", importance=0.9), project=A
    )
    assert again.merged and again.memory.id == first.memory.id
    assert again.memory.importance == 0.9 and again.memory.text == "tests run with  PYTEST -q!"
    other = await store.remember(MemoryDraft("Tests run with pytest -q"), project=B)
    assert not other.merged and other.memory.id != first.memory.id
    assert len(await store.list(project=None)) == 2


async def test_scopes_project_and_user(store: MemoryStore) -> None:
    await store.remember(MemoryDraft("postgres listens on port 5433"), project=A)
    await store.remember(
        MemoryDraft("the user prefers postgres over mysql", scope="user"), project=B
    )
    in_a = [m.text for m in await store.search("postgres port", project=A)]
    in_b = [m.text for m in await store.search("postgres port", project=B)]
    assert in_a[0] == "postgres listens on port 5433" and len(in_a) == 2
    assert in_b == ["the user prefers postgres over mysql"]


async def test_decay_and_importance_order_equal_matches(store: MemoryStore) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    old = await store.remember(MemoryDraft("deploy script lives in ops/deploy.sh"), project=A)
    clock.now += 365 * 86400
    new = await store.remember(MemoryDraft("deploy script moved to tools/deploy.py"), project=A)
    found = await store.search("deploy script", project=A)
    assert [m.id for m in found] == [new.memory.id, old.memory.id]
    vip = await store.remember(
        MemoryDraft("deploy script needs the VPN", importance=1.0), project=A
    )
    assert (await store.search("deploy script", project=A))[0].id == vip.memory.id


async def test_mmr_keeps_near_duplicates_from_crowding(store: MemoryStore) -> None:
    for i in range(4):
        await store.remember(
            MemoryDraft(f"cache redis ttl ten minutes for pages variant {i} alpha beta gamma"),
            project=A,
        )
    other = await store.remember(MemoryDraft("cache warmup runs at boot"), project=A)
    found = await store.search("cache", project=A, limit=2)
    assert other.memory.id in [m.id for m in found]


async def test_hostile_queries_and_ids(store: MemoryStore) -> None:
    await store.remember(MemoryDraft('quotes " and NEAR( are fine'), project=A)
    assert await store.search('"unbalanced OR ( NEAR', project=A) != []
    assert await store.search("?!", project=A) == []
    with pytest.raises(UnknownMemory, match="unknown memory id 99"):
        await store.forget(99)


async def test_budget_holds(store: MemoryStore) -> None:
    for i in range(40):
        await store.remember(
            MemoryDraft(f"fact {i}: the build uses ninja and cmake with preset number {i} " * 2),
            project=A,
        )
    found = await store.search("build ninja cmake", project=A, limit=10)
    for budget in (40, 80, 200):
        text = render_memories([(m.id, m.text) for m in found], budget)
        assert estimate_tokens(text) <= budget
        assert text == "" or text.count("\n- [") >= 1
        if budget == 200:
            assert text.count("\n- [") >= 3
    assert render_memories([(1, "x" * 400)], 50) == ""  # one memory over budget: no section
