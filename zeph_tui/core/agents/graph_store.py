"""Task graphs in SQLite: graphs, their nodes, each node's state and result.

Tables (schema v5, :data:`zeph_tui.core.store.db.MIGRATIONS`, in the store's one file)::

    task_graphs(id, goal, strategy, status, parent_session, created_at, updated_at)
    task_nodes(graph_id, node_id, seq, agent, prompt, deps_json, status, attempts,
               result_text, session_id, error, started_at, ended_at)

A node's row is written when it starts (``running``) and when it ends, each in
its own committed transaction, so after a crash (``kill -9``) the rows say
exactly which nodes finished; :meth:`GraphStore.reset_interrupted` turns the
``running`` ones (and failed or skipped ones) back into ``pending`` before a resume.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zeph_tui.core.agents.graph import NodeStatus, TaskGraph, TaskNode, parse_strategy
from zeph_tui.core.errors import UnknownGraph

if TYPE_CHECKING:
    from zeph_tui.core.store.db import Database

__all__ = ["GraphRecord", "GraphStore", "NodeState"]


@dataclass(frozen=True, slots=True)
class NodeState:
    """A node's stored state (``started_at`` / ``ended_at``: Unix seconds)."""

    node_id: str
    status: NodeStatus
    attempts: int = 0
    result_text: str | None = None
    session_id: str | None = None
    error: str | None = None
    started_at: float | None = None
    ended_at: float | None = None


@dataclass(frozen=True, slots=True)
class GraphRecord:
    """A stored graph with its node states (in the graph's node order)."""

    id: str
    graph: TaskGraph
    status: str
    parent_session: str | None
    nodes: dict[str, NodeState]


class GraphStore:
    """Graphs and node states on the store's database.

    Raises (every method): StoreError when SQLite fails.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, graph: TaskGraph, *, parent_session: str | None = None) -> str:
        """Store a new graph with every node ``pending``; return its id (``graph_...``)."""
        graph_id = f"graph_{uuid.uuid4().hex[:12]}"
        now = time.time()
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO task_graphs (id, goal, strategy, status, parent_session, "
                "created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                (graph_id, graph.goal, str(graph.strategy), parent_session, now, now),
            )
            await conn.executemany(
                "INSERT INTO task_nodes (graph_id, node_id, seq, agent, prompt, deps_json) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (graph_id, n.id, i, n.agent, n.prompt, json.dumps(list(n.deps)))
                    for i, n in enumerate(graph.nodes)
                ],
            )
        return graph_id

    async def load(self, graph_id: str) -> GraphRecord:
        """The graph and its node states.

        Raises:
            AgentError: no graph ``graph_id``.
        """
        row = await self.db.fetchone(
            "SELECT goal, strategy, status, parent_session FROM task_graphs WHERE id = ?",
            (graph_id,),
        )
        if row is None:
            raise UnknownGraph(f"no task graph {graph_id!r}")
        rows = await self.db.fetchall(
            "SELECT node_id, agent, prompt, deps_json, status, attempts, result_text, "
            "session_id, error, started_at, ended_at FROM task_nodes WHERE graph_id = ? "
            "ORDER BY seq",
            (graph_id,),
        )
        nodes = [TaskNode(r[0], r[1], r[2], tuple(json.loads(r[3]))) for r in rows]
        graph = TaskGraph(row[0], tuple(nodes), parse_strategy(row[1]))
        states = {r[0]: NodeState(r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows}
        return GraphRecord(graph_id, graph, row[2], row[3], states)

    async def latest(self, *, unfinished: bool = True) -> str | None:
        """The id of the most recent graph (that did not complete, by default), or None."""
        where = "WHERE status NOT IN ('completed')" if unfinished else ""
        row = await self.db.fetchone(
            f"SELECT id FROM task_graphs {where} ORDER BY created_at DESC LIMIT 1"
        )
        return None if row is None else str(row[0])

    async def set_node(self, graph_id: str, node_id: str, **fields: Any) -> None:
        """Update a node's columns (status, attempts, result_text, session_id, error, ...)."""
        allowed = set(NodeState.__slots__) - {"node_id"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown node fields: {sorted(unknown)}")
        columns = ", ".join(f"{k} = ?" for k in fields)
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE task_nodes SET {columns} WHERE graph_id = ? AND node_id = ?",
                (*fields.values(), graph_id, node_id),
            )
            await conn.execute(
                "UPDATE task_graphs SET updated_at = ? WHERE id = ?", (time.time(), graph_id)
            )

    async def set_status(self, graph_id: str, status: str) -> None:
        """Set the graph's status (pending, running, completed, failed, cancelled)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE task_graphs SET status = ?, updated_at = ? WHERE id = ?",
                (status, time.time(), graph_id),
            )

    async def reset_interrupted(self, graph_id: str) -> list[str]:
        """Before a (re)run: nodes that did not complete go back to ``pending``; return their ids.

        Those are the ones a crash left ``running`` and those a previous run
        left ``failed`` or ``skipped``; ``completed`` nodes keep their rows.
        """
        record = await self.load(graph_id)
        stale = [n for n, s in record.nodes.items() if s.status in ("running", "failed", "skipped")]
        for node_id in stale:
            await self.set_node(graph_id, node_id, status="pending", started_at=None)
        return stale
