"""Files changed behind the servers' back (bash, git, an editor): what to tell them.

:class:`DiskSync` is composed into ``LspBridge`` (like
:class:`~lsp_bridge.queries.Queries`) and reaches the bridge only through
:class:`SyncHost`. It remembers each file's disk stamp (``st_mtime_ns``,
``st_size``) and document version at its last sync, so a file unchanged
since costs one ``stat``; changed files are announced with
``workspace/didChangeWatchedFiles`` (LSP 3.17) and open documents re-sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from lsprotocol import types

from .documents import Document
from .results import DiagnosticsReport

__all__ = ["DiskSync", "SyncHost"]


class SyncHost(Protocol):
    """What :class:`DiskSync` needs from its owner (``LspBridge``).

    Attributes:
        root: workspace root (relative paths are taken from it).
    """

    root: Path

    def document(self, path: Path) -> Document | None:
        """The known document of a resolved ``path``, or ``None``."""
        ...

    def announce(self, paths: Sequence[Path], kind: types.FileChangeType) -> None:
        """``workspace/didChangeWatchedFiles`` for ``paths`` to every running server."""
        ...

    async def open_or_change(
        self, path: Path, text: str, *, save: bool = True
    ) -> DiagnosticsReport:
        """Send ``text`` and wait for its diagnostics."""
        ...

    async def send(self, path: Path, text: str, *, save: bool = True) -> None:
        """Send ``text`` without waiting for diagnostics."""
        ...

    async def close(self, path: Path) -> None:
        """didClose ``path`` and forget it."""
        ...


class DiskSync:
    """Disk stamps of synced files, and :meth:`sync_from_disk`.

    Args:
        host: the bridge whose documents and servers are synced.
    """

    def __init__(self, host: SyncHost) -> None:
        self._host = host
        # path -> ((st_mtime_ns, st_size), document version) at its last sync_from_disk
        self._stamps: dict[Path, tuple[tuple[int, int], int | None]] = {}

    async def sync_from_disk(
        self, paths: Iterable[Path], *, wait: bool = True
    ) -> list[DiagnosticsReport]:
        """See ``LspBridge.sync_from_disk``."""
        host = self._host
        reports: list[DiagnosticsReport] = []
        resolved = [(p if p.is_absolute() else host.root / p).resolve() for p in paths]
        stamps = {p: _disk_stamp(p) for p in resolved}
        stale = [p for p in resolved if not self._fresh(p, stamps[p])]
        texts = {p: _disk_text(p) for p in stale}
        changed = [p for p in stale if texts[p] is not None and not self._same(p, texts[p])]
        host.announce(changed, types.FileChangeType.Changed)
        host.announce([p for p in stale if texts[p] is None], types.FileChangeType.Deleted)
        for path in stale:
            doc = host.document(path)
            text = texts[path]
            if doc is not None and doc.opened:
                if text is None:
                    await host.close(path)
                elif text != doc.text and wait:
                    reports.append(await host.open_or_change(path, text, save=True))
                elif text != doc.text:
                    await host.send(path, text)
            self._stamp(path, stamps[path] if text is not None else None)
        return reports

    def _version(self, path: Path) -> int | None:
        doc = self._host.document(path)
        return doc.version if doc is not None and doc.opened else None

    def _fresh(self, path: Path, stamp: tuple[int, int] | None) -> bool:
        """The servers have ``path`` as the disk had it at ``stamp`` (nothing to read)."""
        return stamp is not None and self._stamps.get(path) == (stamp, self._version(path))

    def _stamp(self, path: Path, stamp: tuple[int, int] | None) -> None:
        if stamp is None:
            self._stamps.pop(path, None)
        else:
            self._stamps[path] = (stamp, self._version(path))

    def _same(self, path: Path, text: str | None) -> bool:
        """The servers already have exactly ``text`` for ``path`` (open, unchanged)."""
        doc = self._host.document(path)
        return doc is not None and doc.opened and doc.text == text


def _disk_stamp(path: Path) -> tuple[int, int] | None:
    """``(st_mtime_ns, st_size)`` of ``path``, or ``None`` when it does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _disk_text(path: Path) -> str | None:
    """The file's text, or ``None`` when it does not exist (or cannot be read)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
