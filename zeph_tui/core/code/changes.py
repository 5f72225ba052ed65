"""Which files changed behind the language servers' back (bash, git, formatters).

Two sources: ``git status --porcelain`` of the workspace (tracked and
untracked files, ignored ones left out) and the stat (mtime, size) of the
documents the servers have open. A file counts as changed when its stat
differs from the one recorded at the last check, appeared, vanished, or left
the dirty set (``git checkout -- f`` makes a file clean again: it changed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["ChangeTracker", "git_dirty_paths", "git_toplevel"]

Stat = tuple[int, int] | None  # (mtime_ns, size), None when the file does not exist

_GIT_TIMEOUT_S = 5.0
_MAX_DIRTY = 5000


def _stat(path: Path) -> Stat:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


async def _git(root: Path, *args: str) -> bytes | None:
    """Run git in ``root``; stdout, or ``None`` when git fails, is missing or times out."""
    try:
        proc = await asyncio.create_subprocess_exec(
            "git",
            *args,
            cwd=root,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
    except OSError:
        return None
    try:
        async with asyncio.timeout(_GIT_TIMEOUT_S):
            out, _err = await proc.communicate()
    except TimeoutError:
        return None
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    return out if proc.returncode == 0 else None


async def git_toplevel(root: Path) -> Path | None:
    """The top level of the git repository holding ``root``, or ``None``."""
    top = await _git(root, "rev-parse", "--show-toplevel")
    return None if top is None else Path(os.fsdecode(top.strip()))


async def git_dirty_paths(root: Path, toplevel: Path | None = None) -> list[Path]:
    """Absolute paths of files ``git status`` lists as modified, added, deleted or untracked.

    Porcelain v1 with ``-z`` and ``--no-renames`` (paths are relative to the
    repository top level, spec: git-status "Porcelain Format Version 1").

    Args:
        root: a folder inside the repository; only files under it are listed.
        toplevel: the repository's top level when already known.

    Returns:
        At most 5000 paths; ``[]`` outside a git repository or when git fails.
    """
    toplevel = toplevel or await git_toplevel(root)
    if toplevel is None:
        return []
    out = await _git(
        root, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", "."
    )
    if out is None:
        return []
    paths: list[Path] = []
    for record in out.split(b"\0"):
        if len(record) > 3:
            paths.append(toplevel / os.fsdecode(record[3:]))
            if len(paths) >= _MAX_DIRTY:
                break
    return paths


class ChangeTracker:
    """Remembers file stats between checks.

    Args:
        root: the workspace (git is asked about it).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._open: dict[Path, Stat] = {}
        self._dirty: dict[Path, Stat] = {}
        self._baseline_taken = False
        self._toplevel: Path | None = None

    def remember(self, path: Path) -> None:
        """Record the current stat of a document the servers now have open."""
        path = path.resolve()
        self._open[path] = _stat(path)

    def forget(self, path: Path) -> None:
        """Stop watching ``path`` (closed)."""
        self._open.pop(path.resolve(), None)

    @property
    def open_paths(self) -> list[Path]:
        """Documents being watched."""
        return list(self._open)

    async def baseline(self) -> None:
        """Take the first snapshot of the dirty set (once), so old edits do not count."""
        if not self._baseline_taken:
            self._baseline_taken = True
            self._toplevel = await git_toplevel(self.root)
            dirty = await self._dirty_now()
            self._dirty = {p: _stat(p) for p in dirty}

    async def _dirty_now(self) -> list[Path]:
        if self._toplevel is None:
            return []  # not a git repository: open documents' stats only
        return await git_dirty_paths(self.root, self._toplevel)

    async def changed(self, hinted: Iterable[Path] = ()) -> list[Path]:
        """Files changed since the last check (``hinted`` paths always count).

        Updates the snapshot. Returns absolute paths, sorted.
        """
        await self.baseline()
        dirty = await self._dirty_now()
        now_dirty = {p: _stat(p) for p in dirty}
        changed = {p.resolve() for p in hinted}
        for path, stat in now_dirty.items():
            if path not in self._dirty or self._dirty[path] != stat:
                changed.add(path)
        changed.update(p for p in self._dirty if p not in now_dirty)  # became clean again
        for path, recorded in self._open.items():
            if _stat(path) != recorded:
                changed.add(path)
        self._dirty = now_dirty
        for path in self._open:
            self._open[path] = _stat(path)
        return sorted(changed)
