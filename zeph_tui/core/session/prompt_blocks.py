"""What a person sends: prompt content blocks, shaped like ACP ContentBlock.

Spec: https://agentclientprotocol.com/protocol/v1/content (text, image,
resource_link, resource). Faces build these; the session turns them into
model message parts. Text and image blocks are the model's own parts (one
type each, passed through as they are); resources become labelled text.
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


TextBlock = TextPart
"""Text the person sent: the model's :class:`TextPart` itself (ACP ``text``)."""

ImageBlock = ImagePart
"""An image the person sent, ``data`` base64: the model's :class:`ImagePart` (ACP ``image``)."""


@dataclass(frozen=True, slots=True)
class ResourceLink:
    """A file the person pointed at (ACP ``resource_link``): the model gets its name and URI.

    Attributes:
        uri: the file's URI (``file://...``), as the client sent it.
        name: how the client names it; ``""`` shows the URI instead.
    """

    uri: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class EmbeddedResource:
    """A file's content sent along with the prompt (ACP ``resource``, e.g. an open buffer).

    Attributes:
        uri: the file's URI; the model sees it in a ``<file uri=...>`` wrapper.
        text: the content, as the editor holds it (maybe unsaved).
        mime_type: its MIME type when the client gave one.
    """

    uri: str
    text: str
    mime_type: str | None = None


PromptBlock = TextBlock | ImageBlock | ResourceLink | EmbeddedResource


def blocks_to_parts(blocks: list[PromptBlock]) -> list[Part]:
    """Model parts for the user message: resources become labelled text."""
    parts: list[Part] = []
    for block in blocks:
        match block:
            case TextPart() | ImagePart():
                parts.append(block)
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
