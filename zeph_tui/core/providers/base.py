"""Provider-neutral conversation model and the streaming provider protocol.

The conversation is kept in a shape close to the Anthropic Messages API
(content parts per message), which maps losslessly onto OpenAI chat
completions as well. Providers turn a :class:`ModelRequest` into an async
stream of :data:`StreamEvent` items and end with exactly one
:class:`MessageStop`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "ImagePart",
    "Message",
    "MessageStop",
    "ModelCharge",
    "ModelRequest",
    "Part",
    "Provider",
    "ProviderStopReason",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingDelta",
    "ThinkingPart",
    "ToolResultPart",
    "ToolSpec",
    "ToolUse",
    "ToolUsePart",
    "Usage",
    "parse_tool_input",
]

ProviderStopReason = Literal["end_turn", "tool_use", "max_tokens", "refusal", "stop_sequence"]


@dataclass(frozen=True, slots=True)
class TextPart:
    """Plain text of a message, the person's or the model's (Anthropic ``text`` block)."""

    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image given by the user; ``data`` is base64."""

    media_type: str
    data: str


@dataclass(frozen=True, slots=True)
class ThinkingPart:
    """Extended-thinking text; ``signature`` must be echoed back to Anthropic."""

    text: str
    signature: str = ""


@dataclass(frozen=True, slots=True)
class ToolUsePart:
    """A tool call made by the model.

    Attributes:
        id: provider-assigned call id.
        name: tool name as the model wrote it.
        input: parsed arguments ({} when they were not valid JSON).
        raw_input: the argument text exactly as streamed.
    """

    id: str
    name: str
    input: dict[str, Any]
    raw_input: str = ""


@dataclass(frozen=True, slots=True)
class ToolResultPart:
    """What a tool call returned, sent back in the next user message.

    Attributes:
        tool_use_id: the :attr:`ToolUsePart.id` it answers.
        content: the text the model reads (already cut to the model's copy).
        is_error: the call failed; providers mark it (``is_error``, ``ERROR:``).
    """

    tool_use_id: str
    content: str
    is_error: bool = False


Part = TextPart | ImagePart | ThinkingPart | ToolUsePart | ToolResultPart


@dataclass(slots=True)
class Message:
    """One turn of the conversation: who spoke and its parts, in order."""

    role: Literal["user", "assistant"]
    parts: list[Part]

    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What the model sees of a tool: name, description, JSON Schema of its input."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One model call.

    Attributes:
        system: the system prompt.
        messages: the conversation so far, alternating user / assistant.
        tools: what the model may call.
        max_tokens: output budget, tokens.
        thinking_budget_tokens: extended thinking budget (0: off), tokens.
    """

    system: str
    messages: list[Message]
    tools: list[ToolSpec] = field(default_factory=list)
    max_tokens: int = 8192
    thinking_budget_tokens: int = 0
    tool_choice: Literal["auto", "none"] = "auto"
    """``none``: tools stay declared (the history may hold tool calls) but must not be called."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one model call (units: tokens)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )

    @property
    def context_tokens(self) -> int:
        """Tokens the prompt occupied in the context window."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens


@dataclass(frozen=True, slots=True)
class _Delta:
    """A streamed piece of text; the two kinds below differ in type only.

    Equality holds within one kind (``TextDelta("a") != ThinkingDelta("a")``).
    """

    text: str


class TextDelta(_Delta):
    """The next piece of the answer's text, as streamed (join them for the whole)."""

    __slots__ = ()


class ThinkingDelta(_Delta):
    """The next piece of extended thinking; the signature comes with the MessageStop."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ToolUse:
    """A complete tool call, emitted once its arguments finished streaming."""

    part: ToolUsePart


@dataclass(frozen=True, slots=True)
class ModelCharge:
    """What one model call cost, and on which model.

    Attributes:
        model: the label of the model that was called (``route:model`` for routed calls).
        usage: its token counts.
        cost_usd: its price in US dollars.
    """

    model: str
    usage: Usage
    cost_usd: float


@dataclass(frozen=True, slots=True)
class MessageStop:
    """End of one model response.

    ``parts`` is the full assistant message (text, thinking with signatures,
    tool uses) to append to the conversation. ``usage`` is the call that
    answered (it measures the context fill). ``charges`` lists every model
    call behind this response (a routing provider may have tried cheaper
    models first); empty means one call, ``usage`` on the provider's model,
    priced by :meth:`Provider.cost_usd`.
    """

    stop_reason: ProviderStopReason
    usage: Usage
    parts: tuple[Part, ...]
    charges: tuple[ModelCharge, ...] = ()


StreamEvent = TextDelta | ThinkingDelta | ToolUse | MessageStop


class Provider(Protocol):
    """A model backend.

    Attributes:
        name: ``anthropic`` | ``openai`` | ``local`` | ...
        model: model id shown in the status bar.
        context_window_tokens: size of the model's context window.
    """

    name: str
    model: str
    context_window_tokens: int

    def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        """Stream one response. Raises ProviderError on transport/HTTP failure."""
        ...

    def cost_usd(self, usage: Usage) -> float:
        """Price of ``usage`` in US dollars (0.0 for local models)."""
        ...

    async def aclose(self) -> None: ...


def parse_tool_input(raw: str) -> dict[str, Any]:
    """Parse streamed tool arguments; ``{}`` when empty, invalid or not an object.

    The caller keeps ``raw`` in :attr:`ToolUsePart.raw_input` so the agent loop
    can report invalid JSON to the model.
    """
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
