"""SQLite's exceptions as :class:`~zeph_tui.core.errors.StoreError` with a message saying what to do.

One function, :func:`store_error`, used by every module of the store: the
primary result code of the ``sqlite3.Error`` (``sqlite_errorcode & 0xFF``,
https://sqlite.org/rescode.html) picks the message.

======================  =====================================================
SQLite result code      message (always names the database file)
======================  =====================================================
``SQLITE_FULL``         the disk is full; committed data is kept; free space
``SQLITE_READONLY``,    read-only: make the file and its directory writable,
``SQLITE_PERM``,        or set ZEPH_HOME elsewhere
``SQLITE_CANTOPEN``
``SQLITE_CORRUPT``,     damaged, left untouched: move it aside with ``mv``
``SQLITE_NOTADB``
``SQLITE_BUSY``,        another process holds the database: retry
``SQLITE_LOCKED``
``SQLITE_IOERR``        disk I/O error
anything else           ``database error on PATH: <sqlite message>``
======================  =====================================================
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zeph_tui.core.errors import StorageUnavailable, StoreError

__all__ = ["is_damaged", "store_error"]

_FULL = 13
_READ_ONLY = frozenset({3, 8, 14})  # PERM, READONLY, CANTOPEN
_DAMAGED = frozenset({11, 26})  # CORRUPT, NOTADB
_BUSY = frozenset({5, 6})  # BUSY, LOCKED
_IOERR = 10
_DAMAGED_WORDS = ("malformed", "not a database", "corrupt")


def _code(exc: sqlite3.Error) -> int:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()  # raised by our own checks, without a result code
    return 11 if any(word in text for word in _DAMAGED_WORDS) else -1


def is_damaged(exc: sqlite3.Error) -> bool:
    """True when ``exc`` says the file is damaged or not a database (never write to it)."""
    return _code(exc) in _DAMAGED


def store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """The :class:`StoreError` for ``exc`` raised on the database at ``path``.

    Args:
        exc: what SQLite (or aiosqlite, which re-raises ``sqlite3`` errors) raised.
        path: the database file.

    Returns:
        A StoreError with one line naming ``path`` and what to do (a
        :class:`~zeph_tui.core.errors.StorageUnavailable` when the store cannot
        write: full, read-only, I/O error); the caller raises it ``from exc``.
    """
    code = _code(exc)
    if code == _FULL:
        return StorageUnavailable(
            f"the disk holding {path} is full ({exc}): free some space and try again; "
            "data already committed is kept"
        )
    if code in _READ_ONLY:
        return StorageUnavailable(
            f"the database {path} is read-only or cannot be opened for writing ({exc}): "
            f"make it and its directory {path.parent} writable, or set ZEPH_HOME to a "
            "writable directory"
        )
    if code in _DAMAGED:
        return StoreError(
            f"the database {path} is damaged or not a zeph-tui database ({exc}); it was "
            f"left untouched: move it aside (mv {path} {path}.broken, and its -wal and -shm "
            "files if any) and zeph-tui starts a new one"
        )
    if code in _BUSY:
        return StoreError(
            f"the database {path} is locked by another process ({exc}): try again when it is done"
        )
    if code == _IOERR:
        return StorageUnavailable(
            f"disk I/O error on the database {path} ({exc}): check the disk; data already "
            "committed is kept"
        )
    return StoreError(f"database error on {path}: {exc}")
