"""Files changed behind the servers' back (bash, git, an editor): what to tell them.

:class:`DiskSync` is composed into ``LspBridge`` (like
:class:`~lsp_bridge.queries.Queries`) and reaches the bridge only through
:class:`SyncHost`. It remembers each file's disk stamp (``st_mtime_ns``,
``st_size``) and document version at its last sync, so a file unchanged
since costs one ``stat``; changed files are announced with
``workspace/didChangeWatchedFiles`` (LSP 3.17) and open documents re-sent.
It also keeps each file's exact disk text (UTF-8, line ends as on disk) at
that stamp: :meth:`DiskSync.disk_texts` hands the texts the last sync saw to
a caller that would read them again (a rename's plan), and a file whose
stamp did not move is never read again, even after a re-send.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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

    def resolved(self, path: Path) -> Path:
        """``path`` absolute (from the root), symlinks resolved."""
        ...

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
        # resolved path -> ((st_mtime_ns, st_size), document version) at its last sync
        self._stamps: dict[Path, tuple[tuple[int, int], int | None]] = {}
        # path -> (stamp, exact UTF-8 text) as read at that stamp (undecodable files left out)
        self._texts: dict[Path, tuple[tuple[int, int], str]] = {}
        self._seen: dict[Path, str] = {}

    def disk_texts(self) -> Mapping[Path, str]:
        """Path -> exact disk text of the files the last :meth:`sync_from_disk` checked.

        Only files whose stamp that sync saw matches the text's (read then or
        before at the same stamp); a later change on disk is not seen here.
        """
        return self._seen

    def disk_text(self, path: Path) -> str | None:
        """The exact disk text of the resolved ``path`` when kept at its current stamp, else ``None``.

        One ``stat``, no read: a caller that needs the text reads it itself
        when this says ``None`` (never synced, changed since, not UTF-8).
        """
        cached = self._texts.get(path)
        return cached[1] if cached is not None and cached[0] == _disk_stamp(path) else None

    async def sync_from_disk(
        self, paths: Iterable[Path], *, wait: bool = True
    ) -> list[DiagnosticsReport]:
        """See ``LspBridge.sync_from_disk``."""
        host = self._host
        reports: list[DiagnosticsReport] = []
        resolved = [p if p in self._stamps else host.resolved(p) for p in paths]
        stamps = {p: _disk_stamp(p) for p in resolved}
        stale = [p for p in resolved if not self._fresh(p, stamps[p])]
        texts = {p: self._text(p, stamps[p]) for p in stale}
        self._seen = {
            p: cached[1]
            for p in resolved
            if (cached := self._texts.get(p)) is not None and cached[0] == stamps[p]
        }
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

    def observe(self, paths: Iterable[Path]) -> None:
        """Read the stale ``paths`` and stamp those the servers already have as they are.

        Nothing is sent: a file whose disk text differs from its document
        (not written yet, or changed) is left for the next sync. Run after
        the servers got a rename's new texts and the editor wrote them: the
        next :meth:`sync_from_disk` finds those files fresh (one ``stat``).
        """
        for path in paths:
            path = path if path in self._stamps else self._host.resolved(path)
            stamp = _disk_stamp(path)
            if stamp is None or self._fresh(path, stamp):
                continue
            text = self._text(path, stamp)
            if text is not None and self._same(path, text):
                self._stamp(path, stamp)

    def _text(self, path: Path, stamp: tuple[int, int] | None) -> str | None:
        """The disk text at ``stamp``: kept when the stamp did not move, else read."""
        cached = self._texts.get(path)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        self._texts.pop(path, None)
        text, exact = _disk_text(path)
        if stamp is not None and text is not None and exact:
            self._texts[path] = (stamp, text)
        return text

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


def _disk_text(path: Path) -> tuple[str | None, bool]:
    """The file's text (line ends kept) and whether it is exact UTF-8.

    ``(None, False)`` when it does not exist or cannot be read; invalid
    UTF-8 is decoded with replacement characters (``exact`` is ``False``).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None, False
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False
