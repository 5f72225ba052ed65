"""Subprocess of the kill -9 test: runs a stored graph with real sub-agents; node ``d`` hangs.

``python -m tests.core.agents.graph_worker GRAPH_ID WORKSPACE`` (``ZEPH_HOME`` set by the
test) opens the runtime and a session on the fake Messages API (in this process), then runs
the graph; each node's answer is ``result X``, except node ``d``, whose reply never comes.
Every state change is printed as one JSON line ``{node: status}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.core.agents.helpers import node_of
from tests.turns import scripted_session
from zeph_tui.core.agents.graph import TaskGraph
from zeph_tui.core.agents.graph_runner import GraphRunner, subagent_node_runner
from zeph_tui.core.agents.graph_store import GraphStore, NodeState
from zeph_tui.core.runtime import Runtime

HANG_MS = 3_600_000


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    node = node_of(body)
    reply: dict[str, Any] = {"blocks": [{"type": "text", "text": f"result {node}"}]}
    if node == "d":
        reply["delay_ms"] = HANG_MS
    return reply


async def main(graph_id: str, workspace: Path) -> None:
    runtime = await Runtime.start()
    async with scripted_session(runtime, workspace, script, warm=False) as (session, _fake):
        host = session.tools["task"].runner  # type: ignore[attr-defined]

        async def on_change(graph: TaskGraph, states: Mapping[str, NodeState]) -> None:
            print(json.dumps({n: s.status for n, s in states.items()}), flush=True)

        store = GraphStore(runtime.store.db)
        await GraphRunner(store, subagent_node_runner(host, session), on_change=on_change).run(
            graph_id
        )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
