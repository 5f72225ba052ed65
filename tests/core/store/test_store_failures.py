"""SQLite failures at the store's boundary: always StoreError, with what to do; nothing committed lost.

A full disk is SQLite's own size limit (``PRAGMA max_page_count``) on the
real connection; read-only is a real read-only bind mount (root) or file
modes; damage is real bytes overwritten in a real database file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.faces.cli.mistakes import damage, read_only
from zeph_tui.core.errors import StorageUnavailable, StoreError
from zeph_tui.core.providers.base import Message, TextPart
from zeph_tui.core.store import OverflowWriter, open_store
from zeph_tui.core.store.db import open_database


async def _fill(writer: OverflowWriter) -> None:
    for _ in range(200):  # 200 x 64 KiB: far beyond two pages
        await writer.write(b"x" * 65535 + b"\n")
        await writer.flush()


async def test_full_disk_stops_the_writer_and_keeps_what_was_committed(tmp_path: Path) -> None:
    path = tmp_path / "zeph.db"
    store = await open_store(path)
    try:
        await store.sessions.create("s1", "/w")
        await store.sessions.append_message("s1", Message("user", [TextPart("kept")]))
        store.archive.chunk_bytes = 1024  # whole chunks get committed by flush()
        writer = await (await store.archive.writer("s1", "call-1")).__aenter__()
        await writer.write(b"first line\n" * 1000)
        await writer.flush()
        pages = (await store.db.fetchone("PRAGMA page_count"))[0]
        await store.db.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StorageUnavailable, match=r"is full.*data already committed is kept"):
            await _fill(writer)  # StorageUnavailable: a tool call meeting it ends the turn
        with pytest.raises(StoreError, match="is full"):
            await writer.write(b"after the failure\n")  # the writer stays stopped
        with pytest.raises(StoreError, match="is full"):
            await writer.close()  # the archive is not marked complete
        with pytest.raises(StoreError, match="is full"):
            await store.sessions.append_message("s1", Message("user", [TextPart("x" * 50_000)]))
        # space is back: the same connection writes again
        await store.db.conn.execute("PRAGMA max_page_count = 1073741823")
        await store.sessions.append_message("s1", Message("user", [TextPart("after")]))
        texts = [m.parts[0].text for m in await store.sessions.messages("s1")]  # type: ignore[union-attr]
        assert texts == ["kept", "after"]
        page = await store.archive.read(writer.id, limit=5)
        assert [t for _, t in page.lines] == ["first line"] * 5
        info = await store.archive.info(writer.id)
        assert not info.complete and info.total_bytes >= 11_000
    finally:
        await store.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


async def test_damaged_database_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "zeph.db"
    store = await open_store(path)
    await store.sessions.create("s1", "/w")
    for i in range(200):
        await store.sessions.append_events("s1", [{"n": i, "pad": "y" * 2000}])
    await store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damage(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match=r"damaged.*left untouched.*mv .*zeph\.db\.broken") as info:
        await open_store(path)
    assert not isinstance(info.value, StorageUnavailable)  # damage is not a full or read-only disk
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


async def test_damaged_database_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "zeph.db"
    db = await open_database(path, target_version=1)
    await db.conn.execute(
        "INSERT INTO sessions(id, cwd, created_at, updated_at) VALUES ('s', '/w', 1, 1)"
    )
    for i in range(300):
        await db.conn.execute(
            "INSERT INTO events(session_id, payload_json, created_at) VALUES ('s', ?, 1)",
            ("z" * 1500 + str(i),),
        )
    await db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[-4096 * 3 : -4096] = b"\x07" * 8192  # deep in the events table: not seen by the probe
    path.write_bytes(bytes(data))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="damaged"):
        await open_store(path)  # v1 -> v2 needs a migration: quick_check first
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


async def test_read_only_database_names_the_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = await open_store(home / "zeph.db")
    await store.close()
    with read_only(home), pytest.raises(StorageUnavailable, match="read-only") as info:
        await open_store(home / "zeph.db")
    assert str(home / "zeph.db") in str(info.value) and "ZEPH_HOME" in str(info.value)


async def test_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("x")
    with pytest.raises(StoreError, match=r"ZEPH_HOME .* is not a directory"):
        await open_store(home / "zeph.db")
