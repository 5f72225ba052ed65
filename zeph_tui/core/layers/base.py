"""Runtime layers: ordered before/after hooks around model calls and tool dispatch.

Permissions, rate limiting, sanitising, redaction, audit logging and
record/replay are layers added at start-up without touching the turn loop
(DESIGN.md, "Runtime layers"); the production order is built in
:mod:`zeph_tui.core.layers.stack`. Every model call of a session passes
the stack, the turn's requests and the compaction summary alike.

Semantics of :class:`LayerStack` (with layers ``[A, B, C]``):

- ``before_model``: A, B, C, each given the previous one's request.
- ``after_model``: C, B, A, each given the previous one's reply.
- ``stream_model``: between the two, the provider's stream. A layer that
  overrides it gets the (final) request and ``upstream``, the rest of the chain
  (the next such layer, or the provider); it may pass the stream through,
  observe it (recording) or not call ``upstream`` at all and answer from
  elsewhere (replay): that short-circuits the model call. Layers that do not
  override it add nothing; with none the provider's stream is used as is.
- ``before_tool``: A, B, C until one returns a :class:`~zeph_tui.core.tools.base.ToolResult`;
  that short-circuits the call: the tool does not run and the later layers'
  ``before_tool`` hooks are skipped.
- ``after_tool``: always every layer, C, B, A (also after a short-circuit,
  so a layer that refused still sees its refusal; ``invocation.ran`` tells a
  refused call from a dispatched one), each given the previous one's result,
  which it may replace.

An empty stack costs one loop.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zeph_tui.core.events import ToolCall, ToolCallContent
from zeph_tui.core.providers.base import MessageStop, ModelRequest, StreamEvent
from zeph_tui.core.tools.base import Tool, ToolResult

__all__ = ["Layer", "LayerStack", "ModelStream", "ToolInvocation"]

ModelStream = Callable[[ModelRequest], AsyncIterator[StreamEvent]]
"""A model call: request -> stream of events ending in one MessageStop (``Provider.stream``)."""


@dataclass(slots=True)
class ToolInvocation:
    """One tool call on its way to dispatch.

    Attributes:
        call: the announced ToolCall event.
        tool: the resolved tool, None when the model named an unknown one.
        args: parsed and checked arguments.
        session_id: the owning session.
        mode: the session's permission mode at dispatch time.
        ran: set by the dispatcher just before the tool runs; False in
            ``after_tool`` means a layer refused the call (nothing ran).
        preview: what the permission request shows, when an earlier layer
            computed it (the rename plan's diffs); None = the permission
            layer derives it from the arguments.
        rate_category: the rate-limit category the call was admitted in
            (set by the rate-limit layer; None = not admitted or no limiter).
        audit_start_s: ``time.monotonic()`` when the audit layer saw the
            call (seconds; None = no audit layer).
    """

    call: ToolCall
    tool: Tool | None
    args: Mapping[str, Any]
    session_id: str
    mode: str
    ran: bool = False
    preview: tuple[ToolCallContent, ...] | None = None
    rate_category: str | None = None
    audit_start_s: float | None = None


class Layer:
    """Base layer: every hook is a no-op. Subclass and override what you need."""

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        return request

    async def after_model(self, stop: MessageStop) -> MessageStop:
        return stop

    def stream_model(
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncIterator[StreamEvent]:
        """The model call itself: return ``upstream(request)``, wrapped or replaced."""
        return upstream(request)

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        """Return a result to short-circuit the call (e.g. a denial)."""
        return None

    async def after_tool(self, invocation: ToolInvocation, result: ToolResult) -> ToolResult:
        return result


class LayerStack:
    """An ordered stack of layers (semantics in the module docstring)."""

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

    def stream_model(
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncIterator[StreamEvent]:
        """The provider's stream through every layer that overrides ``stream_model``."""
        for layer in reversed(self.layers):
            if type(layer).stream_model is not Layer.stream_model:
                upstream = functools.partial(layer.stream_model, upstream=upstream)
        return upstream(request)

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
