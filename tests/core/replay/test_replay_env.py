"""ZEPH_RECORD / ZEPH_REPLAY: any face that opens sessions through Runtime records and replays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.turns import AllowAll, Recorder, scripted_session
from zeph_tui.core.events import AgentMessageChunk, ToolCallUpdate
from zeph_tui.core.replay import ReplayDivergence, TapeError
from zeph_tui.core.replay.layer import RecordedProvider
from zeph_tui.core.runtime import Runtime

SCRIPT: list[dict[str, Any]] = [
    {"blocks": [{"type": "tool_use", "name": "read_file", "input": {"path": "pkg/calc.py"}}]},
    {"blocks": [{"type": "text", "text": "calc.py defines add and mul."}]},
]


async def test_env_record_then_replay_in_process(
    tmp_path: Path, workspace: Path, anthropic_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    tape = tmp_path / "t.jsonl"
    monkeypatch.setenv("ZEPH_RECORD", str(tape))
    recorder = await Runtime.start()
    try:
        assert recorder.tapes is not None
        async with scripted_session(recorder, workspace, SCRIPT, warm=False) as (session, _):
            assert await session.prompt(["what is in pkg/calc.py?"]) == "end_turn"
    finally:
        await recorder.aclose()
    assert len(tape.read_text().splitlines()) == 3  # header + two calls

    monkeypatch.delenv("ZEPH_RECORD")
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.setenv("ZEPH_REPLAY", str(tape))
    player = await Runtime.start()
    try:
        sink = Recorder()
        session = await player.open_session(
            workspace=workspace, sink=sink, approver=AllowAll(), mode="bypass", warm=False
        )
        assert isinstance(session.provider, RecordedProvider)
        assert session.provider.model == "claude-sonnet-4-6"
        assert await session.prompt(["what is in pkg/calc.py?"]) == "end_turn"
        text = "".join(e.text for e in sink.of(AgentMessageChunk))
        assert text == "calc.py defines add and mul."
        assert [e.status for e in sink.of(ToolCallUpdate) if e.status][-1] == "completed"
        with pytest.raises(ReplayDivergence, match=r"model call 3, field call: recorded 2 model"):
            await session.prompt(["and again?"])  # the tape has no third call
    finally:
        await player.aclose()


async def test_env_mistakes_are_tape_errors(
    tmp_path: Path, zeph_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZEPH_REPLAY", str(tmp_path / "missing.jsonl"))
    with pytest.raises(TapeError, match="cannot read tape"):
        await Runtime.start()
    monkeypatch.setenv("ZEPH_RECORD", str(tmp_path / "r.jsonl"))
    with pytest.raises(TapeError, match="cannot be used together"):
        await Runtime.start()
