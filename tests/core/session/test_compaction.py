"""Context compaction with the scripted model: references at 70 %, a summary at 85 %, /compact.

The provider has a 40,000-token window and the fake Messages API reports
usage numbers that push the session past the thresholds; the requests the
fake recorded show what the model was sent, and the store must still hold
every original message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.turns import Recorder, result_texts, scripted_session
from zeph_tui.core.events import UsageUpdate
from zeph_tui.core.layers.base import Layer
from zeph_tui.core.providers.base import MessageStop, ModelRequest, ToolResultPart, Usage
from zeph_tui.core.session.context import SUMMARY_HEADER, CompactionResult

WINDOW = 40_000
BIG = "python3 -c \"print('\\n'.join('big %05d ' % i + 'y' * 40 for i in range(600)))\""


def bash(command: str, input_tokens: int) -> dict[str, Any]:
    return {
        "blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}],
        "usage": {"input_tokens": input_tokens},
    }


def medium(tag: str) -> str:
    return f"python3 -c \"print('{tag} ' + 'z' * 1500)\""


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system", "")
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system)


def first_text(body: dict[str, Any]) -> str:
    content = body["messages"][0]["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if b.get("type") == "text")


SCRIPT = [
    bash(BIG, 1_000),  # 0: > 16 KiB: archived, the model gets head+tail+overflow_id
    bash(medium("R2"), 2_000),  # 1
    bash(medium("R3"), 3_000),  # 2
    bash(medium("R4"), 4_000),  # 3
    bash(medium("R5"), 29_000),  # 4: 72.5 % -> references before request 5
    bash(medium("R6"), 35_000),  # 5: 87.5 % -> summary before the next real request
    {
        "blocks": [
            {"type": "text", "text": "SUMMARY-TEXT-123: user wants calc fixed; ran R2..R6."}
        ],
        "usage": {"input_tokens": 9_000, "output_tokens": 50},
    },  # 6: the summary request
    {"blocks": [{"type": "text", "text": "Fixed."}], "usage": {"input_tokens": 3_000}},  # 7
    {"blocks": [{"type": "text", "text": "Still here."}], "usage": {"input_tokens": 3_200}},
    {"blocks": [{"type": "text", "text": "SUMMARY-TWO"}], "usage": {"input_tokens": 900}},
]


async def test_session_compacts_and_keeps_working(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    sink = Recorder()
    async with scripted_session(
        runtime, workspace, SCRIPT, sink=sink, provider_kwargs={"context_window_tokens": WINDOW}
    ) as (session, fake):
        session.context.keep_recent_ratio = 0.02  # keep ~800 tokens verbatim
        assert await session.prompt(["Please fix the bug in calc (TASK-MARKER)."]) == "end_turn"
        live_after_first = list(session.history)
        assert await session.prompt(["Are you still there?"]) == "end_turn"
        on_demand: CompactionResult = await session.compact()
    reqs = fake.requests
    assert len(reqs) == 10

    # 70 %: before request 5 the older tool results became references
    results5 = result_texts(reqs[5], every_message=True)
    assert len(results5) == 5
    assert "earlier tool result elided" in results5[0] and "overflow_id=ovf_" in results5[0]
    assert "read_overflow" in results5[0]
    for ref in results5[1:3]:
        assert "earlier tool result elided" in ref and "session store, message" in ref
        assert "zzzzzzzzzz" not in ref
    assert all("z" * 1500 in r for r in results5[3:])  # the two most recent stay verbatim
    assert "z" * 1500 in result_texts(reqs[4], every_message=True)[1]  # not before the threshold

    # 85 %: one summary request over a transcript, no tools
    summary_req = reqs[6]
    assert system_text(summary_req).startswith("You compact")
    assert not summary_req.get("tools")
    assert "<transcript>" in first_text(summary_req)
    assert "TASK-MARKER" in first_text(summary_req)

    # the next real request starts with the summary and the active task verbatim
    after = reqs[7]
    head = first_text(after)
    assert after["messages"][0]["role"] == "user"
    assert SUMMARY_HEADER in head and "SUMMARY-TEXT-123" in head
    assert "Please fix the bug in calc (TASK-MARKER)." in head
    assert after["messages"][1]["role"] == "assistant"
    assert len(after["messages"]) < len(reqs[5]["messages"])
    assert any("R6 " in r for r in result_texts(after, every_message=True))  # recent turns verbatim
    assert after.get("tools")  # the real request still offers the tools

    # the session kept working; a second prompt went through on the compacted history
    assert first_text(reqs[8]).startswith(SUMMARY_HEADER)
    assert reqs[8]["messages"][-1]["content"][0]["text"] == "Are you still there?"

    # /compact on demand
    assert on_demand.action == "summary" and "SUMMARY-TWO" in on_demand.summary
    assert system_text(reqs[9]).startswith("You compact")
    assert session.history[0].text().startswith(SUMMARY_HEADER)

    # nothing lost: every original message is readable in the store
    store = runtime.store.sessions
    live = await store.messages(session.id)
    assert [m.parts for m in live] == [m.parts for m in session.history]
    everything = await store.messages(session.id, include_compacted=True)
    all_results = [p.content for m in everything for p in m.parts if isinstance(p, ToolResultPart)]
    for tag in ("R2", "R3", "R4", "R5", "R6"):
        assert any(
            r.startswith("exit code 0") and f"{tag} " + "z" * 1500 in r for r in all_results
        ), tag
    assert any("big 00000" in r and "overflow_id=ovf_" in r for r in all_results)
    texts = [m.text() for m in everything]
    assert any("TASK-MARKER" in t and not t.startswith(SUMMARY_HEADER) for t in texts)
    assert any("SUMMARY-TEXT-123" in t for t in texts)
    assert len(live_after_first) < 12 < len(everything)

    # the faces saw the fill change
    fills = sink.of(UsageUpdate)
    assert all(f.size_tokens == WINDOW for f in fills)
    assert max(f.used_tokens for f in fills) >= 0.85 * WINDOW
    assert fills[-1].used_tokens < 0.5 * WINDOW
    assert [r.action for r in session.context.results] == ["references", "summary", "summary"]


async def test_below_threshold_nothing_changes(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    script = [
        bash(medium("A"), 1_000),
        bash(medium("B"), 2_000),
        bash(medium("C"), 3_000),
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    async with scripted_session(
        runtime, workspace, script, provider_kwargs={"context_window_tokens": WINDOW}
    ) as (session, fake):
        assert await session.prompt(["go"]) == "end_turn"
    assert all("z" * 1500 in r for r in result_texts(fake.requests[3], every_message=True))
    assert session.context.results == []


class SeenModel(Layer):
    """A layer that keeps every model request and reply it sees."""

    def __init__(self) -> None:
        self.requests: list[ModelRequest] = []
        self.replies: list[MessageStop] = []

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        self.requests.append(request)
        return request

    async def after_model(self, stop: MessageStop) -> MessageStop:
        self.replies.append(stop)
        return stop


def script_usage(response: dict[str, Any]) -> Usage:
    usage = response.get("usage", {})
    return Usage(usage.get("input_tokens", 10), usage.get("output_tokens", 5))  # fake defaults


async def test_compaction_passes_the_layers_and_the_turn_totals(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    seen = SeenModel()
    runtime.extra_layers.append(seen)
    sink = Recorder()
    script = SCRIPT  # a turn with an automatic summary, a short turn, then /compact
    async with scripted_session(
        runtime, workspace, script, sink=sink, provider_kwargs={"context_window_tokens": WINDOW}
    ) as (session, _fake):
        session.context.keep_recent_ratio = 0.02
        assert await session.prompt(["Please fix the bug in calc (TASK-MARKER)."]) == "end_turn"
        turn_update = sink.of(UsageUpdate)[-1]
        turn_record = await runtime.store.sessions.get(session.id)
        assert await session.prompt(["Are you still there?"]) == "end_turn"
        assert (await session.compact()).action == "summary"
        compact_update = sink.of(UsageUpdate)[-1]
        price = session.provider.cost_usd

    # the summary request went through the stack like every other model call
    assert len(seen.requests) == len(seen.replies) == 10
    for i in (6, 9):
        assert seen.requests[i].system.startswith("You compact") and seen.requests[i].tools == []
    assert "SUMMARY-TEXT-123" in "".join(p.text for p in seen.replies[6].parts)  # type: ignore[union-attr]
    assert not any(seen.requests[i].system.startswith("You compact") for i in (5, 7, 8))

    # its cost is in the turn's totals and in the session's, in memory and in the store
    calls = [script_usage(r) for r in script]
    turn = sum(calls[:8], Usage())
    assert (turn_update.turn_input_tokens, turn_update.turn_output_tokens) == (
        turn.input_tokens,
        turn.output_tokens,
    )
    assert calls[6].input_tokens == 9_000  # the summary call is among them
    assert turn_update.turn_cost_usd == pytest.approx(sum(price(u) for u in calls[:8]))
    assert turn_update.turn_cost_usd > 0
    assert turn_update.cost_usd == pytest.approx(turn_update.turn_cost_usd)  # the first turn
    assert turn_record is not None
    assert (turn_record.input_tokens, turn_record.output_tokens) == (
        turn.input_tokens,
        turn.output_tokens,
    )
    assert turn_record.cost_usd == pytest.approx(turn_update.cost_usd)

    # /compact is a turn of its own: its totals are the summary call's
    assert (compact_update.turn_input_tokens, compact_update.turn_output_tokens) == (
        calls[9].input_tokens,
        calls[9].output_tokens,
    )
    assert compact_update.turn_cost_usd == pytest.approx(price(calls[9]))
    assert compact_update.cost_usd == pytest.approx(sum(price(u) for u in calls))
    assert compact_update.input_tokens == sum(c.input_tokens for c in calls)
