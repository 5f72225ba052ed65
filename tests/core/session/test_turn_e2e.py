"""A whole multi-step turn through the real anthropic SDK against the fake Messages API.

read, write, edit, bash with 2 MB of output, read_overflow paging and grep:
asserts on the files, the events and the tool results sent back to the model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.turns import AllowAll, Recorder, only_result, scripted_session, tool_results, use
from zeph_tui.core.events import (
    AgentMessageChunk,
    DiffContent,
    TextContent,
    ToolCall,
    ToolCallUpdate,
    UsageUpdate,
)
from zeph_tui.core.providers.base import Usage

BIG_CMD = (
    'python3 -c "import sys\n'
    "for i in range(40000): sys.stdout.write('line %05d ' % i + 'x' * 40 + chr(10))\""
)


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    """The scripted model: each step checks what the agent sent back."""
    if index == 0:
        return {
            "blocks": [
                {"type": "text", "text": "Let me look at the code."},
                {"type": "tool_use", "name": "read_file", "input": {"path": "pkg/calc.py"}},
                {"type": "tool_use", "name": "glob", "input": {"pattern": "**/*.py"}},
            ]
        }
    if index == 1:
        results = tool_results(body)
        assert "def add(a: int, b: int) -> int:" in results[0]["text"]
        assert "pkg/calc.py" in results[1]["text"]
        return {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "write_file",
                    "input": {
                        "path": "pkg/util.py",
                        "content": "def double(x: int) -> int:\n    return 2 * x\n",
                    },
                }
            ]
        }
    if index == 2:
        assert "Created pkg/util.py" in only_result(body)["text"]
        return use(
            "edit_file", path="pkg/calc.py", old_string="return a * b", new_string="return b * a"
        )
    if index == 3:
        assert "Edited pkg/calc.py" in only_result(body)["text"]
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": BIG_CMD}}]}
    if index == 4:
        text = only_result(body)["text"]
        oid = re.search(r"overflow_id=(ovf_[0-9a-f]{12})", text)
        assert oid, text[-500:]
        return {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "read_overflow",
                    "input": {"id": f"overflow_id={oid.group(1)}", "offset": 1000, "limit": 3},
                }
            ]
        }
    if index == 5:
        oid = re.search(r"(ovf_[0-9a-f]{12})", only_result(body)["text"])
        assert oid
        return {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "read_overflow",
                    "input": {"id": oid.group(1), "grep": r"^line 3999[0-9] "},
                }
            ]
        }
    return {"blocks": [{"type": "text", "text": "All done: util added, mul edited."}]}


async def test_multi_step_turn(workspace: Path, runtime: Any, anthropic_env: None) -> None:
    sink, approver = Recorder(), AllowAll()
    async with scripted_session(runtime, workspace, script, sink=sink, approver=approver) as (
        session,
        fake,
    ):
        stop = await session.prompt(["Add a util module and tidy calc."])

    assert stop == "end_turn"
    # files
    assert (workspace / "pkg/util.py").read_text().startswith("def double")
    assert "return b * a" in (workspace / "pkg/calc.py").read_text()
    # tool results sent back
    reqs = fake.requests
    assert len(reqs) == 7
    bash_result = only_result(reqs[4])
    assert bash_result["is_error"] is False
    assert bash_result["text"].startswith("exit code 0")
    assert "line 00000 " in bash_result["text"] and "line 39999 " in bash_result["text"]
    assert len(bash_result["text"].encode()) < 17 * 1024  # head + tail within the budget
    assert "40000 lines" in bash_result["text"]
    assert str(40000 * 52) in bash_result["text"]  # total bytes
    page = only_result(reqs[5])["text"]
    assert "1001: line 01000 " in page and "1003: line 01002 " in page
    assert "1004: line" not in page and "next offset=1003" in page
    grep = only_result(reqs[6])["text"]
    assert grep.count("\n") == 10 and "39991: line 39990 " in grep
    # events
    calls = sink.of(ToolCall)
    assert [c.kind for c in calls] == ["read", "search", "edit", "edit", "execute", "read", "read"]
    updates = sink.of(ToolCallUpdate)
    diffs = [c for u in updates for c in (u.content or ()) if isinstance(c, DiffContent)]
    assert {Path(d.path).name for d in diffs} == {"util.py", "calc.py"}
    edit_diff = next(d for d in diffs if d.path.endswith("calc.py"))
    assert "a * b" in (edit_diff.old_text or "") and "b * a" in edit_diff.new_text
    bash_id = calls[4].tool_call_id
    streamed = "".join(
        c.text
        for u in updates
        if u.tool_call_id == bash_id
        for c in (u.content or ())
        if isinstance(c, TextContent)
    )
    assert streamed.count("\n") == 40000  # every line streamed live to the faces
    assert {u.status for u in updates if u.status} >= {"in_progress", "completed"}
    text = "".join(e.text for e in sink.of(AgentMessageChunk))
    assert text.startswith("Let me look at the code.") and text.endswith("mul edited.")
    usage = sink.of(UsageUpdate)
    assert len(usage) == 7 and usage[-1].size_tokens > 0
    # history persisted and the archive holds every byte
    stored = await runtime.store.sessions.messages(session.id)
    assert len(stored) == 1 + 2 * 6 + 1
    oid = re.search(r"(ovf_[0-9a-f]{12})", bash_result["text"]).group(1)  # type: ignore[union-attr]
    info = await runtime.store.archive.info(oid)
    assert info.total_bytes == 40000 * 52 and info.total_lines == 40000 and info.complete


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        (
            [{"type": "tool_use", "name": "no_such_tool", "input": {}}],
            "unknown tool 'no_such_tool'",
        ),
        (
            [{"type": "tool_use", "name": "read_file", "raw_partial_json": '{"path": "pkg/ca'}],
            "invalid JSON arguments",
        ),
        (
            [{"type": "tool_use", "name": "read_file", "input": {"path": "missing.py"}}],
            "file not found: missing.py",
        ),
        (
            [{"type": "tool_use", "name": "read_file", "input": {}}],
            "missing required argument 'path'",
        ),
        (
            [
                {
                    "type": "tool_use",
                    "name": "edit_file",
                    "input": {
                        "path": "pkg/calc.py",
                        "old_string": "no such text",
                        "new_string": "x",
                    },
                }
            ],
            "old_string not found in pkg/calc.py",
        ),
        (
            [
                {
                    "type": "tool_use",
                    "name": "edit_file",
                    "input": {"path": "pkg/calc.py", "old_string": "int", "new_string": "float"},
                }
            ],
            "old_string is ambiguous: 6 matches",
        ),
        (
            [
                {
                    "type": "tool_use",
                    "name": "bash",
                    "input": {"command": "sleep 5", "timeout_s": 0.3},
                }
            ],
            "command timed out after 0.3 s",
        ),
        (
            [{"type": "tool_use", "name": "read_overflow", "input": {"id": "ovf_0123456789ab"}}],
            "unknown overflow id ovf_0123456789ab",
        ),
        (
            [{"type": "tool_use", "name": "read_overflow", "input": {"id": "nonsense"}}],
            "not an overflow id",
        ),
        (
            [{"type": "tool_use", "name": "read_file", "input": {"path": "../outside.txt"}}],
            "outside",
        ),
    ],
)
async def test_bad_tool_input_returns_error_and_turn_goes_on(
    workspace: Path, runtime: Any, anthropic_env: None, blocks: list[dict[str, Any]], expected: str
) -> None:
    sink = Recorder()
    script = [{"blocks": blocks}, {"blocks": [{"type": "text", "text": "recovered"}]}]
    async with scripted_session(runtime, workspace, script, sink=sink, approver=AllowAll()) as (
        session,
        fake,
    ):
        stop = await session.prompt(["go"])
    assert stop == "end_turn"
    result = only_result(fake.requests[1])
    assert result["is_error"] is True
    assert expected in result["text"], result["text"]
    assert sink.of(ToolCallUpdate)[-1].status == "failed"
    assert "recovered" in "".join(e.text for e in sink.of(AgentMessageChunk))


async def test_repeated_failing_call_turns_tools_off_and_the_model_answers(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    """Loop guard: the third identical failing call makes the next request tool_choice none."""
    bad: dict[str, Any] = {
        "blocks": [{"type": "tool_use", "name": "read_file", "input": {"path": "nope.py"}}]
    }
    script = [bad, bad, bad, {"blocks": [{"type": "text", "text": "nope.py does not exist."}]}]
    sink = Recorder()
    async with scripted_session(runtime, workspace, script, sink=sink, approver=AllowAll()) as (
        session,
        fake,
    ):
        stop = await session.prompt(["read nope.py"])
    assert stop == "end_turn"
    assert [r.get("tool_choice") for r in fake.requests] == [None, None, None, {"type": "none"}]
    last_user = fake.requests[3]["messages"][-1]["content"]
    assert "tools are off" in last_user[-1]["text"]
    assert "tools" in fake.requests[3]  # still declared: the history holds tool calls


async def test_usage_and_cost_per_turn_and_per_session(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    usage = {"input_tokens": 1000, "output_tokens": 100}
    script = [
        {
            "blocks": [{"type": "tool_use", "name": "glob", "input": {"pattern": "*.md"}}],
            "usage": usage,
        },
        {"blocks": [{"type": "text", "text": "one"}], "usage": usage},
        {"blocks": [{"type": "text", "text": "two"}], "usage": usage},
    ]
    sink = Recorder()
    async with scripted_session(runtime, workspace, script, sink=sink, approver=AllowAll()) as (
        session,
        _fake,
    ):
        await session.prompt(["first"])
        first = sink.of(UsageUpdate)[-1]
        await session.prompt(["second"])
    second = sink.of(UsageUpdate)[-1]
    assert (first.turn_input_tokens, first.turn_output_tokens) == (2000, 200)  # two calls
    assert (second.turn_input_tokens, second.turn_output_tokens) == (1000, 100)  # reset per turn
    assert (second.input_tokens, second.output_tokens) == (3000, 300)  # session totals
    assert second.cost_usd == pytest.approx(first.turn_cost_usd + second.turn_cost_usd)
    assert second.turn_cost_usd == pytest.approx(session.provider.cost_usd(Usage(1000, 100)))
    assert second.used_tokens == 1100 and second.fill_percent == pytest.approx(1100 / 2000)
    meta = second.to_acp()["_meta"]["turn"]
    assert meta == {
        "inputTokens": 1000,
        "outputTokens": 100,
        "costUsd": round(second.turn_cost_usd, 6),
        "models": [  # one model here; a routed session lists each (tests/core/providers)
            {
                "model": session.provider.model,
                "calls": 1,
                "inputTokens": 1000,
                "outputTokens": 100,
                "costUsd": round(second.turn_cost_usd, 6),
            }
        ],
    }
