"""The model's ``rename_symbol(path, line, column, new_name)`` tool.

A language-server rename with call sites (:mod:`zeph_tui.core.code.rename`):
the result lists the call sites first (grouped by file, with the enclosing
function or class), then the files changed and the diagnostics delta. The
final update's ``raw_output`` also carries them structured (``raw_extras``):
``{"callSites": [CallSite.to_json(), ...], "symbol": old_name, "newName": new_name}``
(every site but the definition; ``kind`` says call, import or reference)
(absolute paths; the dashboard's call-sites pane reads it).

Approval: :class:`RenamePreviewLayer` sits before the permission layer. It
plans the rename when the call arrives and puts the per-file diffs in the
permission request (``ToolInvocation.preview`` and the announced tool
call's ``content``) and the call sites in its ``locations``; the tool then
applies exactly the plan that was approved (a file changed since makes it
fail with nothing written).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import PathOutsideWorkspace, ToolError, ToolInputError
from zeph_tui.core.ports import LocalFS
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    # zeph_tui.core.code.rename pulls in lsp_bridge and lsprotocol: imported where
    # a rename runs, not when the tool is listed (session open path, DESIGN.md).
    from zeph_tui.core.code.intel import LspCodeIntel
    from zeph_tui.core.code.rename import RenamePlan
    from zeph_tui.core.safety.paths import WorkspaceRoots

__all__ = ["RenameSymbol"]

_MAX_PLANS = 16


class RenameSymbol(Tool, name="rename_symbol", kind="edit", read_only=False):
    """``rename_symbol``: rename a symbol everywhere through the language server.

    Args:
        intel: the workspace's code intel; its bridge (and servers) are shared.
    """

    def __init__(self, intel: LspCodeIntel) -> None:
        self.intel = intel
        self._plans: dict[str, RenamePlan] = {}

    def title(self, args: Mapping[str, Any]) -> str:
        where = f"{args.get('path')}:{args.get('line')}:{args.get('column')}"
        return f"Rename {where} to {args.get('new_name')}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        """``None``: a rename may touch any file, so it runs alone and is never "always"."""
        return None

    async def plan(self, args: Mapping[str, Any], roots: WorkspaceRoots) -> RenamePlan:
        """Plan the rename of ``args`` (nothing written).

        Raises:
            ToolError: bad arguments, a path outside the workspace, or the
                server cannot rename there.
        """
        line, column = args.get("line"), args.get("column")
        if not isinstance(line, int) or not isinstance(column, int) or line < 1 or column < 1:
            raise ToolInputError("line and column must be 1-based integers")
        path = roots.resolve_for_write(str(args.get("path", "")))
        from lsp_bridge import LspBridgeError
        from zeph_tui.core.code.rename import RenameError, plan_rename

        try:
            bridge = await self.intel.bridge()
            plan = await plan_rename(bridge, path, line, column, str(args.get("new_name", "")))
        except (RenameError, LspBridgeError) as exc:
            raise ToolError(f"rename_symbol: {exc}") from exc
        for changed in plan.files:
            try:
                roots.resolve_for_write(changed)
            except PathOutsideWorkspace as exc:
                raise ToolError(f"rename_symbol: the rename would edit {changed}: {exc}") from exc
        return plan

    def remember(self, call_id: str, plan: RenamePlan) -> None:
        """Keep the approved plan of ``call_id`` for :meth:`run`."""
        while len(self._plans) >= _MAX_PLANS:
            self._plans.pop(next(iter(self._plans)))
        self._plans[call_id] = plan

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        from zeph_tui.core.code.rename import RenameError, apply_rename, render_call_sites

        plan = self._plans.pop(ctx.tool_call_id, None)
        if plan is None:
            plan = await self.plan(args, ctx.roots)
        writer = None if isinstance(ctx.fs, LocalFS) else ctx.fs.write_text
        bridge = await self.intel.bridge()
        try:
            outcome = await apply_rename(bridge, plan, writer=writer)
        except RenameError as exc:
            raise ToolError(f"rename_symbol: {exc}") from exc
        files = [ctx.roots.display_path(p) for p in outcome.files_changed]
        lines = [render_call_sites(plan), "", f"files changed ({len(files)}): {', '.join(files)}"]
        lines.append(f"diagnostics: {len(outcome.new)} new, {len(outcome.fixed)} fixed")
        lines += [d.render(ctx.workspace) for d in outcome.new[:20]]
        extras = {
            "callSites": [site.to_json() for site in plan.references()],
            "symbol": plan.old_name,
            "newName": plan.new_name,
        }
        return ToolResult(
            "\n".join(lines),
            content=plan.previews(),
            locations=plan.locations(),
            raw_extras=extras,
        )
