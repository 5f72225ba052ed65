"""``zeph-tui memory list | search QUERY | show ID | forget ID``.

``list`` and ``search`` show the memories visible in ``--workspace`` (its
project memories and the user's), or every memory with ``--all``; ``--json``
prints one JSON object per memory. ``search`` is the ``recall`` tool's search
(:meth:`~zeph_tui.core.memory.MemoryStore.recall`): the hits, then the
memories related to them through shared entities, marked with hop and names
(in JSON ``"related": {"hop": 1, "via": [...]}``). Exit codes: 0 done, 2 a user
mistake (no such memory id, an id that is not a number, a workspace that is not
a folder, a database that cannot be opened).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeph_tui.core.memory import Memory, MemoryStore

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``memory`` command and its actions to the CLI's subparsers."""
    from zeph_tui.cli import add_actions

    actions = add_actions(
        sub,
        "memory",
        "list, search, show and forget long-term memories",
        {
            "list": "recent memories",
            "search": "rank memories for a query",
            "show": "print one memory",
            "forget": "delete one memory",
        },
    )
    for name in ("list", "search"):
        actions[name].add_argument("--workspace", "-w", default=".", metavar="DIR")
        actions[name].add_argument("--all", action="store_true", help="every project's memories")
        actions[name].add_argument("--json", action="store_true")
        actions[name].add_argument("--limit", type=int, default=20)
    actions["search"].add_argument("query", metavar="QUERY")
    for name in ("show", "forget"):
        actions[name].add_argument("id", metavar="ID")


def _json(memory: Memory, **extra: Any) -> str:
    return json.dumps({**memory.to_json(), **extra}, ensure_ascii=False)


async def _act(args: argparse.Namespace, store: MemoryStore) -> int:
    from zeph_tui.core.memory.command import memory_line, recall_lines

    if args.action in ("list", "search"):
        project = None if args.all else str(args.workspace)
        if args.action == "list":
            found = await store.list(project=project, limit=args.limit)
            lines = [_json(m) if args.json else memory_line(m) for m in found]
        else:
            recalled = await store.recall(args.query, project=project, limit=args.limit)
            lines = recall_lines(recalled) if not args.json else [_json(m) for m in recalled.hits]
            if args.json:
                lines += [
                    _json(r.memory, related={"hop": r.hop, "via": list(r.via)})
                    for r in recalled.related
                ]
        for line in lines:
            print(line)
        return 0
    memory_id = int(args.id)
    if args.action == "show":
        memory = await store.get(memory_id)
        print(json.dumps(memory.to_json(), ensure_ascii=False, indent=2))
        return 0
    from zeph_tui.core.memory.command import forgot_line

    print(forgot_line(await store.forget(memory_id)))
    return 0


async def _run(args: argparse.Namespace) -> int:
    from zeph_tui.core import ZephError, db_path, open_store, zeph_home
    from zeph_tui.core.memory import MemoryStore, UnknownMemory

    try:
        store = await open_store(db_path(zeph_home()))
    except ZephError as exc:
        print(f"zeph-tui: {exc}", file=sys.stderr)
        return 2
    try:
        return await _act(args, MemoryStore(store.db))
    except UnknownMemory as exc:
        print(f"zeph-tui: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    """Run ``zeph-tui memory``; returns the exit code (see module doc)."""
    if getattr(args, "id", None) is not None and not str(args.id).isdigit():
        print(f"zeph-tui: memory id must be a number, not {args.id!r}", file=sys.stderr)
        return 2
    workspace = getattr(args, "workspace", None)
    if workspace is not None:
        args.workspace = Path(workspace).resolve()
        if not args.workspace.is_dir():
            print(f"zeph-tui: workspace {workspace} is not a directory", file=sys.stderr)
            return 2
    import asyncio  # not at import: `zeph-tui --version` builds this parser

    return asyncio.run(_run(args))
