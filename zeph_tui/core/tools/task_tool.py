"""``task(agent, prompt, description?)``: hand a self-contained job to a sub-agent.

The call runs a child session (its own context window, history and tool
scope) through a :class:`SubAgentRunner` (implemented by
:class:`zeph_tui.core.agents.host.SubAgents`) and returns the child's final
answer. Several ``task`` calls in one reply run concurrently: the tool is
``read_only`` for the dispatcher's batching (:mod:`zeph_tui.core.session.dispatch`),
because what it does to files is done by the child's own tools, each through
the child's own dispatcher and permission layer.

ACP: kind ``think``, like Claude Code's ``Task`` over ACP; its content streams
the child's progress, its ``rawOutput.subagent`` carries the transcript id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from zeph_tui.core.providers.base import ToolSpec
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["SubAgentRunner", "TaskTool"]


class SubAgentRunner(Protocol):
    """What the ``task`` tool needs from the sub-agent host."""

    def catalog(self) -> Sequence[tuple[str, str]]:
        """``(name, description)`` of every agent the model may start."""
        ...

    async def run(self, agent: str, prompt: str, ctx: ToolContext) -> ToolResult:
        """Run ``agent`` on ``prompt`` as a child of the calling session.

        Raises:
            ToolError: unknown agent, or the child failed (message for the model).
        """
        ...


class TaskTool(Tool, name="task", kind="think", read_only=True):
    """The model's way to start a sub-agent (see the module doc)."""

    def __init__(self, runner: SubAgentRunner) -> None:
        self.runner = runner

    def spec(self) -> ToolSpec:
        """The contract, with the available agents listed in the description."""
        lines = [f"- {name}: {desc}" for name, desc in self.runner.catalog()]
        text = self.description + "\n\nAvailable agents:\n" + ("\n".join(lines) or "(none)")
        return ToolSpec(self.name, text, self.input_schema)

    def title(self, args: Mapping[str, Any]) -> str:
        summary = args.get("description") or str(args.get("prompt", ""))[:50]
        return f"Task {args.get('agent', '?')}: {summary}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        return await self.runner.run(str(args["agent"]), str(args["prompt"]), ctx)
