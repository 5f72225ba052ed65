"""``zeph-tui agents list [--json] | show NAME`` (``--workspace DIR`` for both).

``list`` prints every sub-agent definition the workspace sees, after the
override order of :mod:`zeph_tui.core.agents.definition` (one line each, or
one JSON object per line with ``--json``); files that failed to load are
listed on stderr with the reason. ``show`` prints one definition: where it
comes from, its tools mapped onto zeph-tui's (and the ones that match none),
model, mode and the system prompt. Exit codes: 0 done, 2 a user mistake (no such
agent, a workspace that is not a folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``agents`` command and its actions to the CLI's subparsers."""
    agents = sub.add_parser("agents", help="list and show sub-agent definitions")
    actions = agents.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (("list", "every sub-agent"), ("show", "one sub-agent in full")):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--workspace", "-w", default=".", metavar="DIR")
        if name == "list":
            p.add_argument("--json", action="store_true")
        else:
            p.add_argument("name", metavar="NAME")


def _tool_names() -> list[str]:
    from zeph_tui.core.tools import default_tools

    return [t.name for t in default_tools()] + ["load_skill", "repo_map", "ask_user"]


def run(args: argparse.Namespace) -> int:
    """Run ``agents list`` / ``agents show`` (exit codes in the module doc)."""
    from zeph_tui.core.agents.definition import discover_agents
    from zeph_tui.core.config import zeph_home

    workspace = Path(args.workspace).expanduser()
    if not workspace.is_dir():
        print(f"zeph-tui: workspace {workspace} is not a folder", file=sys.stderr)
        return 2
    agents, problems = discover_agents(workspace.resolve(), zeph_home())
    if args.action == "list":
        for problem in problems:
            print(f"zeph-tui: skipped {problem.path}: {problem.reason}", file=sys.stderr)
        for agent in sorted(agents.values(), key=lambda a: a.name):
            if args.json:
                row = {
                    "name": agent.name,
                    "description": agent.description,
                    "source": agent.source,
                    "path": str(agent.path) if agent.path else None,
                    "tools": list(agent.tools),
                    "model": agent.model,
                    "mode": agent.mode,
                }
                print(json.dumps(row, ensure_ascii=False))
            else:
                tools = ", ".join(agent.tools) or "all"
                print(f"{agent.name:<20} {agent.source:<9} [{tools}] {agent.description}")
        return 0
    found = agents.get(args.name)
    if found is None:
        known = ", ".join(sorted(agents)) or "none"
        print(f"zeph-tui: no agent {args.name!r}; known agents: {known}", file=sys.stderr)
        return 2
    agent, names = found, _tool_names()
    unknown = agent.unknown_tools(names)
    print(f"name:        {agent.name}")
    print(f"source:      {agent.source} ({agent.path or 'built in'})")
    print(f"description: {agent.description}")
    print(f"tools:       {', '.join(agent.allowed_tools(names))}")
    if unknown:
        print(f"unavailable: {', '.join(unknown)} (no such zeph-tui tool; ignored)")
    print(f"model:       {agent.model}")
    print(f"mode:        {agent.mode or 'the parent session mode'}")
    print()
    print(agent.prompt)
    return 0
