"""The ``task`` tool through the real session, the real anthropic provider and the fake API.

Concurrency is proven with a meeting (:class:`FirstRequestMeeting`), not with
timing: each child's first model request waits until all three children are
asking at once; run one after the other, the first would wait alone and fail.
The recorded start/end times of the runs then show the overlap.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.core.agents.helpers import FirstRequestMeeting, agent_of, tool_names, write_agent
from tests.turns import Recorder, calls, scripted_session, tool_results
from zeph_tui.core.agents.host import SubAgents
from zeph_tui.core.events import ToolCall, ToolCallUpdate, UsageUpdate
from zeph_tui.core.providers.base import Usage
from zeph_tui.core.session.session import Session

NAMES = ("alpha", "beta", "gamma")


def host_of(session: Session) -> SubAgents:
    runner = session.tools["task"].runner  # type: ignore[attr-defined]
    assert isinstance(runner, SubAgents)
    return runner


def text(value: str) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": value}]}


def three_children_script(body: dict[str, Any], index: int) -> dict[str, Any]:
    """Parent: three task calls, then a summary. Child: bash (out of scope) + read, then answer."""
    agent = agent_of(body)
    if agent is None:
        if len(body["messages"]) == 1:
            return calls(*(("task", {"agent": n, "prompt": f"look around, {n}"}) for n in NAMES))
        return text("all three answered")
    if len(body["messages"]) == 1:
        return calls(
            ("bash", {"command": "echo should-not-run"}), ("read_file", {"path": "README.md"})
        )
    return text(f"{agent} found the README")


async def test_three_children_run_concurrently_scoped_and_accounted(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    for name in NAMES:
        write_agent(workspace, name, "Read, Grep")
    runtime.extra_layers.append(FirstRequestMeeting(set(NAMES)))
    sink = Recorder()
    async with scripted_session(runtime, workspace, three_children_script, sink=sink) as (
        session,
        fake,
    ):
        assert await session.prompt(["split the work"]) == "end_turn"
        host = host_of(session)

    runs = {r.agent: r for r in host.runs}
    assert set(runs) == set(NAMES) and all(r.status == "completed" for r in runs.values())
    # overlap from the recorded times: every child started before any of them ended
    assert max(r.started_s for r in runs.values()) < min(r.ended_s or 0 for r in runs.values())

    child_requests = [b for b in fake.requests if agent_of(b) is not None]
    assert len(child_requests) == 6
    # the scope: only Read and Grep are offered, the bash call is refused and reported
    assert all(tool_names(b) == ["read_file", "grep"] for b in child_requests)
    for name in NAMES:
        second = [b for b in child_requests if agent_of(b) == name][1]
        bash, read = tool_results(second)
        assert bash["is_error"] and "outside the tool scope of sub-agent" in bash["text"]
        assert f"'{name}'" in bash["text"] and "allowed: grep, read_file" in bash["text"]
        assert not read["is_error"] and "# demo" in read["text"]
        assert runs[name].scope is not None and runs[name].scope.refused == ["bash"]
    assert "task" not in tool_names(child_requests[0])  # no nesting

    # the parent's model got each child's answer, naming its transcript
    last = tool_results(fake.requests[-1])
    assert [r["is_error"] for r in last] == [False, False, False]
    for name, result in zip(NAMES, last, strict=True):
        assert result["text"].startswith(f"{name} found the README")
        assert f"transcript: session {runs[name].run_id}" in result["text"]
        messages = await session.store.sessions.messages(runs[name].run_id)
        assert len(messages) == 4  # the child's own history is stored
    # ... but the children are not offered as conversations of their own
    listed = await session.store.sessions.list(cwd=str(session.workspace))
    assert [r.id for r in listed] == [session.id]
    every = await session.store.sessions.list(cwd=str(session.workspace), subagents=True)
    assert {r.id for r in every} == {session.id, *(r.run_id for r in runs.values())}
    assert all(r.run_id.startswith("sub_") for r in runs.values())

    # usage and cost rolled up: 2 parent calls + 3 x 2 child calls of (10 in, 5 out)
    assert session.turn_usage == Usage(80, 40) and session.usage == Usage(80, 40)
    expected_cost = session.provider.cost_usd(Usage(80, 40))
    assert expected_cost > 0
    assert session.turn_cost_usd == pytest.approx(expected_cost)
    record = await session.store.sessions.get(session.id)
    assert record is not None and (record.input_tokens, record.output_tokens) == (80, 40)
    assert record.cost_usd == pytest.approx(expected_cost)
    final_usage = sink.of(UsageUpdate)[-1]
    assert final_usage.turn_cost_usd == pytest.approx(expected_cost)

    # the children's calls reach the parent's faces as calls of their own
    task_ids = {e.tool_call_id for e in sink.of(ToolCall) if e.name == "task"}
    forwarded = [e for e in sink.of(ToolCall) if e.name == "read_file"]
    assert len(forwarded) == 3
    assert all(e.tool_call_id.split("/")[0] in task_ids for e in forwarded)
    progress = [
        e
        for e in sink.of(ToolCallUpdate)
        if e.tool_call_id in task_ids and e.content and "→" in e.content[0].text  # type: ignore[union-attr]
    ]
    assert len(progress) == 6  # two calls announced by each child


def _alive_with(marker: str) -> list[int]:
    """Pids whose command line holds ``marker`` (any namespace: read from /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(proc.name))
    return found


