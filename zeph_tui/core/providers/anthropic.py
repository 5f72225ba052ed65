"""Anthropic Messages API provider on the official ``anthropic`` SDK.

Streams ``POST /v1/messages`` (Messages API, streaming + tool use + extended
thinking + prompt caching) and turns the raw SSE events into our
:data:`~zeph_tui.core.providers.base.StreamEvent` items. The SDK reads
``ANTHROPIC_API_KEY`` and ``ANTHROPIC_BASE_URL`` itself; explicit arguments
win. Retries of 408/409/429/5xx and connection errors are left to the SDK
(``max_retries``); pass ``max_retries=0`` to fail fast (tests do).

The SDK is imported lazily (see :mod:`.lazy`): constructing the provider
imports nothing heavy; :meth:`AnthropicProvider.warm` (started by the runtime
after the session answered) or the first :meth:`AnthropicProvider.stream`
imports it in a worker thread and builds the client. It is imported lean
(:func:`sdk`): the real SDK, with only the modules a streamed
``messages.create`` uses (about a third of them, a quarter of the memory).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.base import (
    ImagePart,
    Message,
    MessageStop,
    ModelRequest,
    Part,
    ProviderStopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolUse,
    ToolUsePart,
    Usage,
    parse_tool_input,
)
from zeph_tui.core.providers.lazy import LazyResource
from zeph_tui.core.providers.pricing import cost_usd

if TYPE_CHECKING:
    import anthropic

__all__ = ["DEFAULT_MODEL", "AnthropicProvider", "sdk", "to_api_messages"]

DEFAULT_MODEL = "claude-sonnet-4-6"
_EPHEMERAL = {"type": "ephemeral"}
_STOP_REASONS: dict[str, ProviderStopReason] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "refusal": "refusal",
    "stop_sequence": "stop_sequence",
    "pause_turn": "end_turn",
    "model_context_window_exceeded": "max_tokens",
}


def sdk() -> ModuleType:
    """The ``anthropic`` package, imported lean (:mod:`.lean_import`) unless already imported.

    Its ``AsyncAnthropic``, ``APIStatusError`` and ``APIError`` are resolved
    (and ``ANTHROPIC_LOG`` is honoured as the SDK's own ``__init__`` does).
    Blocking (the import): call it in a worker thread.

    Raises:
        ImportError: the SDK is not installed (or cannot be imported).
    """
    from zeph_tui.core.providers.lean_import import import_lean

    module = import_lean(
        "anthropic", ("AsyncAnthropic", "APIStatusError", "APIError"), eager=("_vendor",)
    )
    if "_setup_logging" not in vars(module):  # loaded lean: the __init__ did not run it
        module._setup_logging()
    return module


def _part_to_api(part: Part) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, ImagePart):
        source = {"type": "base64", "media_type": part.media_type, "data": part.data}
        return {"type": "image", "source": source}
    if isinstance(part, ThinkingPart):
        return {"type": "thinking", "thinking": part.text, "signature": part.signature}
    if isinstance(part, ToolUsePart):
        return {"type": "tool_use", "id": part.id, "name": part.name, "input": part.input}
    return {
        "type": "tool_result",
        "tool_use_id": part.tool_use_id,
        "content": part.content,
        "is_error": part.is_error,
    }


def to_api_messages(messages: list[Message]) -> list[dict[str, Any]]:
    """Our messages as Messages API ``messages`` (empty text parts dropped)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        blocks = [b for b in map(_part_to_api, message.parts) if b is not None]
        if blocks:
            out.append({"role": message.role, "content": blocks})
    return out


def _request_kwargs(model: str, request: ModelRequest) -> dict[str, Any]:
    """Keyword arguments of ``messages.create`` with cache breakpoints set."""
    kwargs: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_tokens,
        "messages": to_api_messages(request.messages),
    }
    if request.system:
        kwargs["system"] = [{"type": "text", "text": request.system, "cache_control": _EPHEMERAL}]
    if request.tools:
        tools = [
            {"name": t.name, "description": t.description, "input_schema": t.input_schema}
            for t in request.tools
        ]
        tools[-1]["cache_control"] = _EPHEMERAL
        kwargs["tools"] = tools
        if request.tool_choice == "none":
            kwargs["tool_choice"] = {"type": "none"}
    budget = request.thinking_budget_tokens
    if budget > 0:
        kwargs["thinking"] = {"type": "enabled", "budget_tokens": budget}
        # The API requires max_tokens > budget_tokens: the answer gets its own room.
        if request.max_tokens <= budget:
            kwargs["max_tokens"] = budget + request.max_tokens
    return kwargs


@dataclass(slots=True)
class _Block:
    kind: str
    text: list[str] = field(default_factory=list)
    signature: str = ""
    tool_id: str = ""
    tool_name: str = ""


