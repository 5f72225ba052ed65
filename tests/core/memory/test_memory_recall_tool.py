"""``recall`` through a real session with a scripted model: graph expansion, marked.

The memories are stored through the store the runtime opened; the fake
Messages API records what the session sent: the system prompt of the turn
(the memory section) and the tool result of ``recall``. ``zeph-tui memory
search`` (a real subprocess on the same database) lists the same memories in
the same order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.core.memory.test_memory_graph import NOTES, fill
from tests.turns import Recorder, only_result, run_zeph, scripted_session, use
from zeph_tui.core.events import ToolCallUpdate
from zeph_tui.core.memory import MemoryStore
from zeph_tui.core.memory.command import RELATED_HEADING


async def test_recall_tool_and_section_expand_through_entities(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    ids = await fill(MemoryStore(runtime.store.db), NOTES, str(workspace))
    script = [use("recall", query="Billing"), {"blocks": [{"type": "text", "text": "ok"}]}]
    sink = Recorder()
    async with scripted_session(runtime, workspace, script, sink=sink) as (session, fake):
        assert await session.prompt(["What does Billing need?"]) == "end_turn"
    requests = fake.requests

    result = only_result(requests[1])
    assert not result["is_error"]
    assert result["text"].splitlines() == [
        f"[{ids[0]}] (project note, importance 0.5) {NOTES[0]}",
        RELATED_HEADING,
        f"[{ids[1]}] (project note, importance 0.5) {NOTES[1]}  [1 hop via Postgres]",
        f"[{ids[2]}] (project note, importance 0.5) {NOTES[2]}  [2 hops via db-01]",
    ]
    final = [u for u in sink.of(ToolCallUpdate) if u.status == "completed"]
    assert final[-1].raw_output["related"] == [
        {"id": ids[1], "hop": 1, "via": ["Postgres"]},
        {"id": ids[2], "hop": 2, "via": ["db-01"]},
    ]

    # the memory section of the turn: the hit, then what it leads to, marked
    system = json.dumps(requests[0]["system"])
    assert f"- [{ids[0]}] {NOTES[0]}" in system
    assert f"- [{ids[1]}] {NOTES[1]} [1 hop via Postgres]" in system
    assert NOTES[3] not in system

    # zeph-tui memory search: the same memories, the same order, the same marks
    args = ["memory", "search", "Billing", "-w", str(workspace), "--limit", "5"]
    code, out, err = await run_zeph([*args, "--json"], workspace, os.environ)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ids[:3]
    assert [r.get("related") for r in rows] == [
        None,
        {"hop": 1, "via": ["Postgres"]},
        {"hop": 2, "via": ["db-01"]},
    ]
    code, out, err = await run_zeph(args, workspace, os.environ)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == RELATED_HEADING and lines[2].endswith("[1 hop via Postgres]")
