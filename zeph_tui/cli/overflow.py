"""``zeph-tui overflow list | show ID [--offset N --limit N --grep RE]``.

Exit codes: 0 done, 1 the archive could not be read, 2 a user's mistake (an id
that is not ``ovf_`` + 12 hex digits, or that no archive has).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

__all__ = ["run"]


async def _run(args: argparse.Namespace) -> int:
    from zeph_tui.core import ZephError, db_path, open_store, zeph_home
    from zeph_tui.core.errors import NotFound, ToolInputError

    store = await open_store(db_path(zeph_home()))
    try:
        if args.action == "list":
            for info in await store.archive.list(limit=args.limit):
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created_at))
                state = "" if info.complete else " (incomplete)"
                print(
                    f"{info.id}  {when}  {info.total_bytes:>12} bytes  "
                    f"{info.total_lines:>9} lines  {info.tool_call_id}{state}"
                )
            return 0
        try:
            page = await store.archive.read(
                args.id, offset=args.offset, limit=args.limit, grep=args.grep
            )
        except ZephError as exc:
            print(f"zeph-tui: {exc}", file=sys.stderr)
            return 2 if isinstance(exc, NotFound | ToolInputError) else 1
        print(page.render())
        return 0
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
