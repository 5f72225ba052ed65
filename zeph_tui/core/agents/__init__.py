"""Sub-agents and task graphs: scoped child sessions the model starts, in parallel, resumable.

- :mod:`.definition`: agent definitions (Markdown + YAML front matter, Claude Code's format);
- :mod:`.scope`: the tool scope of a child, a layer of its stack;
- :mod:`.host`: starts, forwards, accounts and cancels child sessions (the ``task`` tool's host);
- :mod:`.graph`, :mod:`.graph_store`, :mod:`.graph_runner`: task graphs (DAGs of sub-agent
  jobs) with failure strategies, persisted in SQLite and resumable.
"""

from __future__ import annotations

from zeph_tui.core.agents.definition import (
    AgentDefinition,
    AgentProblem,
    discover_agents,
    parse_agent,
)
from zeph_tui.core.agents.graph import Strategy, TaskGraph, TaskNode, graph_from_json
from zeph_tui.core.agents.graph_runner import GraphRunner, plan_event, subagent_node_runner
from zeph_tui.core.agents.graph_store import GraphStore
from zeph_tui.core.agents.host import ChildRun, SubAgents
from zeph_tui.core.agents.scope import ScopeLayer

__all__ = [
    "AgentDefinition",
    "AgentProblem",
    "ChildRun",
    "GraphRunner",
    "GraphStore",
    "ScopeLayer",
    "Strategy",
    "SubAgents",
    "TaskGraph",
    "TaskNode",
    "discover_agents",
    "graph_from_json",
    "parse_agent",
    "plan_event",
    "subagent_node_runner",
]
