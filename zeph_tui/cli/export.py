"""``zeph-tui export ID [-o PATH]``: a stored session as Markdown, headless.

The same Markdown as the dashboard's ``/export``
(:func:`zeph_tui.core.session.export.export_markdown`). Without ``-o`` it goes
to stdout; with ``-o PATH`` it is written there and one line on stderr says
so. Exit codes: 0 done, 2 a user mistake (an unknown session id, a path that
cannot be written; one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``export`` command to the CLI's subparsers."""
    export = sub.add_parser("export", help="write a stored session as Markdown")
    export.add_argument("id", metavar="ID", help="the session id (F2 / /sessions lists them)")
    export.add_argument(
        "-o", "--output", metavar="PATH", default=None, help="write to PATH (default: stdout)"
    )


async def _run(args: argparse.Namespace) -> int:
    from zeph_tui.core import db_path, open_store, zeph_home
    from zeph_tui.core.session.export import ExportError, export_markdown

    store = await open_store(db_path(zeph_home()))
    try:
        output = Path(args.output) if args.output else None
        try:
            done = await export_markdown(store.sessions, args.id, output)
        except ExportError as exc:
            print(f"zeph-tui: export: {exc}", file=sys.stderr)
            return 2
    finally:
        await store.close()
    if done.path is None:
        sys.stdout.write(done.text)
    else:
        print(f"zeph-tui: {done.summary(str(done.path))}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``zeph-tui export``; returns the exit code (see module doc)."""
    import asyncio  # not at import: `zeph-tui --version` builds this parser

    return asyncio.run(_run(args))
