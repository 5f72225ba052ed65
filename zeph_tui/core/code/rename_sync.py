"""What the servers know during renames: synced documents and the diagnostics baseline.

Every rename face goes through here (:mod:`zeph_tui.core.code.rename`):

- :func:`sync_target` makes the servers see the disk before a plan: the
  target file opened and analysed the first time (a rename sent right after
  didOpen can return a partial edit), files synced before re-sent when they
  changed on disk (without waiting for their diagnostics);
- :func:`baseline` / :func:`after` give the diagnostics delta of a rename:
  only what the change introduced is "new" (a clean rename reports 0 new
  even in a project full of errors);
- :func:`rename_delta` does both for a face whose editor applies the edit;
- :func:`prepare_ahead` sends the server's ``prepareRename`` while the
  person types the new name, and :func:`server_prepare` hands its answer to
  the plan (same position, same document version) instead of asking again.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lsp_bridge import DiagnosticItem, LspBridge, RenameTarget
from lsp_bridge.delta import compute_delta
from lsp_bridge.workspace_edit import FileChange, PlannedEdit

__all__ = [
    "Known",
    "after",
    "baseline",
    "prepare_ahead",
    "remember",
    "rename_delta",
    "server_prepare",
    "sync_target",
]


_SYNCED: weakref.WeakKeyDictionary[LspBridge, set[Path]] = weakref.WeakKeyDictionary()


async def sync_target(bridge: LspBridge, path: Path) -> None:
    """Make the servers see the disk: the target file analysed, earlier files re-read.

    The first time, the target is opened, its diagnostics awaited and then
    any work the servers report in progress (tsserver loads its project,
    gopls its packages: a rename sent meanwhile returns a partial edit);
    files this module synced before are re-sent when they changed on disk
    since (edits in an editor, git).
    """
    synced = _SYNCED.setdefault(bridge, set())
    if synced:  # the servers need the new texts, not their diagnostics: no wait here
        await bridge.sync_from_disk(sorted(synced), wait=False)
    if path not in synced:
        text = await asyncio.to_thread(_read, path)
        await bridge.open_or_change(path, text, save=False)
        await bridge.wait_ready(path)
        synced.add(path)


@dataclass(frozen=True, slots=True)
class _Ahead:
    """An early ``prepareRename``: ``(path, line, column, document version)`` and its answer."""

    key: tuple[Path, int, int, int]
    answer: asyncio.Future[RenameTarget]


_AHEAD: weakref.WeakKeyDictionary[LspBridge, _Ahead] = weakref.WeakKeyDictionary()


def _key(bridge: LspBridge, path: Path, line: int, column: int) -> tuple[Path, int, int, int]:
    doc = bridge.document(path)
    return path, line, column, doc.version if doc is not None else -1


async def prepare_ahead(bridge: LspBridge, path: Path, line: int, column: int) -> None:
    """Send the server's ``prepareRename`` now, for the rename the person is about to name.

    For a face that answers ``prepareRename`` itself (the editor's prompt
    opens at once): the server works while the person types. Run it as an
    owned background task, after the reply (it yields once first). Only the
    latest one per bridge is kept; a failure is kept for the plan to raise.

    Args:
        path: the resolved file; ``line``, ``column``: 1-based, code points.
    """
    await asyncio.sleep(0)  # the face's own answer goes out first
    answer: asyncio.Future[RenameTarget] = asyncio.get_running_loop().create_future()
    answer.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved or not
    try:
        await sync_target(bridge, path)
        _AHEAD[bridge] = _Ahead(_key(bridge, path, line, column), answer)
        answer.set_result(await bridge.prepare_rename(path, line, column))
    except asyncio.CancelledError:
        answer.cancel()
        raise
    except Exception as exc:
        answer.set_exception(exc)


def server_prepare(
    bridge: LspBridge, path: Path, line: int, column: int
) -> asyncio.Future[RenameTarget] | Coroutine[Any, Any, RenameTarget]:
    """The server's ``prepareRename`` answer: :func:`prepare_ahead`'s when it fits, else asked.

    It fits when it was sent for the same position over the same document
    version (call after :func:`sync_target`: a file re-read since has a new
    version); it is used once.
    """
    ahead = _AHEAD.pop(bridge, None)
    fits = ahead is not None and ahead.key == _key(bridge, path, line, column)
    if ahead is not None and fits and not ahead.answer.cancelled():
        return ahead.answer
    return bridge.prepare_rename(path, line, column)


def _read(path: Path) -> str:
    """The exact text (line ends kept, as :meth:`LspBridge.sync_from_disk` reads it)."""
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def remember(bridge: LspBridge, paths: Sequence[Path]) -> None:
    _SYNCED.setdefault(bridge, set()).update(p for p in paths if p.exists())


@dataclass(frozen=True, slots=True)
class Known:
    """A file's diagnostics and the servers that gave them (absent ones are not "clean")."""

    items: list[DiagnosticItem]
    servers: frozenset[str]


