"""The tool scope of a sub-agent, as a layer of its session's stack.

A child session is built with its parent's tools; :class:`ScopeLayer`, first
in the child's stack, narrows them to the agent's scope:

- ``before_model``: the request advertises only the tools in scope, so the
  model is not offered what it may not use;
- ``before_tool``: a call to a tool outside the scope is refused (the tool
  does not run, later layers are skipped, see :mod:`zeph_tui.core.layers.base`)
  with an error result naming the scope, which the child's model reads.

The scope is the intersection of the agent's allow-list and the parent's
tools (:meth:`AgentDefinition.allowed_tools`), never the ``task`` tool itself.
The permission layer after it still decides, with the same person, on what
the scope lets through; the call it asks about carries the id the parent's
faces know it by (``<task call id>/<child call id>``, see :mod:`.host`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable

from zeph_tui.core.layers.base import Layer, ToolInvocation
from zeph_tui.core.providers.base import ModelRequest
from zeph_tui.core.tools.base import ToolResult

__all__ = ["ScopeLayer"]


class ScopeLayer(Layer):
    """Limits a session to ``allowed`` tools.

    Args:
        agent: the agent's name (for the refusal text).
        allowed: tool names in scope.
        call_prefix: put before the id and title of the call layers after this
            one see (the permission request), so the parent's faces can match it.

    Attributes:
        refused: names of the calls refused so far, in order.
        first_request_s: ``time.monotonic()`` of the first model request that
            passed this layer (seconds; None before it), for the start-up figure.
    """

    def __init__(self, agent: str, allowed: Iterable[str], call_prefix: str = "") -> None:
        self.agent = agent
        self.call_prefix = call_prefix
        self.allowed = frozenset(allowed)
        self.refused: list[str] = []
        self.first_request_s: float | None = None

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        if self.first_request_s is None:
            self.first_request_s = time.monotonic()
        tools = [t for t in request.tools if t.name in self.allowed]
        return dataclasses.replace(request, tools=tools)

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        call = invocation.call
        name = call.name or ""
        if name in self.allowed:
            if self.call_prefix:
                invocation.call = dataclasses.replace(
                    call,
                    tool_call_id=f"{self.call_prefix}{call.tool_call_id}",
                    title=f"{self.agent}: {call.title}",
                )
            return None
        self.refused.append(name)
        allowed = ", ".join(sorted(self.allowed)) or "none"
        return ToolResult(
            f"refused: {name} is outside the tool scope of sub-agent '{self.agent}' "
            f"(allowed: {allowed}). Use one of those tools, or answer with what you have.",
            is_error=True,
        )
