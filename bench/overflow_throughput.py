"""Overflow archive throughput: 100 MB of command output into SQLite.

Streams output through the real :class:`OverflowWriter` (aiosqlite, WAL,
commits every 250 ms) in 64 KiB reads, as the bash tool does, and prints
MB/s and RSS growth. Baseline in the same run: the same bytes written with
plain ``sqlite3`` ``executemany`` in one transaction (no event loop, no
line indexing), so the ratio shows what our streaming path costs.
Targets: >= 100 MB/s, RSS growth <= 30 MB.

    .venv/bin/python bench/overflow_throughput.py [--mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from zeph_tui.core.store import open_store

READ_BYTES = 64 * 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_block() -> bytes:
    line = b"2026-11-22T00:00:00 INFO worker-3 processed item 123456 in 0.42 ms status=ok\n"
    return (line * (READ_BYTES // len(line) + 1))[:READ_BYTES]


async def ours(path: Path, total: int, block: bytes) -> tuple[float, float]:
    store = await open_store(path)
    rss0 = rss_mb()
    start = time.perf_counter()
    writer = await store.archive.writer("bench", "call")
    async with writer:
        for _ in range(total // len(block)):
            await writer.write(block)
    elapsed = time.perf_counter() - start
    growth = rss_mb() - rss0
    info = await store.archive.info(writer.id)
    assert info.total_bytes == total // len(block) * len(block)
    await store.close()
    return elapsed, growth


async def bash_tool(path: Path, total: int, workspace: Path) -> tuple[float, float]:
    """The whole bash tool path: subprocess, events, model copy and archive."""
    from zeph_tui.core.ports import LocalFS
    from zeph_tui.core.safety.paths import WorkspaceRoots
    from zeph_tui.core.tools.base import ToolContext
    from zeph_tui.core.tools.bash import Bash

    store = await open_store(path)
    events = 0

    async def sink(event: object) -> None:
        nonlocal events
        events += 1

    ctx = ToolContext(
        workspace, WorkspaceRoots(workspace), LocalFS(), store.archive, sink, "call", "bench"
    )
    rss0 = rss_mb()
    start = time.perf_counter()
    line = "2026-11-22T00:00:00 INFO worker-3 processed item 123456 in 0.42 ms status=ok"
    result = await Bash().run({"command": f"yes '{line}' | head -c {total}"}, ctx)
    elapsed = time.perf_counter() - start
    assert "overflow_id=" in result.text, result.text[-300:]
    growth = rss_mb() - rss0
    await store.close()
    return elapsed, growth


def baseline(path: Path, total: int, block: bytes) -> float:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, data BLOB)")
    start = time.perf_counter()
    big = block * 4  # 256 KiB rows, like our chunks
    with conn:
        conn.executemany(
            "INSERT INTO t(data) VALUES (?)", ((big,) for _ in range(total // len(big)))
        )
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    total = args.mb * 1024 * 1024
    block = make_block()
    with tempfile.TemporaryDirectory() as tmp:
        base_s = baseline(Path(tmp) / "base.db", total, block)
        ours_s, growth = asyncio.run(ours(Path(tmp) / "zeph.db", total, block))
        bash_s, bash_growth = asyncio.run(bash_tool(Path(tmp) / "bash.db", total, Path(tmp)))
    mb = total / 1024 / 1024
    print(f"baseline sqlite3 executemany  {mb / base_s:8.1f} MB/s  ({base_s:.2f} s)")
    print(
        f"zeph overflow archive         {mb / ours_s:8.1f} MB/s  ({ours_s:.2f} s)  "
        f"target >= 100 MB/s  {'OK' if mb / ours_s >= 100 else 'MISSED'}"
    )
    print(f"ratio (ours / baseline time)  {ours_s / base_s:8.2f}x")
    print(
        f"RSS growth while archiving    {growth:8.1f} MB    target <= 30 MB  "
        f"{'OK' if growth <= 30 else 'MISSED'}"
    )
    print(
        f"whole bash tool path          {mb / bash_s:8.1f} MB/s  ({bash_s:.2f} s, subprocess + "
        f"live events + model copy + archive), RSS growth {bash_growth:.1f} MB"
    )


if __name__ == "__main__":
    main()
