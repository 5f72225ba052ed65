"""The SQLite database: connection, pragmas and versioned migrations.

One file (``$ZEPH_HOME/zeph.db``) holds sessions, messages, events, tool
calls and the overflow archive. The schema version lives in
``PRAGMA user_version``; :data:`MIGRATIONS` upgrades step by step, each step
in its own transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from zeph_tui.core.errors import StoreError

if TYPE_CHECKING:
    import aiosqlite

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Database", "open_database"]

MIGRATIONS: tuple[str, ...] = (
    # v1: sessions, messages, events, tool calls, overflow archive
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        cwd TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        mode TEXT NOT NULL DEFAULT 'ask',
        provider TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        parts_json TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX messages_session ON messages(session_id, id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        payload_json TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX events_session ON events(session_id, id);
    CREATE TABLE tool_calls (
        session_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        input_json TEXT NOT NULL,
        status TEXT NOT NULL,
        result_text TEXT,
        is_error INTEGER NOT NULL DEFAULT 0,
        started_at REAL NOT NULL,
        ended_at REAL,
        PRIMARY KEY (session_id, id)
    );
    CREATE TABLE overflow (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        tool_call_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        total_bytes INTEGER NOT NULL DEFAULT 0,
        total_lines INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE overflow_chunks (
        overflow_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        first_line INTEGER NOT NULL,
        n_lines INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (overflow_id, seq)
    ) WITHOUT ROWID;
    """,
    # v2: per-session usage accounting, message compaction marker
    """
    ALTER TABLE sessions ADD COLUMN input_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN output_tokens INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX overflow_created ON overflow(created_at);
    """,
    # v3: long-term memory (zeph_tui.core.memory): notes and facts, FTS5 index kept by triggers
    """
    CREATE TABLE memories (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('project', 'user')),
        project TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'note',
        text TEXT NOT NULL,
        importance REAL NOT NULL DEFAULT 0.5,
        source_session TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        merges INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX memories_scope ON memories(scope, project, updated_at);
    CREATE VIRTUAL TABLE memories_fts USING fts5(
        text, content='memories', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER memories_au AFTER UPDATE OF text ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
    END;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """An open aiosqlite connection with the schema at :data:`SCHEMA_VERSION`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialise one write transaction on the shared connection.

        Commits on success, rolls back on any exception (re-raised). A caller
        cancelled while its ``BEGIN`` was still queued on aiosqlite's thread
        can leave a transaction open behind the lock; the next transaction
        drains the queue first and rolls such a leftover back, so one cancelled
        writer never wedges the store.
        """
        async with self._write_lock:
            await self.conn.execute("SELECT 1")  # FIFO: statements queued before us have run
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    await asyncio.shield(self.conn.execute("ROLLBACK"))
                raise
            await self.conn.execute("COMMIT")

    async def close(self) -> None:
        await self.conn.close()


async def _migrate(conn: aiosqlite.Connection, target: int) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema v{version} is newer than this zeph-tui (v{len(MIGRATIONS)})"
        )
    for number in range(version + 1, target + 1):
        script = MIGRATIONS[number - 1]
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


async def open_database(path: Path, *, target_version: int = SCHEMA_VERSION) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    WAL journal, ``synchronous=NORMAL`` (a crash loses at most the
    uncommitted tail, never committed data), foreign keys on.

    Raises:
        StoreError: the file is not a SQLite database, or is from a newer version.
    """
    import aiosqlite

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    try:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await _migrate(conn, target_version)
    except BaseException as exc:
        # close before raising: aiosqlite's worker thread is not a daemon, and a
        # connection kept alive by a traceback would keep the process from exiting
        await conn.close()
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        raise
    return Database(conn, path)
