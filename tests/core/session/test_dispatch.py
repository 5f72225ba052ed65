"""Tool dispatch in a real session: concurrent batches, ordered writes, failures as results.

Concurrency is proven with a barrier, not with timing: the face's file access
(:class:`MeetingFS`, the real disk underneath) makes the reads (or writes) of
the named files wait until all of them are in flight at once. Run one after
the other, the first would wait alone until its guard timeout and fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.turns import Recorder, scripted_session, tool_results
from zeph_tui.core.errors import PromptInProgress, StoreError
from zeph_tui.core.events import ToolCall, ToolCallUpdate
from zeph_tui.core.ports import LocalFS
from zeph_tui.core.providers.base import ToolUsePart
from zeph_tui.core.session.dispatch import independent_batches
from zeph_tui.core.tools import default_tools
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

GUARD_S = 10.0
"""How long a barrier waits for its partners before the call fails (a failure guard)."""


class MeetingFS(LocalFS):
    """The local disk; reads and writes of ``meet`` wait until all of them run together.

    ``log`` records ``("start"|"end", op, name)`` around every write, with a
    yield to the loop in between, so overlapping writes would interleave.
    """

    def __init__(self, *, reads: Collection[str] = (), writes: Collection[str] = ()) -> None:
        self.reads, self.writes = set(reads), set(writes)
        self.read_barrier = asyncio.Barrier(max(1, len(self.reads)))
        self.write_barrier = asyncio.Barrier(max(1, len(self.writes)))
        self.log: list[tuple[str, str, str]] = []

    async def read_text(self, path: Path) -> str:
        if path.name in self.reads:
            async with asyncio.timeout(GUARD_S):
                await self.read_barrier.wait()
        return await super().read_text(path)

    async def write_text(self, path: Path, text: str) -> None:
        self.log.append(("start", "write", path.name))
        if path.name in self.writes:
            async with asyncio.timeout(GUARD_S):
                await self.write_barrier.wait()
        await asyncio.sleep(0)  # a yield, not a wait: lets an overlapping write interleave
        await super().write_text(path, text)
        self.log.append(("end", "write", path.name))


def use(name: str, **args: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": args}


def reply(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"blocks": list(blocks)}


DONE = {"blocks": [{"type": "text", "text": "done"}]}


async def test_independent_reads_run_concurrently(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (workspace / name).write_text(f"{name} body\n")
    fs = MeetingFS(reads={"a.txt", "b.txt", "c.txt"})
    script = [
        reply(*(use("read_file", path=n) for n in ("a.txt", "b.txt", "c.txt"))),
        DONE,
    ]
    async with scripted_session(runtime, workspace, script, fs=fs) as (session, fake):
        assert await session.prompt(["read three files"]) == "end_turn"
    results = tool_results(fake.requests[1])
    assert [r["is_error"] for r in results] == [False, False, False], results
    assert [r["text"].split("\t", 1)[1] for r in results] == [
        "a.txt body",
        "b.txt body",
        "c.txt body",
    ]


async def test_writes_to_one_path_run_in_order_and_to_two_paths_together(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    fs = MeetingFS(writes={"p.txt", "q.txt"})
    script = [
        reply(
            use("write_file", path="x.txt", content="one\n"),
            use("edit_file", path="x.txt", old_string="one", new_string="two"),
            use("write_file", path="p.txt", content="p\n"),
            use("write_file", path="q.txt", content="q\n"),
        ),
        DONE,
    ]
    async with scripted_session(runtime, workspace, script, fs=fs) as (session, fake):
        assert await session.prompt(["write"]) == "end_turn"
    results = tool_results(fake.requests[1])
    assert [r["is_error"] for r in results] == [False] * 4, results
    assert (workspace / "x.txt").read_text() == "two\n"
    x_log = [entry for entry in fs.log if entry[2] == "x.txt"]
    assert x_log == [("start", "write", "x.txt"), ("end", "write", "x.txt")] * 2
    first_end = fs.log.index(("end", "write", "x.txt"))
    assert fs.log.index(("start", "write", "x.txt"), first_end) > first_end  # no overlap
    # p and q met at the barrier: both started before either ended
    starts = [fs.log.index(("start", "write", n)) for n in ("p.txt", "q.txt")]
    ends = [fs.log.index(("end", "write", n)) for n in ("p.txt", "q.txt")]
    assert max(starts) < min(ends)


def test_batches_of_the_real_tools() -> None:
    tools = {t.name: t for t in default_tools()}

    def part(i: int, name: str, **args: Any) -> ToolUsePart:
        return ToolUsePart(f"t{i}", name, args)

    uses = [
        part(0, "read_file", path="a"),
        part(1, "grep", pattern="x"),
        part(2, "bash", command="make"),
        part(3, "write_file", path="a", content=""),
        part(4, "write_file", path="b", content=""),
        part(5, "edit_file", path="a", old_string="x", new_string="y"),
        part(6, "read_file", path="c"),  # another path: joins the edit
        part(7, "read_file", path="a"),  # the edited path: waits for the edit
    ]
    batches = [[u.id for u in batch] for batch in independent_batches(uses, tools)]
    assert batches == [["t0", "t1"], ["t2"], ["t3", "t4"], ["t5", "t6"], ["t7"]]


class BrokenArchive(Tool):
    """A tool whose backing store fails: it raises StoreError, not a ToolError."""

    name: ClassVar[str] = "archive_stats"
    description: ClassVar[str] = "Count archived outputs."
    input_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        raise StoreError("database disk image is malformed")


def final_updates(sink: Recorder) -> dict[str, ToolCallUpdate]:
    return {u.tool_call_id: u for u in sink.of(ToolCallUpdate) if u.raw_output is not None}


async def test_zeph_errors_of_a_run_become_failed_calls_and_the_turn_goes_on(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    sink = Recorder()
    script = [
        reply(use("archive_stats"), use("read_overflow", id="ovf_000000000000")),
        {"blocks": [{"type": "text", "text": "Both failed; going on."}]},
    ]
    async with scripted_session(runtime, workspace, script, sink=sink) as (session, fake):
        session.tools[BrokenArchive.name] = BrokenArchive()
        assert await session.prompt(["stats"]) == "end_turn"
    stats, overflow = tool_results(fake.requests[1])
    assert stats == {
        "text": "archive_stats failed: StoreError: database disk image is malformed",
        "is_error": True,
    }
    assert overflow["is_error"] and "ovf_000000000000" in overflow["text"]  # the real store
    calls = [c.tool_call_id for c in sink.of(ToolCall)]
    updates = final_updates(sink)
    assert [updates[c].status for c in calls] == ["failed", "failed"]
    assert session.history[-1].text() == "Both failed; going on."


async def test_a_layer_failing_after_the_run_fails_the_call_not_the_turn(
    runtime: Any, workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    (zeph_home / "audit.jsonl").mkdir()  # the audit layer cannot append its line
    sink = Recorder()
    script = [reply(use("write_file", path="new.txt", content="hello\n")), DONE]
    async with scripted_session(runtime, workspace, script, sink=sink) as (session, fake):
        assert await session.prompt(["write it"]) == "end_turn"
    (result,) = tool_results(fake.requests[1])
    assert result["is_error"]
    assert result["text"].startswith("write_file ran, but its result could not be processed: ")
    assert "audit.jsonl" in result["text"] and "Is a directory" in result["text"]
    assert (workspace / "new.txt").read_text() == "hello\n"  # it did run
    (update,) = final_updates(sink).values()
    assert update.status == "failed"


async def test_tool_uses_cut_by_max_tokens_are_answered_not_run(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    cut = reply(use("write_file", path="cut.txt", content="x"))
    script = [{**cut, "stop_reason": "max_tokens"}, DONE]
    async with scripted_session(runtime, workspace, script) as (session, fake):
        assert await session.prompt(["write"]) == "max_tokens"
        assert await session.prompt(["again"]) == "end_turn"
    assert not (workspace / "cut.txt").exists()
    answered = [
        block
        for message in fake.requests[1]["messages"]
        for block in (message["content"] if isinstance(message["content"], list) else ())
        if block.get("type") == "tool_result"
    ]
    assert len(answered) == 1 and answered[0]["is_error"]
    assert "not executed: the response hit max_tokens" in str(answered[0]["content"])


class GateFS(LocalFS):
    """The local disk; a read waits for ``gate`` and announces itself on ``reading``."""

    def __init__(self) -> None:
        self.reading, self.gate = asyncio.Event(), asyncio.Event()

    async def read_text(self, path: Path) -> str:
        self.reading.set()
        async with asyncio.timeout(GUARD_S):
            await self.gate.wait()
        return await super().read_text(path)


async def test_a_busy_session_raises_prompt_in_progress(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    (workspace / "a.txt").write_text("a\n")
    fs = GateFS()
    script = [reply(use("read_file", path="a.txt")), DONE]
    async with scripted_session(runtime, workspace, script, fs=fs) as (session, fake):
        turn = asyncio.create_task(session.prompt(["read a"]))
        async with asyncio.timeout(GUARD_S):
            await fs.reading.wait()
        assert session.busy
        with pytest.raises(PromptInProgress, match="already running"):
            await session.prompt(["and another"])
        with pytest.raises(PromptInProgress, match="compact after it ends"):
            await session.compact()
        fs.gate.set()
        assert await turn == "end_turn"
    assert len(fake.requests) == 2  # the refused prompt never reached the model


async def test_a_store_failing_to_record_a_call_fails_that_call_only(
    runtime: Any, workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    """A real SQLite failure (a trigger refuses one tool's row) while recording the call."""
    import sqlite3

    db = sqlite3.connect(zeph_home / "zeph.db")
    with db:
        db.execute(
            "CREATE TRIGGER refuse_write_file BEFORE INSERT ON tool_calls "
            "WHEN NEW.name = 'write_file' BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END"
        )
    db.close()
    (workspace / "a.txt").write_text("a\n")
    sink = Recorder()
    script = [
        reply(use("write_file", path="w.txt", content="w\n"), use("read_file", path="a.txt")),
        DONE,
    ]
    async with scripted_session(runtime, workspace, script, sink=sink) as (session, fake):
        assert await session.prompt(["go"]) == "end_turn"
    written, read = tool_results(fake.requests[1])
    assert written["is_error"] and "StoreError" in written["text"], written
    assert "disk quota exceeded" in written["text"]
    assert not (workspace / "w.txt").exists()  # not recorded, so not run
    assert not read["is_error"] and read["text"].endswith("a")
    statuses = [final_updates(sink)[c.tool_call_id].status for c in sink.of(ToolCall)]
    assert statuses == ["failed", "completed"]
