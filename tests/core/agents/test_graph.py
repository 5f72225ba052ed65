"""Task graphs: validation, run order, overlap, failure strategies, cancel, kill -9 and resume.

The graph of every test is :func:`diamond` (6 nodes): ``a -> b, a -> c, b + c -> d`` (the
diamond), ``e`` independent, ``d + e -> f``. Overlap is proven with meetings (a node's
first model request waits for its partners), then shown by the stored start/end times.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.core.agents.helpers import NodeMeeting, node_of, write_agent
from tests.turns import Recorder, scripted_session
from zeph_tui.core.agents.graph import (
    Strategy,
    TaskGraph,
    TaskNode,
    graph_from_json,
    parse_strategy,
    validate_nodes,
)
from zeph_tui.core.agents.graph_runner import (
    GraphRunner,
    NodeFailed,
    NodeResult,
    plan_event,
    subagent_node_runner,
)
from zeph_tui.core.agents.graph_store import GraphStore, NodeState
from zeph_tui.core.errors import AgentError
from zeph_tui.core.events import Plan
from zeph_tui.core.session.session import Session

SHAPE: dict[str, tuple[str, ...]] = {
    "a": (),
    "b": ("a",),
    "c": ("a",),
    "d": ("b", "c"),
    "e": (),
    "f": ("d", "e"),
}


def diamond(strategy: str = "abort") -> TaskGraph:
    nodes = [TaskNode(i, "worker", f"[node {i}] do part {i}", deps) for i, deps in SHAPE.items()]
    return TaskGraph.build("build the demo", nodes, strategy)


def host_of(session: Session) -> Any:
    return session.tools["task"].runner  # type: ignore[attr-defined]


def child_script(body: dict[str, Any], index: int) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": f"result {node_of(body)}"}]}


# ------------------------------------------------------------------ validation


def test_validation_names_the_problem() -> None:
    assert validate_nodes(diamond().nodes)[0] in ("a", "e")
    with pytest.raises(AgentError, match="cycle"):
        validate_nodes([TaskNode("x", "w", "p", ("y",)), TaskNode("y", "w", "p", ("x",))])
    with pytest.raises(AgentError, match="unknown task 'zz'"):
        validate_nodes([TaskNode("x", "w", "p", ("zz",))])
    with pytest.raises(AgentError, match="used twice"):
        validate_nodes([TaskNode("x", "w", "p"), TaskNode("x", "w", "q")])
    with pytest.raises(AgentError, match="at least one"):
        validate_nodes([])
    assert parse_strategy("retry 3") == Strategy("retry", 3)
    assert parse_strategy("retry") == Strategy("retry", 1)
    with pytest.raises(AgentError, match="strategy"):
        parse_strategy("retry zero")


def test_graph_from_the_model_s_json() -> None:
    answer = (
        "Here is the plan:\n```json\n"
        + json.dumps({"strategy": "skip", "tasks": diamond().to_json()["tasks"]})
        + "\n```"
    )
    graph = graph_from_json("build the demo", answer)
    assert graph == diamond("skip")
    with pytest.raises(AgentError, match="not a JSON object: Expecting value at line 1 column 1"):
        graph_from_json("g", "no json here")
    with pytest.raises(AgentError, match="not a JSON object: got list, not an object"):
        graph_from_json("g", "[1, 2]")
    with pytest.raises(AgentError, match="'deps'"):
        graph_from_json("g", '{"tasks": [{"id": "a", "agent": "w", "prompt": "p", "deps": "b"}]}')


# ------------------------------------------------------------------ real sub-agents


async def test_diamond_runs_in_order_with_overlap_through_real_sub_agents(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    write_agent(workspace, "worker", "Read")
    runtime.extra_layers.append(NodeMeeting({"a", "e"}, {"b", "c"}))
    transitions: list[tuple[str, str]] = []
    sink = Recorder()
    async with scripted_session(runtime, workspace, child_script, sink=sink) as (session, fake):
        store = GraphStore(session.store.db)
        graph_id = await store.create(diamond(), parent_session=session.id)
        last: dict[str, str] = {}

        async def on_change(graph: TaskGraph, states: Mapping[str, NodeState]) -> None:
            for node_id, state in states.items():
                if last.get(node_id) != state.status:
                    transitions.append((node_id, state.status))
                    last[node_id] = state.status
            await session.sink(plan_event(graph, states))

        runner = GraphRunner(
            store, subagent_node_runner(host_of(session), session), on_change=on_change
        )
        record = await runner.run(graph_id)

    assert record.status == "completed"
    assert {s.status for s in record.nodes.values()} == {"completed"}
    # dependencies first: a node starts only after each of its dependencies completed
    for node_id, deps in SHAPE.items():
        start = transitions.index((node_id, "running"))
        assert all(transitions.index((d, "completed")) < start for d in deps), transitions
    # independent nodes overlapped (stored times), the meeting proved they ran at once
    for pair in (("a", "e"), ("b", "c")):
        states = [record.nodes[n] for n in pair]
        assert max(s.started_at or 0 for s in states) < min(s.ended_at or 0 for s in states)
    # results flow along the edges; every node has its transcript
    d_request = next(b for b in fake.requests if node_of(b) == "d")
    assert "result b" in json.dumps(d_request) and "result c" in json.dumps(d_request)
    assert all(s.session_id and s.session_id.startswith("sub_") for s in record.nodes.values())
    assert record.nodes["f"].result_text is not None and record.nodes["f"].result_text.startswith(
        "result f"
    )
    plans = sink.of(Plan)
    assert len(plans[-1].entries) == 6 and {e.status for e in plans[-1].entries} == {"completed"}
    assert any(e.status == "in_progress" for p in plans for e in p.entries)


# ------------------------------------------------------------------ strategies


class Jobs:
    """A node runner: ``fail[node]`` failures before success; nodes in ``hang`` never end."""

    def __init__(self, fail: Mapping[str, int] | None = None, hang: set[str] | None = None) -> None:
        self.fail = dict(fail or {})
        self.hang = hang or set()
        self.calls: list[str] = []
        self.hanging = asyncio.Event()

    async def __call__(self, node: TaskNode, inputs: Mapping[str, str]) -> NodeResult:
        self.calls.append(node.id)
        await asyncio.sleep(0)
        if node.id in self.hang:
            self.hanging.set()
            await asyncio.Event().wait()
        if self.fail.get(node.id, 0) > 0:
            self.fail[node.id] -= 1
            raise NodeFailed(f"{node.id} broke")
        return NodeResult(f"r{node.id}")


async def run_graph(
    runtime: Any, graph: TaskGraph, jobs: Jobs, **kwargs: Any
) -> tuple[GraphStore, str, Any]:
    store = GraphStore(runtime.store.db)
    graph_id = await store.create(graph)
    record = await GraphRunner(store, jobs, **kwargs).run(graph_id)
    return store, graph_id, record


def statuses(record: Any) -> dict[str, str]:
    return {n: s.status for n, s in record.nodes.items()}


async def test_abort_fails_fast_and_cancels_the_running_node(runtime: Any) -> None:
    jobs = Jobs(fail={"b": 99}, hang={"c"})
    store, graph_id, record = await run_graph(runtime, diamond("abort"), jobs)
    assert record.status == "failed"
    assert statuses(record) == {
        "a": "completed",
        "b": "failed",
        "c": "pending",  # cancelled mid-run: not finished, so resumable
        "d": "pending",
        "e": "completed",
        "f": "pending",
    }
    assert "d" not in jobs.calls and "f" not in jobs.calls
    assert record.nodes["b"].error == "NodeFailed: b broke"
    again = Jobs()  # a resume runs what did not complete, nothing else
    record = await GraphRunner(store, again).run(graph_id)
    assert record.status == "completed" and sorted(again.calls) == ["b", "c", "d", "f"]


async def test_skip_skips_the_dependents_and_runs_the_rest(runtime: Any) -> None:
    jobs = Jobs(fail={"b": 99})
    _, _, record = await run_graph(runtime, diamond("skip"), jobs)
    assert record.status == "partial"
    assert statuses(record) == {
        "a": "completed",
        "b": "failed",
        "c": "completed",
        "d": "skipped",
        "e": "completed",
        "f": "skipped",
    }
    assert sorted(jobs.calls) == ["a", "b", "c", "e"]


async def test_retry_runs_a_failing_node_again_then_gives_up(runtime: Any) -> None:
    jobs = Jobs(fail={"b": 2})
    _, _, record = await run_graph(runtime, diamond("retry 2"), jobs)
    assert record.status == "completed" and record.nodes["b"].attempts == 3
    assert jobs.calls.count("b") == 3 and jobs.calls.count("a") == 1

    jobs = Jobs(fail={"b": 2})
    _, _, record = await run_graph(runtime, diamond("retry 1"), jobs)
    assert record.status == "failed" and record.nodes["b"].attempts == 2
    assert record.nodes["b"].status == "failed" and "d" not in jobs.calls


async def test_ask_lets_the_person_decide(runtime: Any) -> None:
    asked: list[tuple[str, str]] = []

    async def ask(node: TaskNode, error: str) -> Any:
        asked.append((node.id, error))
        return "retry" if len(asked) == 1 else "skip"

    jobs = Jobs(fail={"b": 99})
    _, _, record = await run_graph(runtime, diamond("ask"), jobs, ask=ask)
    assert asked == [("b", "NodeFailed: b broke")] * 2
    assert jobs.calls.count("b") == 2
    assert record.status == "partial" and statuses(record)["d"] == "skipped"


async def test_cancel_stores_running_nodes_pending_and_resume_finishes(runtime: Any) -> None:
    store = GraphStore(runtime.store.db)
    graph_id = await store.create(diamond())
    jobs = Jobs(hang={"d"})
    run = asyncio.create_task(GraphRunner(store, jobs).run(graph_id))
    await jobs.hanging.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    record = await store.load(graph_id)
    assert record.status == "cancelled" and statuses(record)["d"] == "pending"
    again = Jobs()
    record = await GraphRunner(store, again).run(graph_id)
    assert record.status == "completed" and sorted(again.calls) == ["d", "f"]


async def test_a_runner_bug_propagates_and_leaves_no_node_running(runtime: Any) -> None:
    class Buggy(Jobs):
        async def __call__(self, node: TaskNode, inputs: Mapping[str, str]) -> NodeResult:
            if node.id == "b":
                await asyncio.sleep(0)
                raise RuntimeError("a bug, not a node failure")
            return await super().__call__(node, inputs)

    store = GraphStore(runtime.store.db)
    graph_id = await store.create(diamond("skip"))
    with pytest.raises(RuntimeError, match="a bug"):
        await GraphRunner(store, Buggy(hang={"c"})).run(graph_id)
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("node-")]
    record = await store.load(graph_id)
    assert record.status == "failed"
    assert statuses(record)["b"] == statuses(record)["c"] == "pending"


# ------------------------------------------------------------------ kill -9


async def test_kill_9_mid_graph_then_resume_redoes_nothing_finished(
    runtime: Any, workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    write_agent(workspace, "worker", "Read")
    store = GraphStore(runtime.store.db)
    graph_id = await store.create(diamond())
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ZEPH_HOME": str(zeph_home)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.core.agents.graph_worker",
        graph_id,
        str(workspace),
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    assert proc.stdout is not None
    try:
        async with asyncio.timeout(60):
            while True:
                line = await proc.stdout.readline()
                assert line, "the worker ended before node d started"
                states = json.loads(line)
                if states["d"] == "running" and states["e"] == "completed":
                    break
        os.killpg(proc.pid, signal.SIGKILL)
        assert await proc.wait() == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()

    killed = await store.load(graph_id)
    assert statuses(killed) == {
        "a": "completed",
        "b": "completed",
        "c": "completed",
        "d": "running",  # what the crash left
        "e": "completed",
        "f": "pending",
    }
    async with scripted_session(runtime, workspace, child_script, warm=False) as (session, fake):
        runner = GraphRunner(store, subagent_node_runner(host_of(session), session))
        record = await runner.run(graph_id)
    assert record.status == "completed"
    assert sorted(node_of(b) or "" for b in fake.requests) == ["d", "f"]  # nothing redone
    for node_id in "abce":
        assert record.nodes[node_id] == killed.nodes[node_id]  # untouched rows
    assert record.nodes["d"].attempts == 2
    assert "result b" in json.dumps(next(b for b in fake.requests if node_of(b) == "d"))


async def test_a_v4_database_with_task_graphs_made_on_first_use_migrates_keeping_them(
    tmp_path: Path,
) -> None:
    """Before schema v5 the graph tables were created on first use; v5 adopts them as they are."""
    from zeph_tui.core.store import SCHEMA_VERSION, open_store
    from zeph_tui.core.store.db import MIGRATIONS, open_database

    path = tmp_path / "z.db"
    db = await open_database(path, target_version=4)
    await db.conn.executescript(MIGRATIONS[4])  # what GraphStore did on first use before v5
    await db.conn.execute(
        "INSERT INTO task_graphs (id, goal, strategy, created_at, updated_at) "
        "VALUES ('graph_old', 'g', 'abort', 1, 1)"
    )
    await db.conn.execute(
        "INSERT INTO task_nodes (graph_id, node_id, seq, agent, prompt, deps_json) "
        "VALUES ('graph_old', 'a', 0, 'explorer', 'look', '[]')"
    )
    await db.conn.commit()
    await db.close()
    store = await open_store(path)
    try:
        record = await GraphStore(store.db).load("graph_old")
        assert record.graph.goal == "g" and list(record.nodes) == ["a"]
        assert tuple(await store.db.fetchone("PRAGMA user_version")) == (SCHEMA_VERSION,)
    finally:
        await store.close()
