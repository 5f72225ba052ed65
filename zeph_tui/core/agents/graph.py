"""Task graphs: sub-agent jobs with dependencies, validated as a DAG.

A graph is a goal, its nodes (``id``, ``agent``, ``prompt``, ``deps``) and a
failure strategy (:class:`Strategy`). It is what the model proposes for
``/plan GOAL`` (:func:`graph_from_json` reads its JSON) and what
:mod:`.graph_runner` runs. Validation (:func:`validate_nodes`) uses the
standard library's :mod:`graphlib`.

JSON shape (the model's answer, and the store's ``deps_json``)::

    {"strategy": "retry 2",
     "tasks": [{"id": "scan", "agent": "explorer", "prompt": "...", "deps": []},
               {"id": "fix", "agent": "general", "prompt": "...", "deps": ["scan"]}]}
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from zeph_tui.core.errors import AgentError
from zeph_tui.core.text import parse_json_object

__all__ = [
    "MAX_NODES",
    "NodeStatus",
    "Strategy",
    "TaskGraph",
    "TaskNode",
    "graph_from_json",
    "parse_strategy",
    "validate_nodes",
]

MAX_NODES = 50
"""Most nodes one graph may have."""
NodeStatus = Literal["pending", "running", "completed", "failed", "skipped"]
StrategyKind = Literal["abort", "skip", "retry", "ask"]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Strategy:
    """What a graph does when a node fails.

    - ``abort``: fail fast: cancel the running nodes, start no more, the graph fails;
    - ``skip``: the node stays failed, the nodes depending on it (transitively)
      are skipped, every other node still runs;
    - ``retry``: run the node again, up to ``retries`` more times, then abort;
    - ``ask``: ask the person (retry, skip or abort) through the runner's callback.

    Attributes:
        kind: one of the above.
        retries: extra attempts for ``retry`` (0 otherwise).
    """

    kind: StrategyKind = "abort"
    retries: int = 0

    def __str__(self) -> str:
        return f"retry {self.retries}" if self.kind == "retry" else self.kind


def parse_strategy(text: str) -> Strategy:
    """``abort`` | ``skip`` | ``ask`` | ``retry N`` (N >= 1; ``retry`` = ``retry 1``).

    Raises:
        AgentError: anything else.
    """
    words = text.strip().lower().split()
    if words in (["abort"], ["skip"], ["ask"]):
        return Strategy(words[0])  # type: ignore[arg-type]
    if words and words[0] == "retry" and len(words) <= 2:
        count = words[1] if len(words) == 2 else "1"
        if count.isdigit() and int(count) >= 1:
            return Strategy("retry", int(count))
    raise AgentError(f"unknown failure strategy {text!r}; use abort, skip, ask or 'retry N'")


@dataclass(frozen=True, slots=True)
class TaskNode:
    """One job of a graph.

    Attributes:
        id: unique within the graph.
        agent: the sub-agent that runs it.
        prompt: its job; the results of its dependencies are appended when it runs.
        deps: ids of the nodes that must complete first.
    """

    id: str
    agent: str
    prompt: str
    deps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskGraph:
    """A validated graph (build it with :meth:`build`)."""

    goal: str
    nodes: tuple[TaskNode, ...]
    strategy: Strategy = Strategy()

    @classmethod
    def build(
        cls, goal: str, nodes: Sequence[TaskNode], strategy: Strategy | str = "abort"
    ) -> TaskGraph:
        """Validate ``nodes`` (see :func:`validate_nodes`) and make the graph.

        Raises:
            AgentError: invalid nodes or strategy.
        """
        validate_nodes(nodes)
        if isinstance(strategy, str):
            strategy = parse_strategy(strategy)
        return cls(goal, tuple(nodes), strategy)

    def node(self, node_id: str) -> TaskNode:
        return next(n for n in self.nodes if n.id == node_id)

    def dependents(self, node_id: str) -> set[str]:
        """Every node that depends on ``node_id``, directly or not."""
        found: set[str] = set()
        frontier = {node_id}
        while frontier:
            nxt = {n.id for n in self.nodes if set(n.deps) & frontier} - found
            found |= nxt
            frontier = nxt
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "strategy": str(self.strategy),
            "tasks": [
                {"id": n.id, "agent": n.agent, "prompt": n.prompt, "deps": list(n.deps)}
                for n in self.nodes
            ],
        }


def validate_nodes(nodes: Iterable[TaskNode]) -> list[str]:
    """Check ids, dependencies and acyclicity; return the ids in a dependency order.

    Raises:
        AgentError: no nodes, more than :data:`MAX_NODES`, a bad or repeated
            id, a dependency on an unknown node or on itself, or a cycle (named).
    """
    nodes = list(nodes)
    if not nodes:
        raise AgentError("a task graph needs at least one task")
    if len(nodes) > MAX_NODES:
        raise AgentError(f"a task graph has at most {MAX_NODES} tasks, got {len(nodes)}")
    ids = [n.id for n in nodes]
    for node in nodes:
        if not _ID.match(node.id):
            raise AgentError(f"bad task id {node.id!r}: letters, digits, '_', '.', '-'")
        if ids.count(node.id) > 1:
            raise AgentError(f"task id {node.id!r} is used twice")
        for dep in node.deps:
            if dep not in ids:
                raise AgentError(f"task {node.id!r} depends on unknown task {dep!r}")
    sorter = graphlib.TopologicalSorter({n.id: n.deps for n in nodes})
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(str(x) for x in exc.args[1])
        raise AgentError(f"the tasks have a dependency cycle: {cycle}") from exc


def _node(raw: object) -> TaskNode:
    if not isinstance(raw, Mapping):
        raise AgentError("each task must be an object with id, agent, prompt, deps")
    deps = raw.get("deps", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise AgentError(f"task {raw.get('id')!r}: 'deps' must be a list of task ids")
    fields = {k: raw.get(k) for k in ("id", "agent", "prompt")}
    for key, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            raise AgentError(f"task {raw.get('id')!r}: '{key}' must be a non-empty string")
    return TaskNode(str(fields["id"]), str(fields["agent"]), str(fields["prompt"]), tuple(deps))


def graph_from_json(goal: str, text: str, *, default_strategy: str = "abort") -> TaskGraph:
    """Read a graph from JSON text (a fenced ```json block is accepted).

    Raises:
        AgentError: not JSON, the wrong shape, or an invalid graph (see :func:`validate_nodes`).
    """
    match = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    body = match.group(1) if match else text
    try:
        data = parse_json_object(body)
    except ValueError as exc:
        raise AgentError(f"the task graph is not a JSON object: {exc}") from exc
    if not isinstance(data.get("tasks"), list):
        raise AgentError('the task graph must be an object with a "tasks" list')
    strategy = data.get("strategy") or default_strategy
    if not isinstance(strategy, str):
        raise AgentError("'strategy' must be a string")
    return TaskGraph.build(goal, [_node(t) for t in data["tasks"]], strategy)
