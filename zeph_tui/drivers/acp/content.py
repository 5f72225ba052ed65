"""ACP prompt content blocks -> the core's prompt blocks.

Spec: https://agentclientprotocol.com/protocol/v1/content. Supported: ``text``,
``image`` (``promptCapabilities.image``), ``resource_link`` and ``resource``
(``promptCapabilities.embeddedContext``; text resources, binary ones become a
note). ``audio`` is not advertised and is refused with ``-32602``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from acp import RequestError
from zeph_tui.core.session.prompt_blocks import (
    EmbeddedResource,
    ImageBlock,
    PromptBlock,
    ResourceLink,
    TextBlock,
)

__all__ = ["to_prompt_blocks"]


def _str_field(block: dict[str, Any], key: str, where: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        state = "required" if key not in block else "expected string"
        raise RequestError.invalid_params(f"{where}.{key}: {state}")
    return value


def _resource(block: dict[str, Any], where: str) -> PromptBlock:
    resource = block.get("resource")
    if not isinstance(resource, dict):
        state = "required" if "resource" not in block else "expected object"
        raise RequestError.invalid_params(f"{where}.resource: {state}")
    uri = _str_field(resource, "uri", f"{where}.resource")
    mime = resource.get("mimeType") if isinstance(resource.get("mimeType"), str) else None
    if "text" in resource:
        return EmbeddedResource(uri, _str_field(resource, "text", f"{where}.resource"), mime)
    if "blob" in resource:
        _str_field(resource, "blob", f"{where}.resource")
        return TextBlock(f"[attached binary resource {uri} ({mime or 'unknown type'}), not shown]")
    raise RequestError.invalid_params(f"{where}.resource: expected text or blob")


def to_prompt_blocks(blocks: Sequence[dict[str, Any]]) -> list[PromptBlock]:
    """Convert ``session/prompt``'s ``prompt`` array.

    Args:
        blocks: ``$defs/ContentBlock`` dicts (their ``type`` already checked).

    Returns:
        The core blocks, in order.

    Raises:
        RequestError: ``-32602`` naming the first bad field, e.g.
            ``prompt[1].data: required`` or ``prompt[0].type: unsupported 'audio'``.
    """
    out: list[PromptBlock] = []
    for index, block in enumerate(blocks):
        where = f"prompt[{index}]"
        kind = block.get("type")
        if kind == "text":
            out.append(TextBlock(_str_field(block, "text", where)))
        elif kind == "image":
            data = _str_field(block, "data", where)
            out.append(ImageBlock(_str_field(block, "mimeType", where), data))
        elif kind == "resource_link":
            uri = _str_field(block, "uri", where)
            name = block.get("name")
            out.append(ResourceLink(uri, name if isinstance(name, str) else ""))
        elif kind == "resource":
            out.append(_resource(block, where))
        else:
            raise RequestError.invalid_params(f"{where}.type: unsupported {str(kind)[:40]!r}")
    return out
