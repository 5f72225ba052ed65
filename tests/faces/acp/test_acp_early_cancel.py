"""``$/cancel_request`` that overtakes its request, against ``zeph-tui acp`` over real pipes.

ACP v1 (``$/cancel_request``): the receiver MUST answer the cancelled request
once, with a result or ``-32800``. A cancel that arrives before its request
frame is remembered (bounded, see ``acp/cancels.py``), and that request is
answered ``-32800`` at once, without running (the model is never called).
A cancel for an id never sent costs nothing and answers nothing; a storm of
them leaves every later request answered exactly once; a cancel that comes
after its request was answered is late and ignored, even when the id is reused.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.faces.acp.test_acp_hostile import answers, line, prompt_frame, session, still_works
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import ZephPeer, route


def case_hello(body: dict[str, Any], step: int) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": "still here"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(route({"hello": case_hello})) as server:
        yield server


def cancel(request_id: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": request_id}}


def answer_counts(peer: ZephPeer) -> Counter[str]:
    frames = [json.loads(raw) for raw in peer.lines]
    return Counter(json.dumps(f.get("id")) for f in frames if "method" not in f)


async def test_cancel_before_its_prompt_answers_the_prompt_cancelled_at_once(
    peer: ZephPeer, workspace: Path, fake: FakeAnthropic
) -> None:
    sid = await session(peer, workspace)
    await peer.send_frame(cancel("early-1"))
    # a round trip in between: the cancel was read and handled before the prompt is written
    assert "result" in await peer.request("session/list", {})
    future = peer.expect_response("early-1")
    await peer.send_bytes(line(prompt_frame("early-1", sid, "[case:hello]")))
    async with asyncio.timeout(15):
        frame = await future
    assert frame["error"] == {"code": -32800, "message": "Request cancelled"}, frame
    assert fake.requests == []  # the cancelled prompt never reached the model
    await still_works(peer, sid)
    assert len(answers(peer, "early-1")) == 1
    assert len(fake.requests) == 1


async def test_cancel_before_its_request_in_the_same_write(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    futures = {rid: peer.expect_response(rid) for rid in ("early-list", 77)}
    listing = {"jsonrpc": "2.0", "id": "early-list", "method": "session/list", "params": {}}
    data = b"".join(
        line(frame)
        for frame in (
            cancel("early-list"),
            listing,
            cancel(77),
            prompt_frame(77, sid, "[case:hello]"),
        )
    )
    await peer.send_bytes(data)
    async with asyncio.timeout(15):
        for rid, future in futures.items():
            assert (await future)["error"]["code"] == -32800, rid
    await still_works(peer, sid)
    assert len(answers(peer, "early-list")) == len(answers(peer, 77)) == 1


async def test_cancels_for_ids_never_sent_answer_nothing_and_break_nothing(
    peer: ZephPeer, workspace: Path
) -> None:
    sid = await session(peer, workspace)
    before = answer_counts(peer)
    storm = [cancel(f"ghost-{n}") for n in range(3000)] + [cancel(n) for n in range(1000, 1500)]
    await peer.send_bytes(b"".join(line(frame) for frame in storm))
    listed = await peer.request("session/list", {})  # a fresh id: served normally
    assert "result" in listed, listed
    await still_works(peer, sid)
    await asyncio.sleep(0.3)  # nothing trickles in for the ghost ids
    got = answer_counts(peer) - before
    assert set(got.values()) == {1}, got  # every request answered exactly once
    assert not any(key.startswith('"ghost-') for key in got), got
    assert sum(got.values()) == 2  # session/list and the prompt


async def test_a_storm_keeps_the_latest_early_cancels(peer: ZephPeer, workspace: Path) -> None:
    """3,000 cancels for unsent ids, then one more: its prompt is still answered cancelled."""
    sid = await session(peer, workspace)
    storm = [cancel(f"ghost-{n}") for n in range(3000)] + [cancel("after-storm")]
    future = peer.expect_response("after-storm")
    frames = [*storm, prompt_frame("after-storm", sid, "[case:hello]")]
    await peer.send_bytes(b"".join(line(frame) for frame in frames))
    async with asyncio.timeout(15):
        assert (await future)["error"]["code"] == -32800
    await still_works(peer, sid)
    assert len(answers(peer, "after-storm")) == 1


async def test_a_late_cancel_does_not_cancel_a_reused_id(peer: ZephPeer, workspace: Path) -> None:
    sid = await session(peer, workspace)
    first = peer.expect_response("reused")
    await peer.send_bytes(line(prompt_frame("reused", sid, "[case:hello]")))
    async with asyncio.timeout(30):
        assert (await first)["result"] == {"stopReason": "end_turn"}
    await peer.send_frame(cancel("reused"))  # late: its request was answered already
    assert "result" in await peer.request("session/list", {})
    again = peer.expect_response("reused")
    await peer.send_bytes(line(prompt_frame("reused", sid, "[case:hello]")))
    async with asyncio.timeout(30):
        assert (await again)["result"] == {"stopReason": "end_turn"}
    assert len(answers(peer, "reused")) == 2  # one per request
