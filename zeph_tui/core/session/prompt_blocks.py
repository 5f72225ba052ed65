"""What a person sends: prompt content blocks, shaped like ACP ContentBlock.

Spec: https://agentclientprotocol.com/protocol/v1/content (text, image,
resource_link, resource). Faces build these; the session turns them into
model message parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from zeph_tui.core.providers.base import ImagePart, Part, TextPart

__all__ = [
    "EmbeddedResource",
    "ImageBlock",
    "PromptBlock",
    "ResourceLink",
    "TextBlock",
    "blocks_to_parts",
    "blocks_to_text",
]


@dataclass(frozen=True, slots=True)
class TextBlock:
    text: str


@dataclass(frozen=True, slots=True)
class ImageBlock:
    media_type: str
    data: str  # base64


@dataclass(frozen=True, slots=True)
class ResourceLink:
    uri: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class EmbeddedResource:
    """A file's content sent along with the prompt (e.g. an open editor buffer)."""

    uri: str
    text: str
    mime_type: str | None = None


PromptBlock = TextBlock | ImageBlock | ResourceLink | EmbeddedResource


def blocks_to_parts(blocks: list[PromptBlock]) -> list[Part]:
    """Model parts for the user message: resources become labelled text."""
    parts: list[Part] = []
    for block in blocks:
        match block:
            case TextBlock(text=text):
                parts.append(TextPart(text))
            case ImageBlock(media_type=media_type, data=data):
                parts.append(ImagePart(media_type, data))
            case ResourceLink(uri=uri, name=name):
                parts.append(TextPart(f"[referenced file: {name or uri} <{uri}>]"))
            case EmbeddedResource(uri=uri, text=text):
                parts.append(TextPart(f'<file uri="{uri}">\n{text}\n</file>'))
    return parts


def blocks_to_text(blocks: list[PromptBlock]) -> str:
    """A one-line human summary (titles, history display)."""
    out = []
    for block in blocks:
        if isinstance(block, TextBlock):
            out.append(block.text)
        elif isinstance(block, ResourceLink | EmbeddedResource):
            out.append(f"@{block.uri}")
    return " ".join(out)
