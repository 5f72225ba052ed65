"""Paged replay of a session's stored events (``SessionStore.replay``, ``replay_events``)."""

from __future__ import annotations

from pathlib import Path

from zeph_tui.core.config import db_path
from zeph_tui.core.runtime import replay_events
from zeph_tui.core.store import open_store


def _event(i: int) -> dict[str, object]:
    return {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": f"m{i}"}}


async def test_replay_reads_in_pages_in_order(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "zeph.db")
    try:
        await store.sessions.create("s1", str(tmp_path))
        await store.sessions.create("s2", str(tmp_path))
        await store.sessions.append_events("s1", [_event(i) for i in range(450)])
        await store.sessions.append_events("s2", [_event(-1)])
        statements: list[str] = []
        await store.db.conn.set_trace_callback(statements.append)
        replayed = [p async for p in store.sessions.replay("s1", page_size=100)]
        await store.db.conn.set_trace_callback(None)
    finally:
        await store.close()
    assert [p["content"]["text"] for p in replayed] == [f"m{i}" for i in range(450)]  # type: ignore[index]
    pages = [s for s in statements if s.startswith("SELECT id, payload_json FROM events")]
    assert len(pages) == 5  # 100 + 100 + 100 + 100 + 50: never the whole history at once


async def test_replay_events_opens_only_the_store(tmp_path: Path) -> None:
    assert [p async for p in replay_events("s1", home=tmp_path)] == []  # no database yet
    assert not db_path(tmp_path).exists()
    store = await open_store(db_path(tmp_path))
    try:
        await store.sessions.create("s1", str(tmp_path))
        await store.sessions.append_events("s1", [_event(i) for i in range(3)])
    finally:
        await store.close()
    texts = [p["content"]["text"] async for p in replay_events("s1", home=tmp_path)]  # type: ignore[index]
    assert texts == ["m0", "m1", "m2"]