async def _known(bridge: LspBridge, path: Path, text: str, *, save: bool) -> Known:
    report = await bridge.open_or_change(path, text, save=save)
    return Known(list(report.current), bridge.answered(path))


async def baseline(bridge: LspBridge, changes: Sequence[FileChange]) -> dict[Path, Known]:
    """Diagnostics of the files as they are: known for synced files, else opened and awaited.

    Identical text is never re-sent: servers need not republish for it. A
    synced file whose diagnostics are not known (its new text was sent
    without waiting, see :func:`sync_target`) is sent again and awaited.
    """
    synced = _SYNCED.get(bridge, set())
    known = {c.path for c in changes if c.path in synced and bridge.answered(c.path)}
    before = {
        c.path: Known(bridge.diagnostics(c.path), bridge.answered(c.path))
        for c in changes
        if c.path in known
    }
    async with asyncio.TaskGroup() as group:
        tasks = {
            c.path: group.create_task(_known(bridge, c.path, c.old_text or "", save=False))
            for c in changes
            if c.path not in known
        }
    before.update({path: task.result() for path, task in tasks.items()})
    remember(bridge, list(tasks))
    return before


async def after(
    bridge: LspBridge,
    changes: Sequence[FileChange],
    before: dict[Path, Known],
    names: tuple[str, str] | None = None,
) -> tuple[list[DiagnosticItem], list[DiagnosticItem], list[str]]:
    """Send every new text, then re-open files whose errors may be stale.

    Files are analysed while their siblings' changes are still arriving (a
    caller of the renamed function can look fine against the old callee), so
    when several files change each is closed and opened again once all were
    sent: servers analyse a fresh open against the latest state. A single
    file is re-opened only when its diagnostics changed. Only
    servers that answered both before and after are compared: a server that
    missed the baseline cannot make old diagnostics look new. With ``names``
    (old, new), an old message naming the old symbol matches the same
    message naming the new one (``... in function "total"`` is not new as
    ``... in function "grand_total"``).
    """
    if names is not None:
        before = {path: _renamed(known, *names) for path, known in before.items()}

    async def send(change: FileChange) -> Known:
        return await _known(bridge, change.path, change.new_text or "", save=True)

    async def reopen(change: FileChange) -> Known:  # a new version, same text: analysed again
        return await send(change)

    found = await _each(changes, send)
    suspects = [c for c in changes if len(changes) > 1 or any(_delta(c, before, found))]
    found.update(await _each(suspects, reopen))
    new: list[DiagnosticItem] = []
    fixed: list[DiagnosticItem] = []
    texts: list[str] = []
    for change in changes:
        added, gone = _delta(change, before, found)
        new += added
        fixed += gone
        texts += [d.render(bridge.root) for d in added]
    return new, fixed, texts


async def _each(
    changes: Sequence[FileChange],
    step: Callable[[FileChange], Coroutine[Any, Any, Known]],
) -> dict[Path, Known]:
    async with asyncio.TaskGroup() as group:
        tasks = {c.path: group.create_task(step(c)) for c in changes}
    return {path: task.result() for path, task in tasks.items()}


def _renamed(known: Known, old: str, new: str) -> Known:
    word = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)")
    items = [replace(d, message=word.sub(new, d.message)) for d in known.items]
    return Known(items, known.servers)


def _delta(
    change: FileChange, before: dict[Path, Known], after: dict[Path, Known]
) -> tuple[list[DiagnosticItem], list[DiagnosticItem]]:
    old = before.get(change.path, Known([], frozenset()))
    new = after.get(change.path, Known([], frozenset()))
    both = old.servers & new.servers
    return compute_delta(
        change.old_text or "",
        change.new_text or "",
        [d for d in old.items if d.server in both],
        [d for d in new.items if d.server in both],
    )


async def rename_delta(
    bridge: LspBridge, edit: PlannedEdit, names: tuple[str, str] | None = None
) -> tuple[list[DiagnosticItem], list[DiagnosticItem], list[str]]:
    """Baseline, then the new texts: ``(new, fixed, rendered new)`` of an edit applied elsewhere.

    For a face whose editor applies the edit itself (the LSP face): the
    servers get the new text of every changed file, nothing is written.
    ``names`` is ``(old, new)`` (see :func:`after`).
    """
    kept = [c for c in edit.changes if c.old_text is not None and c.new_text is not None]
    before = await baseline(bridge, kept)
    found = await after(bridge, kept, before, names)
    remember(bridge, [c.path for c in kept])
    return found
