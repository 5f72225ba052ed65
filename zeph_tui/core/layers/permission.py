"""The permission layer: policy decision, then the person, for every tool call.

Order: workspace confinement (even in bypass mode) -> the
:class:`~zeph_tui.core.safety.policy.PermissionPolicy` (rules, mode,
destructive commands) -> on ``ask``, the face's :class:`~zeph_tui.core.ports.Approver`.
"Always" answers are remembered in the session's policy, scoped to this tool
on this path or to this command prefix, never to everything.
"""

from __future__ import annotations

import logging
from pathlib import Path

from zeph_tui.core.errors import PathOutsideWorkspace, ToolInputError
from zeph_tui.core.events import DiffContent, TextContent, ToolCallContent
from zeph_tui.core.layers.base import Layer, ToolInvocation
from zeph_tui.core.ports import Approver, PermissionRequest
from zeph_tui.core.safety.commands import command_prefix
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.safety.policy import PermissionPolicy
from zeph_tui.core.tools.base import ToolResult

__all__ = ["PermissionLayer"]

log = logging.getLogger(__name__)


class PermissionLayer(Layer):
    """Gates tool dispatch; denials become error results the model reads.

    Args:
        policy: the session's policy (its mode follows the session's mode).
        approver: asks the person when the policy says ``ask``.
        roots: confinement, checked before anything is asked.
    """

    def __init__(self, policy: PermissionPolicy, approver: Approver, roots: WorkspaceRoots) -> None:
        self.policy = policy
        self.approver = approver
        self.roots = roots

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        tool = invocation.tool
        if tool is None:
            return None
        self.policy.set_mode(invocation.mode)
        raw_path = tool.target_path(invocation.args)
        rel_path: str | None = None
        resolved: Path | None = None
        if raw_path is not None:
            try:
                resolved = (
                    self.roots.resolve_for_read(raw_path)
                    if tool.read_only
                    else self.roots.resolve_for_write(raw_path)
                )
            except (PathOutsideWorkspace, ToolInputError) as exc:
                return ToolResult(str(exc), is_error=True)
            rel_path = self.roots.display_path(resolved)
        command = tool.target_command(invocation.args)
        decision = self.policy.decide(tool.name, tool.kind, path=rel_path, command=command)
        if decision.action == "allow":
            return None
        if decision.action == "deny":
            return ToolResult(f"permission denied: {decision.reason}", is_error=True)
        prefix = command_prefix(command) if command else None
        scope = (
            f"{tool.name}: commands starting with '{prefix}'"
            if prefix
            else f"{tool.name} on {rel_path}"
            if rel_path
            else ""
        )
        request = PermissionRequest(
            tool_call=invocation.call,
            tool_name=tool.name,
            reason=decision.reason,
            preview=_preview(invocation, resolved, command),
            scope=scope,
        )
        outcome = await self.approver.request_permission(request)
        if outcome in ("allow_once", "allow_always"):
            if outcome == "allow_always" and (rel_path or prefix):
                try:
                    self.policy.remember_always(
                        tool.name, path=None if prefix else rel_path, command_prefix=prefix
                    )
                except ToolInputError as exc:  # e.g. a compound command has no plain prefix
                    log.info("not remembering 'always': %s", exc)
            return None
        if outcome == "reject_always":
            self.policy.remember_reject_always(
                tool.name, path=None if prefix else rel_path, command_prefix=prefix
            )
        verdict = "cancelled" if outcome == "cancelled" else "rejected"
        return ToolResult(
            f"permission {verdict}: the user did not approve {invocation.call.title} "
            f"({decision.reason}). Do not retry the same call; ask the user or try another way.",
            is_error=True,
        )


def _preview(
    invocation: ToolInvocation, resolved: Path | None, command: str | None
) -> tuple[ToolCallContent, ...]:
    if invocation.preview is not None:  # computed by an earlier layer (e.g. a rename plan)
        return invocation.preview
    args = invocation.args
    if command is not None:
        return (TextContent(f"$ {command}"),)
    if resolved is None:
        return ()
    try:
        old = resolved.read_text(encoding="utf-8") if resolved.is_file() else None
    except (OSError, UnicodeDecodeError):
        old = None
    if "content" in args and isinstance(args["content"], str):
        return (DiffContent(str(resolved), old, args["content"]),)
    if old is not None and isinstance(args.get("old_string"), str):
        new = (
            old.replace(args["old_string"], args.get("new_string", ""))
            if args.get("replace_all")
            else old.replace(args["old_string"], args.get("new_string", ""), 1)
        )
        return (DiffContent(str(resolved), old, new),)
    return ()
