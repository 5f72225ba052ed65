"""SQLite persistence: sessions, messages, events, tool calls, overflow archive.

Every failure of SQLite leaves this package as :class:`~zeph_tui.core.errors.StoreError`
(see :mod:`zeph_tui.core.store.failures`); a damaged file is never written to or migrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zeph_tui.core.store.db import SCHEMA_VERSION, Database, open_database
from zeph_tui.core.store.overflow import (
    OverflowArchive,
    OverflowInfo,
    OverflowPage,
    OverflowWriter,
    normalise_overflow_id,
)
from zeph_tui.core.store.sessions import SessionRecord, SessionStore

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "OverflowArchive",
    "OverflowInfo",
    "OverflowPage",
    "OverflowWriter",
    "SessionRecord",
    "SessionStore",
    "Store",
    "normalise_overflow_id",
    "open_database",
    "open_store",
]


@dataclass(slots=True)
class Store:
    """The open database with its two views."""

    db: Database
    sessions: SessionStore
    archive: OverflowArchive

    async def close(self) -> None:
        await self.db.close()


async def open_store(path: Path) -> Store:
    """Open (and migrate) the database file at ``path``; see :func:`open_database`."""
    db = await open_database(path)
    return Store(db, SessionStore(db), OverflowArchive(db))
