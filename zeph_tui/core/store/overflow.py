"""The overflow archive: every byte of tool output, streamed into SQLite.

Output is stored as chunks of whole lines (``overflow_chunks``), each with
the 0-based number of its first line, so paging by line reads only the
chunks it needs. Writers buffer in memory and commit at least every
``commit_interval_s`` (default 250 ms) in one short transaction, so a crash
loses at most that much and readers on other connections see progress.

When a commit fails (a full disk, a read-only file) the writer stops: every
later :meth:`OverflowWriter.write` raises the same
:class:`~zeph_tui.core.errors.StoreError`, the chunks already committed stay
readable, and the archive stays marked incomplete. (The model's head+tail
copy of the output lives in :mod:`zeph_tui.core.tools.output`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zeph_tui.core.errors import OverflowNotFound, StoreError, ToolInputError

if TYPE_CHECKING:
    from zeph_tui.core.store.db import Database

__all__ = [
    "OverflowArchive",
    "OverflowInfo",
    "OverflowPage",
    "OverflowWriter",
    "normalise_overflow_id",
]

_ID_PREFIX = re.compile(r"^\s*(?:overflow_id\s*=\s*|overflow\s*:\s*)?", re.IGNORECASE)
_ID_SHAPE = re.compile(r"^ovf_[0-9a-f]{12}$")
_MAX_PENDING_BYTES = 8 * 1024 * 1024


def normalise_overflow_id(raw: str) -> str:
    """Accept ``ovf_…``, ``overflow_id=ovf_…`` or ``overflow:ovf_…`` (pasted by a model).

    Raises:
        ToolInputError: the id is not of the form ``ovf_`` + 12 hex digits.
    """
    value = _ID_PREFIX.sub("", raw).strip().strip("`'\".,;")
    if not _ID_SHAPE.match(value):
        raise ToolInputError(
            f"not an overflow id: {raw!r} (expected ovf_ followed by 12 hex digits)"
        )
    return value


@dataclass(frozen=True, slots=True)
class OverflowInfo:
    id: str
    session_id: str
    tool_call_id: str
    created_at: float
    total_bytes: int
    total_lines: int
    complete: bool


@dataclass(frozen=True, slots=True)
class OverflowPage:
    """Lines read back. ``lines`` are (0-based line index, text) pairs.

    People and the model see line *numbers* from 1 (:meth:`render`, the F4
    pager): index ``n`` is line ``n + 1``. ``offset`` and :attr:`next_offset`
    stay counts of lines to skip (offset 0 starts at line 1).
    """

    info: OverflowInfo
    lines: list[tuple[int, str]]
    next_offset: int | None

    def render(self) -> str:
        body = "\n".join(f"{n + 1}: {text}" for n, text in self.lines)
        more = (
            f"next offset={self.next_offset}" if self.next_offset is not None else "end of output"
        )
        return (
            f"[overflow_id={self.info.id}: {len(self.lines)} line(s) of "
            f"{self.info.total_lines}; {more}]\n{body}"
        )


class OverflowWriter:
    """Streams one tool call's output into the archive.

    Use as ``async with archive.writer(...) as w: await w.write(data)``.
    ``write`` never blocks on SQLite: chunks queue in memory and a ticker
    owned by the writer commits them every ``commit_interval_s``.

    Attributes:
        id: the overflow id (``ovf_`` + 12 hex digits).
        total_bytes / total_lines: what has been written so far.
    """

    def __init__(
        self, db: Database, overflow_id: str, chunk_bytes: int, commit_interval_s: float
    ) -> None:
        self._db = db
        self.id = overflow_id
        self._chunk_bytes = chunk_bytes
        self._interval_s = commit_interval_s
        self._partial = bytearray()
        self._pending: list[tuple[str, int, int, int, bytes]] = []
        self._seq = 0
        self.total_bytes = 0
        self.total_lines = 0
        self._lines_chunked = 0
        self._ticker: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self._closing = asyncio.Event()
        self.committed_bytes = 0
        #: the first failed commit; once set, nothing more is written
        self.failure: StoreError | None = None

    async def __aenter__(self) -> OverflowWriter:
        self._ticker = asyncio.create_task(self._tick(), name=f"overflow-ticker-{self.id}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def write(self, data: bytes) -> None:
        """Append output bytes; whole lines are cut into chunks of ~chunk_bytes.

        Raises:
            StoreError: a commit failed (now or earlier, e.g. a full disk).
        """
        if self.failure is not None:
            raise self.failure
        if not data:
            return
        self.total_bytes += len(data)
        self.total_lines += data.count(b"\n")
        self._partial += data
        if len(self._partial) >= self._chunk_bytes:
            cut = self._partial.rfind(b"\n") + 1
            if cut == 0:  # one enormous line: cut it anyway
                cut = len(self._partial)
            self._queue_chunk(bytes(self._partial[:cut]))
            del self._partial[:cut]
        if len(self._pending) * self._chunk_bytes >= _MAX_PENDING_BYTES:
            await self.flush()  # backpressure: a fast producer waits for SQLite

    def _queue_chunk(self, data: bytes) -> None:
        n_lines = data.count(b"\n")
        self._pending.append((self.id, self._seq, self._lines_chunked, n_lines, data))
        self._seq += 1
        self._lines_chunked += n_lines

    async def flush(self, *, final: bool = False) -> None:
        """Commit queued chunks (and, when ``final``, the partial last line).

        Raises:
            StoreError: the commit failed; the writer is stopped (see module doc).
        """
        if self.failure is not None:
            raise self.failure
        try:
            await self._commit(final)
        except StoreError as exc:
            self.failure = exc
            self._pending.clear()  # never committed, and never will be: free the memory
            self._partial.clear()
            raise

    async def _commit(self, final: bool) -> None:
        async with self._flush_lock:
            if final and self._partial:
                self._queue_chunk(bytes(self._partial))
                self._partial.clear()
            if not self._pending and not final:
                return
            # rows leave the queue only once committed: a cancelled flush loses nothing
            rows = list(self._pending)
            async with self._db.transaction() as conn:
                if rows:
                    await conn.executemany(
                        "INSERT INTO overflow_chunks(overflow_id, seq, first_line, n_lines, data) "
                        "VALUES (?, ?, ?, ?, ?)",
                        rows,
                    )
                await conn.execute(
                    "UPDATE overflow SET total_bytes = ?, total_lines = ?, complete = ? WHERE id = ?",
                    (
                        self.committed_bytes + sum(len(r[4]) for r in rows),
                        self._lines_chunked,
                        int(final),
                        self.id,
                    ),
                )
            del self._pending[: len(rows)]
            self.committed_bytes += sum(len(r[4]) for r in rows)

    async def _tick(self) -> None:
        while not self._closing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval_s)
            if self._closing.is_set():
                return
            if self._pending or len(self._partial) > 0:
                # commit what is whole; a trailing partial line waits for its end
                cut = self._partial.rfind(b"\n") + 1
                if cut:
                    self._queue_chunk(bytes(self._partial[:cut]))
                    del self._partial[:cut]
                try:
                    await self.flush()
                except StoreError:
                    return  # kept in self.failure; the next write or close raises it

    async def close(self) -> None:
        """Commit everything and mark the archive complete.

        Raises:
            StoreError: a commit failed (the archive keeps what was committed).
        """
        if self._ticker is not None:
            # stop the ticker between flushes, never in the middle of one
            self._closing.set()
            await asyncio.gather(self._ticker, return_exceptions=True)
            self._ticker = None
        await self.flush(final=True)


class OverflowArchive:
    """Creates writers and reads archives back.

    Args:
        db: the open database.
        chunk_bytes: target size of one stored chunk.
        commit_interval_s: longest time output waits in memory before commit.
    """

    def __init__(
        self, db: Database, *, chunk_bytes: int = 256 * 1024, commit_interval_s: float = 0.25
    ) -> None:
        self.db = db
        self.chunk_bytes = chunk_bytes
        self.commit_interval_s = commit_interval_s

    async def writer(self, session_id: str, tool_call_id: str) -> OverflowWriter:
        """Create an archive row and return its (not yet entered) writer."""
        overflow_id = "ovf_" + secrets.token_hex(6)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO overflow(id, session_id, tool_call_id, created_at) VALUES (?, ?, ?, ?)",
                (overflow_id, session_id, tool_call_id, time.time()),
            )
        return OverflowWriter(self.db, overflow_id, self.chunk_bytes, self.commit_interval_s)

    async def info(self, overflow_id: str) -> OverflowInfo:
        """Raises OverflowNotFound for an unknown id, ToolInputError for a malformed one."""
        oid = normalise_overflow_id(overflow_id)
        row = await self.db.fetchone(
            "SELECT id, session_id, tool_call_id, created_at, total_bytes, total_lines, complete "
            "FROM overflow WHERE id = ?",
            (oid,),
        )
        if row is None:
            raise OverflowNotFound(
                f"unknown overflow id {oid}: it may have been pruned, or was never created"
            )
        return OverflowInfo(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))

    async def list(self, limit: int = 50, *, session_id: str | None = None) -> list[OverflowInfo]:
        """The newest archives first, at most ``limit``; only ``session_id``'s when given."""
        where, args = ("WHERE session_id = ? ", (session_id,)) if session_id else ("", ())
        rows = await self.db.fetchall(
            "SELECT id, session_id, tool_call_id, created_at, total_bytes, total_lines, complete "
            f"FROM overflow {where}ORDER BY created_at DESC LIMIT ?",
            (*args, limit),
        )
        return [OverflowInfo(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    async def read(
        self, overflow_id: str, *, offset: int = 0, limit: int = 200, grep: str | None = None
    ) -> OverflowPage:
        """Page lines (``offset`` 0-based line, ``limit`` max lines) or grep them.

        With ``grep`` (a Python regex), returns matching lines with their line
        numbers, starting the search at ``offset``.

        Raises:
            OverflowNotFound: unknown id.
            ToolInputError: bad offset/limit or invalid regex.
        """
        info = await self.info(overflow_id)
        if offset < 0 or limit <= 0:
            raise ToolInputError("offset must be >= 0 and limit > 0")
        pattern = None
        if grep is not None:
            try:
                pattern = re.compile(grep)
            except re.error as exc:
                raise ToolInputError(f"invalid grep regex {grep!r}: {exc}") from exc
        out: list[tuple[int, str]] = []
        next_offset: int | None = None
        async with (
            self.db.guard(),
            self.db.conn.execute(
                "SELECT first_line, data FROM overflow_chunks WHERE overflow_id = ? "
                "AND first_line + n_lines >= ? ORDER BY seq",
                (info.id, offset),
            ) as cur,
        ):
            async for first_line, data in cur:
                lines = bytes(data).decode("utf-8", "replace").split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                for i, text in enumerate(lines):
                    n = first_line + i
                    if n < offset:
                        continue
                    if pattern is not None and not pattern.search(text):
                        continue
                    if len(out) >= limit:
                        next_offset = n
                        break
                    out.append((n, text))
                if next_offset is not None:
                    break
        return OverflowPage(info, out, next_offset)

    async def prune(self, *, older_than_s: float, now: float | None = None) -> int:
        """Retention: delete archives created more than ``older_than_s`` ago.

        Returns the number of archives deleted.
        """
        cutoff = (time.time() if now is None else now) - older_than_s
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT id FROM overflow WHERE created_at < ?", (cutoff,))
            ids = [r[0] for r in await cur.fetchall()]
            await conn.executemany(
                "DELETE FROM overflow_chunks WHERE overflow_id = ?", [(i,) for i in ids]
            )
            await conn.executemany("DELETE FROM overflow WHERE id = ?", [(i,) for i in ids])
        return len(ids)
