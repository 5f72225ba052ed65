"""The SQLite store: migrations, overflow paging and grep, commit cadence, crash safety."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from zeph_tui.core.errors import OverflowNotFound, StoreError, ToolInputError
from zeph_tui.core.providers.base import Message, TextPart, ToolResultPart, ToolUsePart
from zeph_tui.core.store import SCHEMA_VERSION, normalise_overflow_id, open_store
from zeph_tui.core.store.db import open_database
from zeph_tui.core.tools.output import HeadTail


async def test_migrations_upgrade_v1_to_latest_keeping_data(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    db = await open_database(path, target_version=1)
    await db.conn.execute(
        "INSERT INTO sessions(id, cwd, created_at, updated_at) VALUES ('s1', '/w', 1, 1)"
    )
    await db.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    store = await open_store(path)
    record = await store.sessions.get("s1")
    assert record is not None and record.cwd == "/w" and record.input_tokens == 0
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        cols = {r[1] for r in raw.execute("PRAGMA table_info(messages)")}
        assert "compacted" in cols
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match="newer than this zeph-tui"):
        await open_store(path)


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"damaged or not a zeph-tui database.*left untouched"):
        await open_store(path)


async def test_messages_round_trip(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "z.db")
    await store.sessions.create("s", "/w")
    msgs = [
        Message("user", [TextPart("hi ✓")]),
        Message("assistant", [TextPart("x"), ToolUsePart("t1", "bash", {"command": "ls"}, "")]),
        Message("user", [ToolResultPart("t1", "ok", False)]),
    ]
    for m in msgs:
        await store.sessions.append_message("s", m)
    assert await store.sessions.messages("s") == msgs
    await store.close()


async def test_overflow_paging_grep_and_ids(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "z.db")
    store.archive.chunk_bytes = 1000  # many chunks
    writer = await store.archive.writer("s", "call1")
    async with writer:
        for i in range(5000):
            await writer.write(f"row {i}\n".encode())
        await writer.write(b"no newline at end")
    page = await store.archive.read(writer.id, offset=2500, limit=3)
    assert page.lines == [(2500, "row 2500"), (2501, "row 2501"), (2502, "row 2502")]
    assert page.next_offset == 2503
    last = await store.archive.read(writer.id, offset=4999, limit=10)
    assert last.lines == [(4999, "row 4999"), (5000, "no newline at end")]
    assert last.next_offset is None
    hits = await store.archive.read(f"overflow:{writer.id}", grep=r"^row (\d)?499$", limit=100)
    assert [n for n, _ in hits.lines] == [499, 1499, 2499, 3499, 4499]
    info = await store.archive.info(f"overflow_id={writer.id}")
    assert info.complete and info.total_lines == 5000
    with pytest.raises(OverflowNotFound):
        await store.archive.read("ovf_000000000000")
    with pytest.raises(ToolInputError, match="invalid grep regex"):
        await store.archive.read(writer.id, grep="(")
    await store.close()


def test_overflow_id_forms() -> None:
    assert normalise_overflow_id(" overflow_id=ovf_0123456789ab.") == "ovf_0123456789ab"
    assert normalise_overflow_id("overflow: ovf_0123456789ab") == "ovf_0123456789ab"
    with pytest.raises(ToolInputError):
        normalise_overflow_id("ovf_xyz")


def test_head_tail_budget_and_notice() -> None:
    small = HeadTail(100)
    small.feed(b"a\nb\n")
    assert small.render("ovf_0123456789ab") == "a\nb\n"
    big = HeadTail(1024)
    for i in range(1000):
        big.feed(f"line {i}\n".encode())
    text = big.render("ovf_0123456789ab")
    assert text.startswith("line 0\n") and "line 999\n" in text
    assert "overflow_id=ovf_0123456789ab" in text and "1000 lines" in text
    body = text.rsplit("\n[output truncated", 1)[0]
    assert len(body.encode()) <= 1024 + 64


async def test_retention_prunes_old_archives(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "z.db")
    writer = await store.archive.writer("s", "c")
    async with writer:
        await writer.write(b"x\n")
    assert await store.archive.prune(older_than_s=3600) == 0
    assert await store.archive.prune(older_than_s=3600, now=time.time() + 7200) == 1
    with pytest.raises(OverflowNotFound):
        await store.archive.info(writer.id)
    await store.close()


async def test_slow_output_is_committed_within_the_interval(tmp_path: Path) -> None:
    """A reader on another connection sees a trickle of output within ~250 ms."""
    path = tmp_path / "z.db"
    store = await open_store(path)
    writer = await store.archive.writer("s", "c")
    async with writer:
        await writer.write(b"first line\n")
        deadline = time.monotonic() + 2.0
        seen = 0
        while time.monotonic() < deadline:
            with sqlite3.connect(path) as raw:
                seen = raw.execute(
                    "SELECT COUNT(*) FROM overflow_chunks WHERE overflow_id = ?", (writer.id,)
                ).fetchone()[0]
            if seen:
                break
            await asyncio.sleep(0.02)
        waited = 2.0 - (deadline - time.monotonic())
    assert seen == 1
    assert waited < 0.25 + 0.2  # interval plus scheduling slack
    await store.close()


_WRITER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from zeph_tui.core.store import open_store

    async def main():
        store = await open_store(Path(sys.argv[1]))
        writer = await store.archive.writer("s", "c")
        async with writer:
            print(writer.id, flush=True)
            last = 0
            for i in range(10**9):
                await writer.write(b"%08d %s\\n" % (i, b"y" * 100))
                if i % 200 == 0:
                    await asyncio.sleep(0.001)
                if writer.committed_bytes != last:
                    last = writer.committed_bytes
                    print(last, flush=True)

    asyncio.run(main())
    """
)


async def test_killed_mid_stream_keeps_every_committed_chunk(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER_SCRIPT, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert proc.stdout is not None
    overflow_id = proc.stdout.readline().strip()
    committed = 0
    for _ in range(6):  # several commits, then kill without warning
        committed = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT seq, first_line, data FROM overflow_chunks WHERE overflow_id = ? ORDER BY seq",
            (overflow_id,),
        ).fetchall()
    data = b"".join(r[2] for r in rows)
    assert len(data) >= committed > 0
    assert [r[0] for r in rows] == list(range(len(rows)))  # no gaps
    lines = data.split(b"\n")[:-1]
    assert all(line == b"%08d %s" % (i, b"y" * 100) for i, line in enumerate(lines))
    assert all(r[1] == sum(x[2].count(b"\n") for x in rows[: r[0]]) for r in rows)
    store = await open_store(path)
    page = await store.archive.read(overflow_id, offset=len(lines) - 1, limit=1)
    assert page.lines[0][0] == len(lines) - 1
    await store.close()


async def test_cancelled_flushes_neither_wedge_the_store_nor_lose_data(tmp_path: Path) -> None:
    """A writer cancelled mid-commit (a turn cancelled while bash streams) loses nothing."""
    store = await open_store(tmp_path / "z.db")
    store.archive.chunk_bytes = 100
    writer = await store.archive.writer("s", "c")
    async with writer:
        for i in range(200):
            await writer.write(f"line {i}\n".encode())
            if i % 10 == 0:
                task = asyncio.create_task(writer.flush())
                await asyncio.sleep(0)  # let it reach BEGIN, then cancel it
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    await store.sessions.create("after", "/w")  # the store still takes transactions
    page = await store.archive.read(writer.id, limit=1000)
    assert [t for _, t in page.lines] == [f"line {i}" for i in range(200)]
    await store.close()