@dataclass(slots=True)
class _Turn:
    """Accumulates one streamed assistant message."""

    blocks: dict[int, _Block] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    stop_reason: ProviderStopReason = "end_turn"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cache_write: int = 0
    stopped: bool = False

    def usage(self) -> Usage:
        return Usage(self.input_tokens, self.output_tokens, self.cache_read, self.cache_write)

    def take_usage(self, usage: Any) -> None:
        """Merge a usage object (message_start or cumulative message_delta)."""
        self.input_tokens = getattr(usage, "input_tokens", None) or self.input_tokens
        self.output_tokens = getattr(usage, "output_tokens", None) or self.output_tokens
        self.cache_read = getattr(usage, "cache_read_input_tokens", None) or self.cache_read
        self.cache_write = getattr(usage, "cache_creation_input_tokens", None) or self.cache_write

    def on_event(self, event: Any) -> StreamEvent | None:
        kind = event.type
        if kind == "message_start":
            self.take_usage(event.message.usage)
        elif kind == "content_block_start":
            block = event.content_block
            self.blocks[event.index] = _Block(
                kind=block.type,
                tool_id=getattr(block, "id", ""),
                tool_name=getattr(block, "name", ""),
            )
        elif kind == "content_block_delta":
            return self._on_delta(self.blocks[event.index], event.delta)
        elif kind == "content_block_stop":
            return self._on_block_stop(self.blocks.pop(event.index))
        elif kind == "message_delta":
            reason = event.delta.stop_reason
            self.stop_reason = _STOP_REASONS.get(reason or "end_turn", "end_turn")
            self.take_usage(event.usage)
        elif kind == "message_stop":
            self.stopped = True
        return None

    def _on_delta(self, block: _Block, delta: Any) -> StreamEvent | None:
        if delta.type == "text_delta":
            block.text.append(delta.text)
            return TextDelta(delta.text)
        if delta.type == "thinking_delta":
            block.text.append(delta.thinking)
            return ThinkingDelta(delta.thinking)
        if delta.type == "signature_delta":
            block.signature += delta.signature
        elif delta.type == "input_json_delta":
            block.text.append(delta.partial_json)
        return None

    def _on_block_stop(self, block: _Block) -> StreamEvent | None:
        text = "".join(block.text)
        if block.kind == "text":
            self.parts.append(TextPart(text))
        elif block.kind == "thinking":
            self.parts.append(ThinkingPart(text, block.signature))
        elif block.kind == "tool_use":
            part = ToolUsePart(block.tool_id, block.tool_name, parse_tool_input(text), text)
            self.parts.append(part)
            return ToolUse(part)
        return None


class AnthropicProvider:
    """A :class:`~zeph_tui.core.providers.base.Provider` for Claude models.

    Args:
        model: model id, e.g. ``claude-sonnet-4-5``.
        api_key: overrides ``ANTHROPIC_API_KEY``.
        base_url: overrides ``ANTHROPIC_BASE_URL`` (e.g. a proxy or a fake).
        max_retries: SDK retries on 408/409/429/5xx and connection errors.
        timeout_s: per-request timeout in seconds.
        context_window_tokens: the model's context window (200k for Claude).
    """

    name = "anthropic"

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_s: float = 600.0,
        context_window_tokens: int = 200_000,
    ) -> None:
        self.model = model
        self.context_window_tokens = context_window_tokens

        def build() -> anthropic.AsyncAnthropic:
            client: anthropic.AsyncAnthropic = sdk().AsyncAnthropic(
                api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_s
            )
            client.messages  # noqa: B018  # imports the resource and its stream types now, off the loop
            return client

        self._client = LazyResource(build, what="anthropic: cannot load the SDK")

    async def client(self) -> anthropic.AsyncAnthropic:
        """The SDK client, importing the SDK first when needed.

        Raises:
            ProviderError: ``anthropic`` cannot be imported or the client cannot be built.
        """
        return await self._client.get()

    async def warm(self) -> None:
        """Import the SDK and build the client now (idempotent); see :meth:`client`."""
        await self._client.get()

    async def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one response (Messages API, streaming).

        Yields:
            TextDelta / ThinkingDelta as they arrive, ToolUse at each tool block's
            end, then exactly one MessageStop.

        Raises:
            ProviderError: HTTP error status, connection failure, an SSE
                ``error`` event, or a stream that ended before ``message_stop``.
        """
        client = await self._client.get()
        api = sdk()  # loaded by the build above: dictionary look-ups

        turn = _Turn()
        try:
            stream = await client.messages.create(
                stream=True, **_request_kwargs(self.model, request)
            )
            try:
                async for event in stream:
                    out = turn.on_event(event)
                    if out is not None:
                        yield out
            finally:
                await stream.close()
        except api.APIStatusError as exc:
            raise ProviderError(f"anthropic: HTTP {exc.status_code}: {exc.message}") from exc
        except api.APIError as exc:
            raise ProviderError(f"anthropic: {type(exc).__name__}: {exc}") from exc
        if not turn.stopped:
            raise ProviderError("anthropic: stream ended before message_stop")
        yield MessageStop(turn.stop_reason, turn.usage(), tuple(turn.parts))

    def cost_usd(self, usage: Usage) -> float:
        """Dollar cost of ``usage`` at this model's price (see :mod:`.pricing`)."""
        return cost_usd(self.model, usage)

    async def aclose(self) -> None:
        """Close the SDK's HTTP connection pool (stops an SDK import still in flight)."""
        client = await self._client.aclose()
        if client is not None:
            await client.close()
