"""``update_plan`` end to end: the scripted model calls it through a real session.

The fake Messages API drives the official SDK; the events the session emits are
recorded as a face would see them, every ``plan`` payload is checked against
the ACP v1 schema, and bad arguments come back to the model as errors naming
the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.acp_schema import validate
from tests.turns import Recorder, only_result, scripted_session
from zeph_tui.core.events import Plan, PlanEntry, ToolCall, ToolCallUpdate
from zeph_tui.core.ports import PermissionOutcome, PermissionRequest
from zeph_tui.core.tools import default_tools

PLAN = [
    {"content": "Read calc.py", "status": "completed", "priority": "high"},
    {"content": "Fix   mul\n for zero", "status": "in_progress"},
    {"content": "Run the tests", "status": "pending", "priority": "low"},
]


class Approver:
    """Records permission requests; update_plan must never cause one.

    Unlike tests.turns.AllowAll it rejects, so a stray request cannot let a tool run.
    """

    def __init__(self) -> None:
        self.requests: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        self.requests.append(request)
        return "reject_once"


def call(entries: Any) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": "update_plan", "input": {"entries": entries}}]}


async def run_script(
    runtime: Any, workspace: Path, script: list[dict[str, Any]], mode: str
) -> tuple[Recorder, Approver, list[dict[str, Any]]]:
    sink, approver = Recorder(), Approver()
    async with scripted_session(
        runtime, workspace, script, sink=sink, approver=approver, mode=mode
    ) as (session, fake):
        assert await session.prompt(["Plan the fix."]) == "end_turn"
    return sink, approver, fake.requests


def test_registered_in_default_tools() -> None:
    tools = {t.name: t for t in default_tools()}
    plan = tools["update_plan"]
    assert plan.kind == "think" and plan.read_only
    assert plan.spec().input_schema["required"] == ["entries"]


async def test_plan_reaches_the_faces(runtime: Any, workspace: Path, anthropic_env: None) -> None:
    script = [call(PLAN), {"blocks": [{"type": "text", "text": "Planned."}]}]
    # plan mode: only read-only kinds run, and think is one of them, without asking
    sink, approver, requests = await run_script(runtime, workspace, script, "plan")
    assert approver.requests == []
    text, is_error = only_result(requests[1]).values()
    assert not is_error
    assert text == "Plan updated: 3 entries (1 completed, 1 in progress, 1 pending)."

    kinds = [
        type(e).__name__ for e in sink.events if isinstance(e, ToolCall | ToolCallUpdate | Plan)
    ]
    assert kinds == ["ToolCall", "ToolCallUpdate", "Plan", "ToolCallUpdate"]
    tool_call = next(e for e in sink.events if isinstance(e, ToolCall))
    assert tool_call.kind == "think"
    assert tool_call.title == "Update plan (1/3 done)"
    plan = next(e for e in sink.events if isinstance(e, Plan))
    assert plan.entries == (
        PlanEntry("Read calc.py", "high", "completed"),
        PlanEntry("Fix mul for zero", "medium", "in_progress"),
        PlanEntry("Run the tests", "low", "pending"),
    )
    final = [e for e in sink.events if isinstance(e, ToolCallUpdate)][-1]
    assert final.status == "completed"
    payload = plan.to_acp()
    validate("SessionUpdate", payload)
    validate("SessionNotification", {"sessionId": "s", "update": payload})
    assert payload["entries"][1] == {
        "content": "Fix mul for zero",
        "priority": "medium",
        "status": "in_progress",
    }


async def test_empty_plan_clears(runtime: Any, workspace: Path, anthropic_env: None) -> None:
    script = [call([]), {"blocks": [{"type": "text", "text": "ok"}]}]
    sink, _, requests = await run_script(runtime, workspace, script, "ask")
    assert only_result(requests[1]) == {"text": "Plan cleared.", "is_error": False}
    plans = [e for e in sink.events if isinstance(e, Plan)]
    assert plans == [Plan(())]
    validate("SessionUpdate", plans[0].to_acp())


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("step one", "argument 'entries' must be array, got str"),
        (["step one"], "entries[0] must be an object with content and status, got str"),
        ([{"status": "pending"}], "entries[0].content must be a non-empty string"),
        ([{"content": "  ", "status": "pending"}], "entries[0].content must be a non-empty"),
        ([{"content": "a", "status": "pending"}, {"content": "b"}], "entries[1].status is missing"),
        (
            [{"content": "a", "status": "done"}],
            "entries[0].status must be one of pending, in_progress, completed; got 'done'",
        ),
        (
            [{"content": "a", "status": "pending", "priority": "urgent"}],
            "entries[0].priority must be one of high, medium, low; got 'urgent'",
        ),
        (
            [{"content": "a", "status": "pending", "activeForm": "Doing a"}],
            "entries[0] has unknown field 'activeForm'",
        ),
        ([{"content": "x" * 501, "status": "pending"}], "entries[0].content is 501 characters"),
        ([{"content": "a", "status": "pending"}] * 51, "has 51 items; at most 50"),
    ],
)
async def test_bad_entries_name_the_field(
    runtime: Any, workspace: Path, anthropic_env: None, entries: Any, message: str
) -> None:
    script = [call(entries), {"blocks": [{"type": "text", "text": "ok"}]}]
    sink, _, requests = await run_script(runtime, workspace, script, "ask")
    text, is_error = only_result(requests[1]).values()
    assert is_error, text
    assert message in text, text
    assert not [e for e in sink.events if isinstance(e, Plan)]
    final = [e for e in sink.events if isinstance(e, ToolCallUpdate)][-1]
    assert final.status == "failed"
