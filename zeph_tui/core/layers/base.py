"""Runtime layers: ordered before/after hooks around model calls and tool dispatch.

Permissions, rate limiting, sanitising, redaction, audit logging and
record/replay are layers added at start-up without touching the turn loop
(DESIGN.md, "Runtime layers"). ``before_*`` hooks run in order and may
modify the request or short-circuit a tool call by returning a result;
``after_*`` hooks run in reverse order. An empty stack costs one loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zeph_tui.core.events import ToolCall
from zeph_tui.core.providers.base import MessageStop, ModelRequest
from zeph_tui.core.tools.base import Tool, ToolResult

__all__ = ["Layer", "LayerStack", "ToolInvocation"]


@dataclass(slots=True)
class ToolInvocation:
    """One tool call on its way to dispatch.

    Attributes:
        call: the announced ToolCall event.
        tool: the resolved tool, None when the model named an unknown one.
        args: parsed and checked arguments.
        session_id: the owning session.
        mode: the session's permission mode at dispatch time.
    """

    call: ToolCall
    tool: Tool | None
    args: Mapping[str, Any]
    session_id: str
    mode: str
    notes: dict[str, Any] = field(default_factory=dict)


class Layer:
    """Base layer: every hook is a no-op. Subclass and override what you need."""

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        return request

    async def after_model(self, stop: MessageStop) -> MessageStop:
        return stop

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        """Return a result to short-circuit the call (e.g. a denial)."""
        return None

    async def after_tool(self, invocation: ToolInvocation, result: ToolResult) -> ToolResult:
        return result


class LayerStack:
    """An ordered stack of layers."""

    def __init__(self, layers: Sequence[Layer] = ()) -> None:
        self.layers: list[Layer] = list(layers)

    def add(self, layer: Layer) -> None:
        self.layers.append(layer)

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        for layer in self.layers:
            request = await layer.before_model(request)
        return request

    async def after_model(self, stop: MessageStop) -> MessageStop:
        for layer in reversed(self.layers):
            stop = await layer.after_model(stop)
        return stop

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        for layer in self.layers:
            result = await layer.before_tool(invocation)
            if result is not None:
                return result
        return None

    async def after_tool(self, invocation: ToolInvocation, result: ToolResult) -> ToolResult:
        for layer in reversed(self.layers):
            result = await layer.after_tool(invocation, result)
        return result
