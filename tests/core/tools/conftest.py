"""A real ToolContext for tool tests: an empty workspace, the local disk, a SQLite archive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeph_tui.core.events import Event
from zeph_tui.core.ports import LocalFS
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.store.db import open_database
from zeph_tui.core.store.overflow import OverflowArchive
from zeph_tui.core.tools.base import ToolContext


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[ToolContext]:
    """Workspace ``tmp_path/ws`` (resolved, empty); events are dropped."""
    ws = tmp_path / "ws"
    ws.mkdir()
    db = await open_database(tmp_path / "zeph.db")

    async def emit(event: Event) -> None:
        return None

    try:
        yield ToolContext(
            workspace=ws.resolve(),
            roots=WorkspaceRoots(ws),
            fs=LocalFS(),
            archive=OverflowArchive(db),
            emit=emit,
            tool_call_id="call_1",
            session_id="sess_1",
        )
    finally:
        await db.close()
