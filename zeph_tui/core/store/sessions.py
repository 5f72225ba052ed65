"""Sessions, messages, events and tool calls in SQLite.

Messages are stored as JSON of the provider-neutral parts (see
:mod:`zeph_tui.core.providers.base`); events as their ACP ``update`` payload
so a face can replay a session (ACP ``session/load``) exactly as it streamed.

Secrets are redacted before anything is written (message parts, event
payloads, tool inputs and results, titles) with :attr:`SessionStore.redact`,
by default the process-wide redactor of :mod:`zeph_tui.core.safety.wiring`.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from zeph_tui.core.providers.base import (
    ImagePart,
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolResultPart,
    ToolUsePart,
)
from zeph_tui.core.safety.wiring import default_redactor, redact_message, redact_value

if TYPE_CHECKING:
    from zeph_tui.core.store.db import Database


__all__ = ["SessionRecord", "SessionStore", "message_from_json", "message_to_json"]

_PART_TYPES: dict[str, type[Any]] = {
    "text": TextPart,
    "image": ImagePart,
    "thinking": ThinkingPart,
    "tool_use": ToolUsePart,
    "tool_result": ToolResultPart,
}
_PART_NAMES = {cls: name for name, cls in _PART_TYPES.items()}


def message_to_json(message: Message) -> str:
    parts = [{"type": _PART_NAMES[type(p)], **asdict(p)} for p in message.parts]
    return json.dumps(parts, ensure_ascii=False)


def message_from_json(role: str, parts_json: str) -> Message:
    parts: list[Part] = []
    for raw in json.loads(parts_json):
        cls = _PART_TYPES[raw.pop("type")]
        parts.append(cls(**raw))
    return Message(role="assistant" if role == "assistant" else "user", parts=parts)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    cwd: str
    title: str
    mode: str
    provider: str
    model: str
    created_at: float
    updated_at: float
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


_SESSION_COLUMNS = (
    "id, cwd, title, mode, provider, model, created_at, updated_at, "
    "input_tokens, output_tokens, cost_usd"
)


class SessionStore:
    """CRUD for sessions and their history. All times are Unix seconds.

    Every method raises :class:`~zeph_tui.core.errors.StoreError` when SQLite
    fails (full disk, read-only or damaged file; the message says what to do).
    """

    def __init__(self, db: Database, redact: Callable[[str], str] | None = None) -> None:
        self.db = db
        self.redact: Callable[[str], str] = redact or _default_redact

    async def create(
        self, session_id: str, cwd: str, *, mode: str = "ask", provider: str = "", model: str = ""
    ) -> SessionRecord:
        now = time.time()
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO sessions(id, cwd, mode, provider, model, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, cwd, mode, provider, model, now, now),
            )
        return SessionRecord(session_id, cwd, "", mode, provider, model, now, now)

    async def get(self, session_id: str) -> SessionRecord | None:
        row = await self.db.fetchone(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
        )
        return SessionRecord(*row) if row else None

    async def list(
        self, *, cwd: str | None = None, limit: int = 100, subagents: bool = False
    ) -> builtins.list[SessionRecord]:
        """Most recently updated first, optionally only those in ``cwd``.

        Sub-agents' sessions (ids ``sub_...``, see :mod:`zeph_tui.core.agents.host`)
        are left out unless ``subagents``.
        """
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE 1"
        args: tuple[Any, ...] = ()
        if not subagents:
            sql += " AND substr(id, 1, 4) != 'sub_'"
        if cwd is not None:
            sql += " AND cwd = ?"
            args = (cwd,)
        sql += " ORDER BY updated_at DESC LIMIT ?"
        rows = await self.db.fetchall(sql, (*args, limit))
        return [SessionRecord(*r) for r in rows]

    async def update(self, session_id: str, **fields: Any) -> None:
        """Set columns (title, mode, provider, model, usage) and bump updated_at."""
        allowed = {
            "title",
            "mode",
            "provider",
            "model",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "cwd",
        }
        if isinstance(fields.get("title"), str):
            fields["title"] = self.redact(fields["title"])
        cols = [k for k in fields if k in allowed]
        sets = ", ".join(f"{k} = ?" for k in cols)
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE sessions SET {sets + ', ' if sets else ''}updated_at = ? WHERE id = ?",
                (*(fields[k] for k in cols), time.time(), session_id),
            )

    async def delete(self, session_id: str) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    async def append_message(self, session_id: str, message: Message) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO messages(session_id, role, parts_json, created_at) VALUES (?, ?, ?, ?)",
                (
                    session_id,
                    message.role,
                    message_to_json(redact_message(message, self.redact)),
                    time.time(),
                ),
            )
            return int(cur.lastrowid or 0)

    async def messages(
        self, session_id: str, *, include_compacted: bool = False
    ) -> builtins.list[Message]:
        sql = "SELECT role, parts_json FROM messages WHERE session_id = ?"
        if not include_compacted:
            sql += " AND compacted = 0"
        rows = await self.db.fetchall(sql + " ORDER BY id", (session_id,))
        return [message_from_json(r[0], r[1]) for r in rows]

    async def message_ids(self, session_id: str) -> builtins.list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM messages WHERE session_id = ? AND compacted = 0 ORDER BY id",
            (session_id,),
        )
        return [int(r[0]) for r in rows]

    async def mark_compacted(self, message_ids: builtins.list[int]) -> None:
        """Hide messages from the live context; they stay readable in the store."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE messages SET compacted = 1 WHERE id = ?", [(i,) for i in message_ids]
            )

    async def append_events(self, session_id: str, payloads: builtins.list[dict[str, Any]]) -> None:
        now = time.time()
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO events(session_id, payload_json, created_at) VALUES (?, ?, ?)",
                [
                    (session_id, json.dumps(redact_value(p, self.redact), ensure_ascii=False), now)
                    for p in payloads
                ],
            )

    async def events(self, session_id: str) -> builtins.list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT payload_json FROM events WHERE session_id = ? ORDER BY id", (session_id,)
        )
        return [json.loads(r[0]) for r in rows]

    async def replay(
        self, session_id: str, *, page_size: int = 200
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield the stored event payloads of ``session_id``, oldest first.

        Rows are read in pages of ``page_size`` (keyset on ``id``), so memory
        stays bounded by one page however long the session is.
        """
        last_id = 0
        while True:
            rows = await self.db.fetchall(
                "SELECT id, payload_json FROM events WHERE session_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (session_id, last_id, page_size),
            )
            for row in rows:
                yield json.loads(row[1])
            if len(rows) < page_size:
                return
            last_id = int(rows[-1][0])

    async def record_tool_call(
        self, session_id: str, call_id: str, name: str, input_json: str
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO tool_calls(session_id, id, name, input_json, status, "
                "started_at) VALUES (?, ?, ?, ?, 'in_progress', ?)",
                (session_id, call_id, name, self._redact_json(input_json), time.time()),
            )

    async def finish_tool_call(
        self, session_id: str, call_id: str, *, status: str, result_text: str, is_error: bool
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE tool_calls SET status = ?, result_text = ?, is_error = ?, ended_at = ? "
                "WHERE session_id = ? AND id = ?",
                (status, self.redact(result_text), int(is_error), time.time(), session_id, call_id),
            )

    def _redact_json(self, text: str) -> str:
        """Redact the strings of a JSON text (keeps it valid); plain text otherwise."""
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return self.redact(text)
        return json.dumps(redact_value(value, self.redact), ensure_ascii=False)


def _default_redact(text: str) -> str:
    return default_redactor().redact(text)
