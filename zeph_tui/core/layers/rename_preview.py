"""The rename preview layer: plan ``rename_symbol`` before the person is asked.

It runs before :class:`~zeph_tui.core.layers.permission.PermissionLayer` so the
permission request carries the per-file diffs and the call sites
(:mod:`zeph_tui.core.tools.rename_tool`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from zeph_tui.core.errors import ToolError
from zeph_tui.core.events import TextContent
from zeph_tui.core.layers.base import Layer, ToolInvocation
from zeph_tui.core.tools.base import ToolResult
from zeph_tui.core.tools.rename_tool import RenameSymbol

if TYPE_CHECKING:
    from zeph_tui.core.safety.paths import WorkspaceRoots

__all__ = ["RenamePreviewLayer"]


class RenamePreviewLayer(Layer):
    """Plans ``rename_symbol`` calls before the permission layer so it can show the diff.

    Put it before :class:`~zeph_tui.core.layers.permission.PermissionLayer`. A plan
    that fails short-circuits the call with the error (nothing is asked).
    """

    def __init__(self, roots: WorkspaceRoots) -> None:
        self.roots = roots

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        tool = invocation.tool
        if not isinstance(tool, RenameSymbol):
            return None
        try:
            plan = await tool.plan(invocation.args, self.roots)
        except ToolError as exc:
            return ToolResult(str(exc), is_error=True)
        from zeph_tui.core.code.rename import render_call_sites  # lsp_bridge: not on the open path

        tool.remember(invocation.call.tool_call_id, plan)
        previews = plan.previews()
        invocation.preview = previews
        invocation.call = dataclasses.replace(
            invocation.call,
            content=(TextContent(render_call_sites(plan)), *previews),
            locations=plan.locations(),
        )
        return None
