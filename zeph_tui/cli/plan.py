"""``zeph-tui plan GOAL`` / ``zeph-tui plan --resume [ID]``: a task graph of sub-agents, headless.

``plan GOAL`` asks the model to split the goal into tasks for the sub-agents
(:func:`zeph_tui.core.agents.planner.plan_goal`) and runs the graph
(dependencies first, independent tasks in parallel); ``--resume`` continues
the latest unfinished graph (or graph ``ID``) without redoing a completed task.
Text mode prints the graph's node states as they change; ``--json`` prints each
event as one JSON object per line (ACP ``session/update`` payloads: the
``plan`` updates, the sub-agents' tool calls), then ``{"graph": ID, "status": S}``.
Exit codes: 0 the graph completed, 1 it did not (failed, partial) or the model's
plan was invalid (one line on stderr), 2 a user's mistake (nothing to resume, no
graph ``ID``), 130 interrupted.
Approval as in ``zeph-tui run`` (``--yes`` approves every tool call).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeph_tui.core.events import Event

__all__ = ["add_parser", "run"]

_MARKS = {"pending": "☐", "in_progress": "◐", "completed": "☑"}


def add_parser(sub: argparse._SubParsersAction[Any], common: Any) -> None:
    """Add the ``plan`` command; ``common`` adds --workspace/--provider/--model/--yes."""
    plan = sub.add_parser("plan", help="split a goal into sub-agent tasks and run them")
    common(plan)
    plan.add_argument("--json", action="store_true", help="one JSON event per line")
    plan.add_argument("--resume", nargs="?", const="", default=None, metavar="ID")
    plan.add_argument("goal", nargs="*", metavar="GOAL")
    plan.set_defaults(usage_problem=usage_problem)


def usage_problem(args: argparse.Namespace) -> str | None:
    """The one-line mistake in ``args`` (no goal and no ``--resume``), else None.

    Checked by the CLI before the settings and the database are opened, so a
    mistake exits 2 before any store work or thread starts.
    """
    if args.resume is None and not " ".join(args.goal).strip():
        return "give a goal: zeph-tui plan GOAL (or --resume)"
    return None


class _Printer:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    async def __call__(self, event: Event) -> None:
        from zeph_tui.core.events import Plan

        if self.as_json:
            sys.stdout.write(json.dumps(event.to_acp(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif isinstance(event, Plan):
            lines = [f"  {_MARKS[e.status]} {e.content}" for e in event.entries]
            print("\n".join(lines), file=sys.stderr)


async def _main(args: argparse.Namespace) -> int:
    from zeph_tui.cli.run import open_headless
    from zeph_tui.core import Runtime
    from zeph_tui.core.agents.planner import graph_summary, plan_goal, resume_graph, run_graph
    from zeph_tui.core.errors import AgentError, UnknownGraph

    goal = " ".join(args.goal).strip()
    problem = usage_problem(args)
    if problem is not None:  # main() checks it first; kept for callers of run()
        print(f"zeph-tui: {problem}", file=sys.stderr)
        return 2
    runtime = await Runtime.start(provider=args.provider, model=args.model)
    try:
        session = await open_headless(
            runtime,
            args.workspace,
            _Printer(args.json),
            "bypass" if args.yes else None,
            json_lines=args.json,
        )
        try:
            if args.resume is not None:
                record = await resume_graph(session, args.resume or None)
            else:
                record = await run_graph(session, await plan_goal(session, goal))
        except AgentError as exc:
            print(f"zeph-tui: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, UnknownGraph) else 1
        finally:
            await session.provider.aclose()
        if args.json:
            print(json.dumps({"graph": record.id, "status": record.status}), flush=True)
        else:
            print(graph_summary(record))
        return 0 if record.status == "completed" else 1
    finally:
        await runtime.aclose()


def run(args: argparse.Namespace) -> int:
    """Run ``zeph-tui plan`` (exit codes in the module doc)."""
    from zeph_tui.cli.run import run_in_workspace

    return run_in_workspace(args, _main)
