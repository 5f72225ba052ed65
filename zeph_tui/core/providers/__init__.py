"""Model providers: Anthropic (SDK), OpenAI-compatible (httpx), local (llama.cpp).

Only light modules are imported here; ``resolve_provider`` imports the chosen
provider module (and its heavy SDK) when it builds it.
"""

from __future__ import annotations

from zeph_tui.core.providers.base import (
    ImagePart,
    Message,
    MessageStop,
    ModelRequest,
    Part,
    Provider,
    ProviderStopReason,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolResultPart,
    ToolSpec,
    ToolUse,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.resolve import (
    PROVIDER_NAMES,
    Resolution,
    describe_resolution,
    resolve,
    resolve_provider,
)

__all__ = [
    "PROVIDER_NAMES",
    "ImagePart",
    "Message",
    "MessageStop",
    "ModelRequest",
    "Part",
    "Provider",
    "ProviderStopReason",
    "Resolution",
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
    "describe_resolution",
    "resolve",
    "resolve_provider",
]
