"""Running a stored task graph: dependencies first, independent nodes at once, resumable.

:meth:`GraphRunner.run` loads a graph from the :class:`~.graph_store.GraphStore`,
turns the nodes a crash left ``running`` back into ``pending``, and starts
every ``pending`` node whose dependencies all ``completed`` (up to
``max_concurrent`` at a time). Nodes already ``completed`` are never run
again: a resume after ``kill -9`` continues where the rows say it stopped.
Each start and end is committed before the next step, and reported through
``on_change`` (the faces' ACP ``plan`` update, :func:`plan_event`).

A node fails when its runner raises a :class:`~zeph_tui.core.errors.ZephError`
(a sub-agent's error result is a :class:`NodeFailed`), ``OSError`` or
``ValueError``; the graph's :class:`~.graph.Strategy` decides what follows.
A resume runs again every node that did not complete (interrupted, failed
or skipped ones). Cancelling :meth:`GraphRunner.run` cancels the running nodes, stores them
``pending`` (they did not finish) and the graph ``cancelled``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from zeph_tui.core.agents.graph import NodeStatus, TaskGraph, TaskNode
from zeph_tui.core.agents.graph_store import GraphRecord, GraphStore, NodeState
from zeph_tui.core.errors import AgentError, ZephError
from zeph_tui.core.events import Plan, PlanEntry

if TYPE_CHECKING:
    from zeph_tui.core.agents.host import SubAgents
    from zeph_tui.core.session.session import Session

__all__ = [
    "GraphRunner",
    "NodeFailed",
    "NodeResult",
    "plan_event",
    "subagent_node_runner",
]

Decision = Literal["retry", "skip", "abort"]
_FAILURES = (ZephError, OSError, ValueError)
INPUT_MAX_CHARS = 4000
"""Characters of each dependency's result handed to a node's prompt."""


class NodeFailed(AgentError):
    """A node's job failed (its sub-agent answered with an error)."""


@dataclass(frozen=True, slots=True)
class NodeResult:
    """What a node produced: its answer and the child session holding its transcript."""

    text: str
    session_id: str | None = None


NodeRunner = Callable[[TaskNode, Mapping[str, str]], Coroutine[Any, Any, NodeResult]]
"""Runs one node given its dependencies' results by node id; raises on failure."""
AskFn = Callable[[TaskNode, str], Awaitable[Decision]]
OnChange = Callable[[TaskGraph, Mapping[str, NodeState]], Awaitable[None]]


@dataclass(slots=True)
class _GraphRun:
    """One run of one graph: its states by node id and its running node tasks."""

    graph_id: str
    graph: TaskGraph
    states: dict[str, NodeState]
    running: dict[asyncio.Task[NodeResult], str] = field(default_factory=dict)


