"""Store one session of N messages (and their replay events) for bench/session_open.py.

Usage: python bench/_seed_history.py ZEPH_HOME CWD SESSION_ID N

Run it with the measured tree on PYTHONPATH: the database is where that
tree's ``db_path`` puts it. Prints ``{"db": PATH, "events": COUNT}`` (the
session's stored events) as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Literal

from zeph_tui.core.config import db_path
from zeph_tui.core.providers.base import Message, TextPart
from zeph_tui.core.store import open_store


async def seed(home: Path, cwd: str, session_id: str, count: int) -> int:
    """Store the session unless it is there; returns its number of stored events."""
    store = await open_store(db_path(home))
    try:
        if await store.sessions.get(session_id) is not None:
            return len([p async for p in store.sessions.replay(session_id)])
        await store.sessions.create(session_id, cwd, mode="ask", provider="", model="")
        events = []
        for i in range(count):
            role: Literal["user", "assistant"] = "user" if i % 2 == 0 else "assistant"
            text = f"message {i}: " + "lorem ipsum dolor sit amet " * 8
            await store.sessions.append_message(session_id, Message(role, [TextPart(text)]))
            kind = "user_message_chunk" if role == "user" else "agent_message_chunk"
            events.append({"sessionUpdate": kind, "content": {"type": "text", "text": text}})
        await store.sessions.append_events(session_id, events)
        return len([p async for p in store.sessions.replay(session_id)])
    finally:
        await store.close()


if __name__ == "__main__":
    home, cwd, sid, n = sys.argv[1:5]
    stored = asyncio.run(seed(Path(home), cwd, sid, int(n)))
    print(json.dumps({"db": str(db_path(Path(home))), "events": stored}))
