"""The dashboard's Memory pane (F9) on the real session's memory store.

Memories are written through the store the runtime opened; the pane lists
them, filters with the ``recall`` search (related memories marked), shows a
memory's entities and forgets one after a confirmation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.core.memory.test_memory_graph import NOTES, fill
from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import type_text, wait_until
from zeph_tui.core.memory import MemoryStore, UnknownMemory
from zeph_tui.core.store import open_store
from zeph_tui.ui.app import create_app
from zeph_tui.ui.widgets.memory_pane import MemoryPane


def cells(pane: MemoryPane) -> list[list[str]]:
    table = pane.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def detail(pane: MemoryPane) -> str:
    return str(pane.query_one("#memory-detail", Static).render())


async def test_memory_pane_lists_filters_shows_entities_and_forgets(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    store = MemoryStore(runtime.store.db)
    ids = await fill(store, NOTES, str(workspace))
    async with dashboard([], workspace, runtime) as (app, pilot, _fake):
        await pilot.press("f9")
        pane = app.main_widget(MemoryPane)
        await pilot.pause()
        await wait_until(pilot, lambda: len(cells(pane)) == 4)
        assert [row[0] for row in cells(pane)] == [str(i) for i in reversed(ids)]  # newest first
        assert cells(pane)[0][1:4] == ["project", "0.50", cells(pane)[0][3]]

        pane.query_one(Input).focus()
        await type_text(pilot, "Billing")
        await wait_until(pilot, lambda: len(cells(pane)) == 3)
        rows = cells(pane)
        assert [r[0] for r in rows] == [str(i) for i in ids[:3]]
        assert rows[0][4] == NOTES[0] and rows[1][4] == f"↳ {NOTES[1]}"

        table = pane.query_one(DataTable)
        table.focus()
        table.move_cursor(row=1)
        await wait_until(pilot, lambda: "entities: db-01, Postgres, S3" in detail(pane))
        assert "1 hop via Postgres" in detail(pane)
        assert "postgres runs on db-01" in detail(pane)

        await pilot.press("x")
        await wait_until(pilot, lambda: f"Forget memory {ids[1]}" in detail(pane))
        await pilot.press("n")  # keeps it
        await wait_until(pilot, lambda: "entities:" in detail(pane))
        assert (await store.get(ids[1])).text == NOTES[1]
        await pilot.press("delete", "y")
        await wait_until(pilot, lambda: str(ids[1]) not in [r[0] for r in cells(pane)])
        try:
            await store.get(ids[1])
            raise AssertionError("not forgotten")
        except UnknownMemory:
            pass
        assert app.session is not None and app.session.history == []  # no turn was sent


async def test_memory_command_shows_the_pane_and_its_change(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    ids = await fill(MemoryStore(runtime.store.db), NOTES, str(workspace))
    async with dashboard([], workspace, runtime) as (app, pilot, _fake):
        pane = app.main_widget(MemoryPane)
        await type_text(pilot, "/memory list")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(cells(pane)) == 4)  # /memory switched to the pane
        await type_text(pilot, f"/memory forget {ids[0]}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: str(ids[0]) not in [r[0] for r in cells(pane)])
        assert len(cells(pane)) == 3


async def _fill_pane(pilot: Pilot[Any]) -> None:
    app = pilot.app
    opened = await open_store(Path(app.workspace) / ".zeph-test.db")
    store = MemoryStore(opened.db, clock=lambda: 1_800_000_000.0)
    await fill(store, NOTES, str(app.workspace))
    pane = app.query_one(MemoryPane)
    pane.source = (store, str(app.workspace))
    app.show_tab("memory")
    await pilot.pause()
    pane.query_one(Input).value = "Billing"
    await app.workers.wait_for_complete()
    pane.query_one(DataTable).move_cursor(row=1)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await opened.close()


def test_memory_pane_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    app = create_app(tmp_path, start_session=False)
    assert snap_compare(app, terminal_size=(140, 30), run_before=_fill_pane)
