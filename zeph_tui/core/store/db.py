"""The SQLite database: connection, pragmas and versioned migrations.

One file (``$ZEPH_HOME/zeph.db``) holds sessions, messages, events, tool
calls and the overflow archive. The schema version lives in
``PRAGMA user_version``; :data:`MIGRATIONS` upgrades step by step, each step
in its own transaction.

SQLite's exceptions never leave this package: :func:`store_error` turns each
into a :class:`~zeph_tui.core.errors.StoreError` whose message names the file
and says what to do (read-only, damaged, full disk, locked).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import StoreError
from zeph_tui.core.store.failures import is_damaged, store_error

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
    # v4: the entity graph of memories (zeph_tui.core.memory.graph); rows of older memories
    # are filled in by the memory store on first use (graph_version 0 = not extracted yet)
    """
    ALTER TABLE memories ADD COLUMN graph_version INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE memory_entities (
        memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (memory_id, entity)
    ) WITHOUT ROWID;
    CREATE INDEX memory_entities_entity ON memory_entities(entity, memory_id);
    CREATE TABLE memory_relations (
        memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        verb TEXT NOT NULL,
        object TEXT NOT NULL,
        PRIMARY KEY (memory_id, subject, verb, object)
    ) WITHOUT ROWID;
    CREATE INDEX memory_relations_subject ON memory_relations(subject);
    CREATE INDEX memory_relations_object ON memory_relations(object);
    """,
    # v5: task graphs of sub-agents (zeph_tui.core.agents.graph_store); IF NOT EXISTS because
    # zeph-tui before v5 created these two tables on first use, outside the migrations
    """
    CREATE TABLE IF NOT EXISTS task_graphs (
        id TEXT PRIMARY KEY,
        goal TEXT NOT NULL,
        strategy TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        parent_session TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS task_nodes (
        graph_id TEXT NOT NULL REFERENCES task_graphs(id) ON DELETE CASCADE,
        node_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        agent TEXT NOT NULL,
        prompt TEXT NOT NULL,
        deps_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        result_text TEXT,
        session_id TEXT,
        error TEXT,
        started_at REAL,
        ended_at REAL,
        PRIMARY KEY (graph_id, node_id)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """An open aiosqlite connection with the schema at :data:`SCHEMA_VERSION`.

    Every method maps ``sqlite3.Error`` to :class:`StoreError` (see :func:`store_error`).
    Once SQLite reports the file damaged, every later transaction is refused
    with that error, so a damaged file is never written to.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        #: set when SQLite first reports the file damaged; no write happens after
        self.damaged: StoreError | None = None

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Map ``sqlite3.Error`` raised inside the block to :class:`StoreError` (``raise ... from``)."""
        try:
            yield
        except sqlite3.Error as exc:
            error = store_error(exc, self.path)
            if is_damaged(exc):
                self.damaged = error
            raise error from exc

    async def fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first row of ``sql`` (a ``sqlite3.Row``-like tuple) or ``None``.

        Raises:
            StoreError: SQLite failed (message from :func:`store_error`).
        """
        async with self.guard(), self.conn.execute(sql, args) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """Every row of ``sql`` as tuples. Raises StoreError like :meth:`fetchone`."""
        async with self.guard(), self.conn.execute(sql, args) as cur:
            return list(await cur.fetchall())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Serialise one write transaction on the shared connection.

        Commits on success, rolls back on any exception (re-raised; SQLite's own
        errors as :class:`StoreError`, so a full disk or a read-only file reaches
        the caller with a message saying what to do, and what was committed
        before stays). A caller cancelled while its ``BEGIN`` was still queued on
        aiosqlite's thread can leave a transaction open behind the lock; the next
        transaction drains the queue first and rolls such a leftover back, so one
        cancelled writer never wedges the store.
        """
        if self.damaged is not None:
            raise self.damaged
        async with self._write_lock, self.guard():
            await self.conn.execute("SELECT 1")  # FIFO: statements queued before us have run
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                await self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        await asyncio.shield(self.conn.execute("ROLLBACK"))
                raise

    async def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            await self.conn.close()


async def _migrate(conn: aiosqlite.Connection, path: Path, target: int) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the database {path} has schema v{version}, newer than this zeph-tui "
            f"(v{len(MIGRATIONS)}): upgrade zeph-tui, or set ZEPH_HOME to another directory"
        )
    if 0 < version < target:  # never migrate a damaged file
        async with conn.execute("PRAGMA quick_check") as cur:
            verdict = await cur.fetchone()
        if verdict is None or verdict[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
    # a write of the header: fails here, not in the middle of a turn, on a read-only file
    await conn.execute(f"PRAGMA user_version = {version}")
    for number in range(version + 1, target + 1):
        script = MIGRATIONS[number - 1]
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


async def _probe(conn: aiosqlite.Connection) -> None:
    """Read the schema and the first row of every table and index, before any write.

    Cheap (a few pages), and enough to find a file that is not a database or
    whose tables are damaged; ``PRAGMA quick_check`` (which reads every page)
    runs only before a migration.
    """
    async with conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index') "
        "AND name NOT LIKE 'sqlite_%'"
    ) as cur:
        objects = list(await cur.fetchall())
    for kind, name, table in objects:
        quoted_table = '"' + str(table).replace('"', '""') + '"'
        quoted_name = '"' + str(name).replace('"', '""') + '"'
        sql = f"SELECT 1 FROM {quoted_table}"
        if kind == "index":
            sql += f" INDEXED BY {quoted_name}"
        async with conn.execute(sql + " LIMIT 1") as cur:
            await cur.fetchone()


def _make_home(path: Path) -> None:
    """Create the database's directory or raise StoreError saying what is wrong with it."""
    home = path.parent
    try:
        home.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StoreError(
            f"ZEPH_HOME {home} is not a directory: remove that file or set ZEPH_HOME to a directory"
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot create ZEPH_HOME {home} ({exc.strerror}): set ZEPH_HOME to a "
            "writable directory"
        ) from exc
    if not home.is_dir():
        raise StoreError(
            f"ZEPH_HOME {home} is not a directory: remove that file or set ZEPH_HOME to a directory"
        )


async def open_database(path: Path, *, target_version: int = SCHEMA_VERSION) -> Database:
    """Open (creating if needed) and migrate the database at ``path``.

    WAL journal, ``synchronous=NORMAL`` (a crash loses at most the
    uncommitted tail, never committed data), foreign keys on. A damaged file
    is never written to or migrated: the error says how to move it aside.

    Raises:
        StoreError: ZEPH_HOME is not a usable directory; the file is read-only,
            damaged, not a SQLite database, or from a newer version (the
            message names the path and what to do, see :func:`store_error`).
    """
    import aiosqlite

    _make_home(path)
    pending = aiosqlite.connect(path, isolation_level=None)
    try:
        conn = await pending
    except sqlite3.Error as exc:
        # aiosqlite stops its worker thread on a failed connect, answering on this loop:
        # wait for it, or it answers after the loop closed and prints a traceback
        worker = getattr(pending, "_thread", None)
        if worker is not None:
            await asyncio.to_thread(worker.join, 5)
        raise store_error(exc, path) from exc
    try:
        await conn.execute("PRAGMA busy_timeout=5000")
        await _probe(conn)
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await _migrate(conn, path, target_version)
    except BaseException as exc:
        # close before raising: aiosqlite's worker thread is not a daemon, and a
        # connection kept alive by a traceback would keep the process from exiting
        with contextlib.suppress(sqlite3.Error):
            await conn.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(exc, path) from exc
        raise
    return Database(conn, path)
