"""Goal decomposition and graph runs for one session (``/plan GOAL``, ``/plan resume``).

:func:`plan_goal` asks the session's model (one call outside the
conversation, through :meth:`Session.complete`: the layer stack and the
session's accounting) to split a goal into tasks for the available
sub-agents, as JSON (:func:`~.graph.graph_from_json`), validated as a DAG and
checked against the agents that exist. :func:`run_graph` stores and runs it
with sub-agents of the session (:func:`~.graph_runner.subagent_node_runner`),
sending the node states to the faces as ACP ``plan`` updates;
:func:`resume_graph` continues the latest unfinished graph.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from zeph_tui.core.agents.graph import Strategy, TaskGraph, graph_from_json
from zeph_tui.core.agents.graph_runner import GraphRunner, plan_event, subagent_node_runner
from zeph_tui.core.agents.graph_store import GraphRecord, GraphStore
from zeph_tui.core.errors import AgentError, UnknownGraph
from zeph_tui.core.providers.base import Message, ModelRequest, TextPart

if TYPE_CHECKING:
    from collections.abc import Mapping

    from zeph_tui.core.agents.graph_store import NodeState
    from zeph_tui.core.agents.host import SubAgents
    from zeph_tui.core.session.session import Session

__all__ = [
    "PLANNER_PROMPT",
    "PLAN_USAGE",
    "graph_summary",
    "host_of",
    "plan_command",
    "plan_goal",
    "resume_graph",
    "run_graph",
]

PLAN_USAGE = "Usage: /plan GOAL | /plan resume [ID]"

PLANNER_PROMPT = """\
You split a software goal into tasks for sub-agents. Answer with JSON only:
{"strategy": "abort" | "skip" | "retry N", "tasks": [
  {"id": "short-id", "agent": "<one of the agents below>", "prompt": "<complete job>",
   "deps": ["ids of tasks whose results this task needs"]}]}
Each prompt must be self-contained (the sub-agent sees nothing else, except the results of its
deps). Make independent tasks independent, so they run in parallel. At most 12 tasks.

Agents:
"""
PLAN_MAX_TOKENS = 4096


def host_of(session: Session) -> SubAgents:
    """The sub-agent host of ``session`` (its ``task`` tool's runner).

    Raises:
        AgentError: the session has no ``task`` tool.
    """
    from zeph_tui.core.agents.host import SubAgents

    runner = getattr(session.tools.get("task"), "runner", None)
    if not isinstance(runner, SubAgents):
        raise AgentError("this session has no sub-agents (no task tool)")
    return runner


async def plan_goal(session: Session, goal: str) -> TaskGraph:
    """Ask the model for a task graph reaching ``goal``.

    Raises:
        AgentError: empty goal, an invalid graph, or an agent that does not exist.
        ProviderError: the model call failed.
    """
    if not goal.strip():
        raise AgentError("give a goal: /plan GOAL")
    host = host_of(session)
    catalog = "\n".join(f"- {name}: {desc}" for name, desc in host.catalog())
    request = ModelRequest(
        system=PLANNER_PROMPT + catalog,
        messages=[Message("user", [TextPart(goal)])],
        max_tokens=min(session.options.max_tokens, PLAN_MAX_TOKENS),
    )
    stop = await session.complete(request)
    text = "".join(p.text for p in stop.parts if isinstance(p, TextPart))
    graph = graph_from_json(goal.strip(), text)
    known = set(host.agents())
    unknown = sorted({n.agent for n in graph.nodes} - known)
    if unknown:
        raise AgentError(f"the plan names unknown agents: {', '.join(unknown)}")
    return graph


def _runner(session: Session, store: GraphStore, strategy: Strategy | None = None) -> GraphRunner:
    async def on_change(graph: TaskGraph, states: Mapping[str, NodeState]) -> None:
        await session.sink(plan_event(graph, states))

    host = host_of(session)
    return GraphRunner(
        store,
        subagent_node_runner(host, session),
        max_concurrent=host.max_concurrent,
        on_change=on_change,
    )


async def run_graph(session: Session, graph: TaskGraph) -> GraphRecord:
    """Store ``graph`` for ``session`` and run it to its end (see :class:`GraphRunner`)."""
    store = GraphStore(session.store.db)
    graph_id = await store.create(graph, parent_session=session.id)
    return await _runner(session, store).run(graph_id)


async def resume_graph(session: Session, graph_id: str | None = None) -> GraphRecord:
    """Continue ``graph_id`` (default: the latest unfinished graph); finished nodes are kept.

    Raises:
        UnknownGraph: no such graph, or nothing to resume.
        AgentError: the graph cannot run.
    """
    store = GraphStore(session.store.db)
    graph_id = graph_id or await store.latest()
    if graph_id is None:
        raise UnknownGraph("no unfinished task graph to resume")
    return await _runner(session, store).run(graph_id)


def graph_summary(record: GraphRecord) -> str:
    """``graph ID: STATUS (DONE/N tasks)``, the one line every face ends a graph run with."""
    done = sum(s.status == "completed" for s in record.nodes.values())
    return f"graph {record.id}: {record.status} ({done}/{len(record.nodes)} tasks)"


def _resume_target(words: list[str]) -> tuple[bool, str | None]:
    """``(is_resume, graph id)``: ``resume`` alone or followed by a ``graph_`` id."""
    if words[:1] != ["resume"] or len(words) > 2:
        return False, None
    if len(words) == 2 and not words[1].startswith("graph_"):
        return False, None  # "/plan resume the work": a goal
    return True, words[1] if len(words) == 2 else None


async def plan_command(session: Session, argument: str) -> str:
    """``/plan GOAL`` or ``/plan resume [ID]`` for ``session``; returns the reply text.

    The graph's node states reach the faces as ACP ``plan`` updates while it
    runs. The run is a job of the session (:attr:`Session.jobs`): the face's
    cancel (Esc, ``session/cancel``) cancels it and every running child; the
    graph is stored ``cancelled`` and ``/plan resume`` continues it.

    Raises:
        AgentError: empty argument (the usage line), an invalid plan, nothing to resume.
        ProviderError: the planning call failed.
    """
    words = argument.split()
    if not words:
        raise AgentError(PLAN_USAGE)
    resume, graph_id = _resume_target(words)

    async def job() -> GraphRecord:
        if resume:
            return await resume_graph(session, graph_id)
        return await run_graph(session, await plan_goal(session, argument))

    task = asyncio.create_task(job(), name=f"plan-{session.id}")
    session.jobs.add(task)
    try:
        record = await asyncio.shield(task)
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if not task.cancelled() or (current is not None and current.cancelling()):
            task.cancel()  # our caller was cancelled: stop the graph too
            with contextlib.suppress(BaseException):
                await task
            raise
        latest = await GraphStore(session.store.db).latest()
        named = f" (graph {latest})" if latest else ""
        return f"Plan cancelled{named}; /plan resume continues it."
    finally:
        session.jobs.discard(task)
    return graph_summary(record)
