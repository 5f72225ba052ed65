"""The ``read_overflow`` tool: page or grep archived tool output.

Its result is a page of the archive: a ``ToolResult`` the session hands to the
model as it is (only ``bash`` archives output, so nothing is archived twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["ReadOverflow"]

_DEFAULT_LIMIT = 200
_MAX_LIMIT = 2000


class ReadOverflow(Tool, name="read_overflow", kind="read"):
    def title(self, args: Mapping[str, Any]) -> str:
        return f"Read overflow {args.get('id', '?')}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        limit = min(int(args.get("limit") or _DEFAULT_LIMIT), _MAX_LIMIT)
        page = await ctx.archive.read(
            args["id"], offset=int(args.get("offset") or 0), limit=limit, grep=args.get("grep")
        )
        return ToolResult(page.render())