class StartedSink(Recorder):
    """Sets :attr:`started` once a forwarded child bash output says ``started``."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()

    async def __call__(self, event: Any) -> None:
        await super().__call__(event)
        forwarded = isinstance(event, ToolCallUpdate) and "/" in event.tool_call_id
        if forwarded and any("started" in getattr(c, "text", "") for c in event.content or ()):
            self.started.set()


async def test_cancel_of_the_parent_cancels_every_child_and_its_processes(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    marker = "314.15926"
    for name in ("one", "two"):
        write_agent(workspace, name, "Bash")

    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        agent = agent_of(body)
        if agent is None:
            return calls(*(("task", {"agent": n, "prompt": "wait"}) for n in ("one", "two")))
        return calls(("bash", {"command": f"echo started; sleep {marker}"}))

    sink = StartedSink()
    async with scripted_session(runtime, workspace, script, sink=sink) as (session, _fake):
        turn = asyncio.create_task(session.prompt(["go"]))
        async with asyncio.timeout(30):
            await sink.started.wait()
        assert _alive_with(marker), "the child's sleep should be running"
        host = host_of(session)
        assert len(host.live()) >= 1
        session.cancel()
        assert await turn == "cancelled"
        assert host.live() == []
        assert all(r.session is None or not r.session.busy for r in host.runs)
        assert {r.status for r in host.runs} == {"cancelled"}
        assert _alive_with(marker) == []
        # the parent's history stays valid: the task calls are answered
        last = session.history[-1]
        assert last.role == "user"


async def test_unknown_agent_is_an_error_result_naming_the_known_ones(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    script = [calls(("task", {"agent": "nobody", "prompt": "x"})), text("ok")]
    async with scripted_session(runtime, workspace, script) as (session, fake):
        assert await session.prompt(["go"]) == "end_turn"
    result = tool_results(fake.requests[-1])[0]
    assert result["is_error"] and "unknown agent 'nobody'" in result["text"]
    assert "explorer" in result["text"]  # the bundled agents are offered
    assert "explorer:" in next(
        t["description"] for t in fake.requests[0]["tools"] if t["name"] == "task"
    )


async def test_the_concurrency_limit_holds_children_back(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    """With a limit of 2, the first two children meet; the third starts after one ended."""
    for name in NAMES:
        write_agent(workspace, name, "Read")
    runtime.settings.limits.max_concurrent_subagents = 2
    runtime.extra_layers.append(FirstRequestMeeting(set(NAMES), parties=2))

    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        if agent_of(body) is None and len(body["messages"]) == 1:
            return calls(*(("task", {"agent": n, "prompt": "hi"}) for n in NAMES))
        return text(f"{agent_of(body)} ok")

    async with scripted_session(runtime, workspace, script) as (session, _fake):
        assert await session.prompt(["go"]) == "end_turn"
        host = host_of(session)
    assert host.max_concurrent == 2
    first, second, third = sorted(host.runs, key=lambda r: r.started_s)
    ends = [r.ended_s or 0 for r in (first, second)]
    assert second.started_s < min(ends)  # the first two ran at once (they met)
    assert third.started_s >= min(ends)  # the third waited for a free slot


async def test_a_child_s_processes_get_no_keys(
    runtime: Any, workspace: Path, anthropic_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTHER_SERVICE_TOKEN", "tok-not-for-children")
    write_agent(workspace, "shell", "Bash")

    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        agent = agent_of(body)
        if agent is None:
            if len(body["messages"]) == 1:
                return calls(("task", {"agent": "shell", "prompt": "print env"}))
            return text("ok")
        if len(body["messages"]) == 1:
            return calls(("bash", {"command": "env; echo END-OF-ENV"}))
        return text("printed")

    async with scripted_session(runtime, workspace, script) as (session, fake):
        assert await session.prompt(["go"]) == "end_turn"
    child_second = [b for b in fake.requests if agent_of(b) == "shell"][1]
    output = tool_results(child_second)[0]["text"]
    assert "END-OF-ENV" in output and "PATH=" in output
    assert "ANTHROPIC_API_KEY" not in output and "OTHER_SERVICE_TOKEN" not in output