class GraphRunner:
    """Runs graphs of one store (see the module doc).

    Args:
        store: where graphs and node states live.
        run_node: runs one node (:func:`subagent_node_runner` in production).
        max_concurrent: nodes running at once.
        ask: the person's decision for the ``ask`` strategy (None: ``abort``).
        on_change: called after every node state change with all states.
    """

    def __init__(
        self,
        store: GraphStore,
        run_node: NodeRunner,
        *,
        max_concurrent: int = 4,
        ask: AskFn | None = None,
        on_change: OnChange | None = None,
    ) -> None:
        self.store = store
        self.run_node = run_node
        self.max_concurrent = max_concurrent
        self.ask = ask
        self.on_change = on_change

    async def run(self, graph_id: str) -> GraphRecord:
        """Run (or resume) ``graph_id`` to its end; return the final record.

        The graph ends ``completed`` (every node completed), ``failed`` (an
        abort) or ``partial`` (some nodes failed or were skipped under ``skip``).

        Raises:
            AgentError: unknown graph.
            StoreError: SQLite failed.
        """
        await self.store.reset_interrupted(graph_id)
        record = await self.store.load(graph_id)
        run = _GraphRun(graph_id, record.graph, dict(record.nodes))
        await self.store.set_status(graph_id, "running")
        states, running = run.states, run.running
        aborted = False
        try:
            while True:
                await self._skip_blocked(run)
                await self._start_ready(run)
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    node_id = running.pop(task)
                    if await self._finish(run, node_id, task) == "abort":
                        aborted = True
                if aborted:
                    await self._stop(run)
                    break
        except asyncio.CancelledError:
            await asyncio.shield(self._stop(run))
            await asyncio.shield(self.store.set_status(graph_id, "cancelled"))
            raise
        except Exception:  # a runner's bug (not a node failure): no node is left running
            await self._stop(run)
            for state in [s for s in states.values() if s.status == "running"]:
                await self._set(run, replace(state, status="pending"))
            await self.store.set_status(graph_id, "failed")
            raise
        statuses = {s.status for s in states.values()}
        final = "failed" if aborted else "completed" if statuses == {"completed"} else "partial"
        await self.store.set_status(graph_id, final)
        return await self.store.load(graph_id)

    async def _set(self, run: _GraphRun, state: NodeState) -> None:
        run.states[state.node_id] = state
        await self.store.set_node(
            run.graph_id,
            state.node_id,
            status=state.status,
            attempts=state.attempts,
            result_text=state.result_text,
            session_id=state.session_id,
            error=state.error,
            started_at=state.started_at,
            ended_at=state.ended_at,
        )
        if self.on_change is not None:
            await self.on_change(run.graph, dict(run.states))

    async def _skip_blocked(self, run: _GraphRun) -> None:
        """Pending nodes with a failed or skipped dependency are skipped (until none is left)."""
        states = run.states
        changed = True
        while changed:
            changed = False
            for node in run.graph.nodes:
                state = states[node.id]
                blocked = any(states[d].status in ("failed", "skipped") for d in node.deps)
                if state.status == "pending" and blocked:
                    await self._set(run, replace(state, status="skipped"))
                    changed = True

    async def _start_ready(self, run: _GraphRun) -> None:
        states, running = run.states, run.running
        for node in run.graph.nodes:
            if len(running) >= self.max_concurrent:
                return
            state = states[node.id]
            ready = all(states[d].status == "completed" for d in node.deps)
            if state.status != "pending" or not ready or node.id in running.values():
                continue
            started = replace(
                state, status="running", attempts=state.attempts + 1, started_at=time.time()
            )
            await self._set(run, started)
            inputs = {d: states[d].result_text or "" for d in node.deps}
            task = asyncio.create_task(self.run_node(node, inputs), name=f"node-{node.id}")
            running[task] = node.id

    async def _finish(
        self, run: _GraphRun, node_id: str, task: asyncio.Task[NodeResult]
    ) -> Decision | None:
        state, now = run.states[node_id], time.time()
        exc = task.exception()
        if exc is None:
            result = task.result()
            done = replace(
                state,
                status="completed",
                result_text=result.text,
                session_id=result.session_id,
                error=None,
                ended_at=now,
            )
            await self._set(run, done)
            return None
        if not isinstance(exc, _FAILURES):
            raise exc
        error = f"{type(exc).__name__}: {exc}"
        decision = await self._decide(run.graph, run.graph.node(node_id), state, error)
        status: NodeStatus = "pending" if decision == "retry" else "failed"
        await self._set(run, replace(state, status=status, error=error, ended_at=now))
        return decision

    async def _decide(
        self, graph: TaskGraph, node: TaskNode, state: NodeState, error: str
    ) -> Decision:
        strategy = graph.strategy
        if strategy.kind == "retry":
            return "retry" if state.attempts <= strategy.retries else "abort"
        if strategy.kind == "ask":
            return await self.ask(node, error) if self.ask is not None else "abort"
        return strategy.kind  # abort | skip

    async def _stop(self, run: _GraphRun) -> None:
        """Cancel the running nodes and store them ``pending`` (they did not finish)."""
        running = run.running
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for node_id in list(running.values()):
            await self._set(run, replace(run.states[node_id], status="pending", started_at=None))
        running.clear()


_PLAN_STATUS: Mapping[str, Literal["pending", "in_progress", "completed"]] = {
    "pending": "pending",
    "running": "in_progress",
    "completed": "completed",
    "failed": "completed",
    "skipped": "completed",
}


def plan_event(graph: TaskGraph, states: Mapping[str, NodeState]) -> Plan:
    """The graph as an ACP ``plan`` update: one entry per node, in the graph's order.

    ACP plan entries know only pending / in_progress / completed; a failed or
    skipped node is ``completed`` with ``[failed]`` / ``[skipped]`` in its text.
    Entries have no edges either, so each names the nodes it waits for:
    ``"d (worker, after b, c): join the results"``.
    """
    entries = []
    for node in graph.nodes:
        status = states[node.id].status
        tag = f"[{status}] " if status in ("failed", "skipped") else ""
        after = f", after {', '.join(node.deps)}" if node.deps else ""
        text = " ".join(node.prompt.split())[:80]
        content = f"{tag}{node.id} ({node.agent}{after}): {text}"
        entries.append(PlanEntry(content, "medium", _PLAN_STATUS[status]))
    return Plan(tuple(entries))


def subagent_node_runner(host: SubAgents, parent: Session) -> NodeRunner:
    """Run each node as a sub-agent of ``parent``; its dependencies' results end its prompt.

    The child's events reach the parent's faces (as tool calls ``graph_<node>_<n>/<id>``).
    """

    async def run(node: TaskNode, inputs: Mapping[str, str]) -> NodeResult:
        prompt = node.prompt
        if inputs:
            parts = [f"## {dep}\n{text[:INPUT_MAX_CHARS]}" for dep, text in inputs.items()]
            prompt += "\n\nResults of the tasks this one depends on:\n\n" + "\n\n".join(parts)
        ctx = parent.tool_context(f"graph_{node.id}_{uuid.uuid4().hex[:6]}")
        result = await host.run(node.agent, prompt, ctx)
        if result.is_error:
            raise NodeFailed(result.text)
        session_id = result.raw_extras.get("subagent", {}).get("sessionId")
        return NodeResult(result.text, session_id)

    return run
