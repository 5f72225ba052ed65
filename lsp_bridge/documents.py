"""Open documents as the bridge tracks them, and the small interface queries use.

:class:`Document` is one file the bridge synced with its servers (text,
version, the server slots serving it, their last diagnostics).
:class:`DocumentHost` is what position-based queries
(:class:`~lsp_bridge.queries.Queries`) need from the bridge: an opened
document, the lines of any file and the request timeout. ``LspBridge``
implements it; queries never see the bridge itself, so neither module imports
the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .delta import sort_items, to_item
from .diagwait import Diags
from .positions import split_lines
from .results import DiagnosticItem
from .supervisor import ServerSlot

__all__ = ["Document", "DocumentHost"]


@dataclass
class Document:
    """One document the bridge knows (opened or about to be).

    Attributes:
        path: absolute, resolved path.
        uri: its ``file://`` URI.
        language: LSP language id (``plaintext`` when unknown).
        text: the content last sent to the servers.
        version: the version last sent (0 before didOpen).
        opened: didOpen was sent.
        slots: the servers serving it.
        missing: one line per missing server, with the install hint.
        diags: server name -> the last diagnostics of ``version``.
        lock: serialises syncs of this document.
    """

    path: Path
    uri: str
    language: str
    text: str = ""
    version: int = 0
    opened: bool = False
    slots: list[ServerSlot] = field(default_factory=list)
    missing: tuple[str, ...] = ()
    diags: dict[str, Diags] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def items(self, servers: Iterable[str] | None = None) -> list[DiagnosticItem]:
        """The merged diagnostics of ``servers`` (all when ``None``), sorted, people units."""
        lines = split_lines(self.text)
        wanted = set(self.diags) if servers is None else set(servers) & set(self.diags)
        return sort_items(
            to_item(self.path, lines, d, name) for name in wanted for d in self.diags[name]
        )


class DocumentHost(Protocol):
    """What :class:`~lsp_bridge.queries.Queries` needs from its owner.

    Attributes:
        request_timeout_s: timeout of each query request, seconds.
    """

    request_timeout_s: float

    async def opened(self, path: Path) -> Document:
        """The document of ``path``, opened from disk when needed (no diagnostics wait)."""
        ...

    def lines_of(self, path: Path) -> list[str]:
        """The lines of ``path``: the synced text when open, else the disk ('' lines on error)."""
        ...
