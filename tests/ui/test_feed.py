"""EventFeed: chunks of one message coalesce per kind, in the order the events came."""

from __future__ import annotations

from zeph_tui.core.events import AgentMessageChunk, AgentThoughtChunk
from zeph_tui.ui.feed import AgentText, EventFeed, ThoughtText


def test_chunks_coalesce_per_message_and_kind() -> None:
    feed = EventFeed()
    for event in (
        AgentThoughtChunk("think ", "m1"),
        AgentThoughtChunk("more", "m1"),
        AgentMessageChunk("Hello ", "m1"),
        AgentMessageChunk("world", "m1"),
        AgentMessageChunk("next", "m2"),
        AgentThoughtChunk("again", "m2"),
    ):
        feed.push(event)
    assert feed.drain() == [
        ThoughtText("think more", "m1"),
        AgentText("Hello world", "m1"),
        AgentText("next", "m2"),
        ThoughtText("again", "m2"),
    ]
    assert not feed.pending
