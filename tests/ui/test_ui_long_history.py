"""Pilot tests of a long resumed chat: it opens at the bottom with only its last
blocks mounted; earlier ones load on demand (the line, Home, scrolling up), and
find (Ctrl+F) finds text in blocks not mounted yet and mounts down to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import type_text, wait_until
from zeph_tui.core.providers.base import Message, TextPart
from zeph_tui.ui.widgets.agent_message import StoredReply
from zeph_tui.ui.widgets.chat_log import ChatLog, LoadEarlier
from zeph_tui.ui.widgets.user_message import UserMessage

N_MESSAGES = 240


async def seed(runtime: Any, workspace: Path) -> str:
    sid = "sess_longhistory000000"
    await runtime.store.sessions.create(
        sid, str(workspace), mode="bypass", provider="anthropic", model="m"
    )
    for i in range(N_MESSAGES):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"question {i}" if role == "user" else f"answer {i}: **done**"
        if i == 3:
            text = "answer 3: the needle is here"
        await runtime.store.sessions.append_message(sid, Message(role, [TextPart(text)]))
    return sid


@asynccontextmanager
async def resumed(workspace: Path, runtime: Any) -> AsyncIterator[tuple[Any, Any, ChatLog]]:
    """The dashboard on the seeded session, once its last page of blocks is mounted."""
    sid = await seed(runtime, workspace)
    async with dashboard([], workspace, runtime, resume=sid) as (app, pilot, _fake):
        chat = app.chat
        await wait_until(pilot, lambda: len(chat.blocks) == chat.page)
        yield app, pilot, chat


async def test_a_long_resumed_chat_mounts_its_end_and_loads_earlier_on_demand(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    async with resumed(workspace, runtime) as (_app, pilot, chat):
        assert chat.blocks[-1].text == f"answer {N_MESSAGES - 1}: **done**"  # type: ignore[attr-defined]
        assert isinstance(chat.blocks[-1], StoredReply)
        more = chat.query_one(LoadEarlier)
        assert str(more.content).startswith(f"{N_MESSAGES - chat.page} earlier messages")
        await pilot.pause()
        assert chat.scroll_y == chat.max_scroll_y  # opens at the bottom
        chat.scroll_home(animate=False, immediate=True)  # scrolling to the top loads a page
        await wait_until(pilot, lambda: len(chat.blocks) == 2 * chat.page)
        assert chat.blocks[0].text == f"question {N_MESSAGES - 2 * chat.page}"  # type: ignore[attr-defined]
        await pilot.pause()
        assert chat.scroll_y > 0  # the view stayed where it was, not at the new top
        chat.focus()
        await pilot.press("home")  # Home too
        await wait_until(pilot, lambda: len(chat.blocks) == 3 * chat.page)
        chat.load_earlier(N_MESSAGES)
        await wait_until(pilot, lambda: not chat.query(LoadEarlier))
        texts = [w.text for w in chat.query(UserMessage)]
        assert texts == [f"question {i}" for i in range(0, N_MESSAGES, 2)]


async def test_find_finds_a_message_not_mounted_and_mounts_down_to_it(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    from zeph_tui.ui.widgets.find_bar import FindBar

    async with resumed(workspace, runtime) as (app, pilot, chat):
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.focused, FindBar))
        bar = app.query_one(FindBar)
        await type_text(pilot, "NEEDLE")
        await wait_until(pilot, lambda: bar.border_subtitle == "1/1")
        (found,) = chat.query(".-found")
        assert found.text == "answer 3: the needle is here"  # type: ignore[attr-defined]
        assert chat.blocks.index(found) == 3  # everything after it is mounted too
        await pilot.pause()
        assert chat.scroll_y < chat.max_scroll_y  # scrolled up to the hit
        await type_text(pilot, "x")
        await wait_until(pilot, lambda: bar.border_subtitle == "no match")


async def test_the_resumed_chat_is_frozen_out_of_the_collector_until_it_is_cleared(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    """Once open, the resumed chat's widgets are out of the full GC passes (short
    key latency); /clear gives them back, so the dropped widgets are collected."""
    import gc
    import weakref

    async with resumed(workspace, runtime) as (app, pilot, chat):
        await wait_until(pilot, lambda: gc.get_freeze_count() > 0)
        last = chat.blocks[-1]
        assert not any(obj is last for obj in gc.get_objects())  # frozen: no full pass walks it
        gone = weakref.ref(last)
        del last
        app.prompt_input.load_text("/clear")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not chat.query(StoredReply))
        assert gc.get_freeze_count() == 0
        await pilot.pause()
        gc.collect()
        assert gone() is None


def test_the_load_more_line_counts_messages_and_tool_calls_apart() -> None:
    from zeph_tui.core.events import ToolCall
    from zeph_tui.ui.widgets.chat_item import ChatItem
    from zeph_tui.ui.widgets.chat_log import earlier_summary

    def tool() -> ChatItem:
        return ChatItem("tool", call=ToolCall("t", title="bash ls", status="completed"))

    user, reply, thought = ChatItem("user", "q"), ChatItem("agent", "a"), ChatItem("thought", "t")
    assert earlier_summary([user, thought, reply, tool(), tool()]) == (
        "2 earlier messages, 2 tool calls"
    )
    assert earlier_summary([user]) == "1 earlier message"
    assert earlier_summary([tool()]) == "1 earlier tool call"
