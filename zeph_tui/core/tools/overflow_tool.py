"""The ``read_overflow`` tool: page or grep archived tool output.

Its result is a page of the archive: a ``ToolResult`` the session hands to the
model as it is (only ``bash`` archives output, so nothing is archived twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from zeph_tui.core.events import ToolKind
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult
from zeph_tui.core.tools.schema import object_schema, schema_property

__all__ = ["ReadOverflow"]

_DEFAULT_LIMIT = 200
_MAX_LIMIT = 2000


class ReadOverflow(Tool):
    name: ClassVar[str] = "read_overflow"
    description: ClassVar[str] = (
        "Read archived output of an earlier command that was truncated. id is the "
        "overflow_id from the truncation notice. lines are numbered from 1; offset is the number of lines "
        "to skip (0 starts at line 1, 99 at line 100), limit the maximum number of lines (default "
        "200). With grep (a regular expression), returns only matching lines with their line "
        "numbers."
    )
    input_schema: ClassVar[dict[str, Any]] = object_schema(
        {"id": schema_property("string", "overflow_id, e.g. ovf_0123456789ab.")},
        {
            "offset": schema_property("integer", "Lines to skip: 0 starts at line 1."),
            "limit": schema_property("integer", "Maximum lines to return."),
            "grep": schema_property("string", "Regex; return matching lines only."),
        },
    )
    kind: ClassVar[ToolKind] = "read"

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
