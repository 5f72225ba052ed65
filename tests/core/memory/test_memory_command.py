"""``/memory`` (the one implementation behind the slash command and ``zeph-tui memory``'s lines)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from zeph_tui.core.memory import MemoryDraft, MemoryStore, UnknownMemory
from zeph_tui.core.memory.command import USAGE, MemoryUsage, memory_reply
from zeph_tui.core.store import open_store

A, B = "/work/a", "/work/b"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MemoryStore]:
    opened = await open_store(tmp_path / "zeph.db")
    try:
        yield MemoryStore(opened.db)
    finally:
        await opened.close()


async def test_list_search_show_forget_in_the_sessions_project(store: MemoryStore) -> None:
    assert (await memory_reply(store, "", project=A)).startswith("No memories yet")
    mine = await store.remember(MemoryDraft("the tests run with pytest -x"), project=A)
    await store.remember(MemoryDraft("project b deploys with fly"), project=B)
    await store.remember(MemoryDraft("the user prefers tabs", scope="user"), project=B)

    listed = await memory_reply(store, "list", project=A)
    assert listed.splitlines()[0] == "Memories (2, newest first):"
    assert "pytest -x" in listed and "prefers tabs" in listed  # project and user scope
    assert "fly" not in listed  # another project's memory stays there

    found = await memory_reply(store, "search pytest", project=A)
    assert "pytest -x" in found and "tabs" not in found
    assert (await memory_reply(store, "search fly", project=A)) == "No memory matches 'fly'."

    shown = await memory_reply(store, f"show {mine.memory.id}", project=A)
    assert '"text": "the tests run with pytest -x"' in shown
    forgot = await memory_reply(store, f"forget {mine.memory.id}", project=A)
    assert forgot == f"forgot memory {mine.memory.id}: the tests run with pytest -x"
    with pytest.raises(UnknownMemory, match=f"unknown memory id {mine.memory.id}"):
        await memory_reply(store, f"show {mine.memory.id}", project=A)


@pytest.mark.parametrize("line", ["frobnicate", "search", "show", "list extra"])
async def test_a_wrong_line_answers_the_usage(store: MemoryStore, line: str) -> None:
    with pytest.raises(MemoryUsage) as caught:
        await memory_reply(store, line, project=A)
    assert str(caught.value) == USAGE


async def test_an_id_that_is_not_a_number_says_so(store: MemoryStore) -> None:
    with pytest.raises(MemoryUsage, match=r"^memory id must be a number, not 'x'\. Usage: "):
        await memory_reply(store, "forget x", project=A)
