"""Apply an LSP ``WorkspaceEdit`` to disk, all or nothing (LSP 3.17 §WorkspaceEdit).

Two steps, so a person can look at the result before anything is written:

1. :func:`plan_workspace_edit` reads the files the edit touches and computes,
   in memory, every file's final content (``changes`` or ``documentChanges``
   with ``TextDocumentEdit``, ``CreateFile``, ``RenameFile`` and
   ``DeleteFile`` applied in order). It records a SHA-256 of each file as it
   was on disk.
2. :func:`apply_planned_edit` checks that no touched file changed since
   (hash), then writes every new content to a temporary file beside its
   target and moves them into place with ``os.replace``. Any failure (a file
   changed underneath, a read-only file, a full disk) restores every file
   already replaced and removes new ones: the workspace is left as it was.

Positions in text edits are LSP units (0-based, UTF-16); they are converted
with :mod:`lsp_bridge.positions`.

Errors: :class:`WorkspaceEditError` (an :class:`~lsp_bridge.errors.LspBridgeError`)
for an edit that cannot be applied; :class:`StaleEditError` when a file
changed since the plan.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from .errors import LspBridgeError
from .navigation import path_from_uri
from .positions import utf16_to_codepoint

__all__ = [
    "AppliedEdit",
    "FileChange",
    "PlannedEdit",
    "StaleEditError",
    "WorkspaceEditError",
    "apply_planned_edit",
    "apply_text_edits",
    "edit_starts",
    "plan_workspace_edit",
]

_EOL = re.compile(r"\r\n|\r|\n")

BeforeReplace = Callable[[Path], None]
Writer = Callable[[Path, str], Awaitable[None]]


class WorkspaceEditError(LspBridgeError):
    """The edit cannot be applied (bad range, missing file, write failure); nothing changed."""


class StaleEditError(WorkspaceEditError):
    """A file the edit touches changed on disk after the edit was computed."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file's content before and after the whole edit.

    Attributes:
        path: absolute path.
        old_text: content on disk when planned; ``None`` if the file did not exist.
        new_text: content after the edit; ``None`` if the edit deletes (or moves) it.
    """

    path: Path
    old_text: str | None
    new_text: str | None


@dataclass(frozen=True, slots=True)
class PlannedEdit:
    """The in-memory result of a ``WorkspaceEdit``.

    Attributes:
        changes: one entry per file whose content or existence changes, by path.
        hashes: SHA-256 hex of each touched file's bytes when planned
            (``None`` for a file that did not exist).
        operations: the resource operations, as text (``rename a -> b``...).
    """

    changes: tuple[FileChange, ...]
    hashes: dict[Path, str | None]
    operations: tuple[str, ...] = ()

    @property
    def paths(self) -> list[Path]:
        """Paths whose content or existence changes, sorted."""
        return sorted(c.path for c in self.changes)


@dataclass(frozen=True, slots=True)
class AppliedEdit:
    """What :func:`apply_planned_edit` wrote.

    Attributes:
        written: files created or overwritten.
        deleted: files removed (deletes and the old side of renames).
    """

    written: tuple[Path, ...]
    deleted: tuple[Path, ...]


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _read(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceEditError(f"cannot read {path}: {exc}") from exc


def _offset(text: str, starts: list[int], position: types.Position) -> int:
    """Code-point offset in ``text`` of an LSP position (clamped to line and text end)."""
    if position.line >= len(starts):
        return len(text)
    start = starts[position.line]
    match = _EOL.search(text, start)
    end = match.start() if match else len(text)
    return start + utf16_to_codepoint(text[start:end], position.character)


def apply_text_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits (all relative to ``text``) and return the result.

    Raises:
        WorkspaceEditError: two edits overlap.
    """
    starts = [0] + [m.end() for m in _EOL.finditer(text)]
    spans = sorted(
        (_offset(text, starts, e.range.start), _offset(text, starts, e.range.end), i)
        for i, e in enumerate(edits)
    )
    out: list[str] = []
    cursor = 0
    for start, end, index in spans:
        if start < cursor:
            raise WorkspaceEditError("overlapping text edits")
        out.append(text[cursor:start])
        out.append(edits[index].new_text)
        cursor = max(cursor, end)
    out.append(text[cursor:])
    return "".join(out)


class _Sim:
    """The files as the edit leaves them, simulated in memory."""

    def __init__(self, known: Mapping[Path, str]) -> None:
        self.known = known
        self.original: dict[Path, str | None] = {}
        self.hashes: dict[Path, str | None] = {}
        self.current: dict[Path, str | None] = {}
        self.ops: list[str] = []

    def get(self, path: Path) -> str | None:
        if path not in self.current and path in self.known:
            self.original[path] = self.known[path]
            self.hashes[path] = hashlib.sha256(self.known[path].encode("utf-8")).hexdigest()
            self.current[path] = self.original[path]
        if path not in self.current:
            self.hashes[path] = _digest(path)
            self.original[path] = _read(path)
            self.current[path] = self.original[path]
        return self.current[path]

    def edit(self, uri: str, edits: Sequence[types.TextEdit]) -> None:
        path = path_from_uri(uri)
        text = self.get(path)
        if text is None:
            raise WorkspaceEditError(f"edit of a missing file {path}")
        self.current[path] = apply_text_edits(text, edits)

    def create(self, op: types.CreateFile) -> None:
        path = path_from_uri(op.uri)
        options = op.options
        if self.get(path) is not None:
            if options is not None and options.ignore_if_exists and not options.overwrite:
                return
            if options is None or not options.overwrite:
                raise WorkspaceEditError(f"create: {path} exists")
        self.current[path] = ""
        self.ops.append(f"create {path}")

    def rename(self, op: types.RenameFile) -> None:
        old, new = path_from_uri(op.old_uri), path_from_uri(op.new_uri)
        text = self.get(old)
        if text is None:
            raise WorkspaceEditError(f"rename: {old} does not exist")
        options = op.options
        if self.get(new) is not None and old != new:
            if options is not None and options.ignore_if_exists and not options.overwrite:
                return
            if options is None or not options.overwrite:
                raise WorkspaceEditError(f"rename: {new} exists")
        self.current[old], self.current[new] = None, text
        self.ops.append(f"rename {old} -> {new}")

    def delete(self, op: types.DeleteFile) -> None:
        path = path_from_uri(op.uri)
        if path.is_dir():
            raise WorkspaceEditError(f"delete: {path} is a directory (not supported)")
        if self.get(path) is None:
            if op.options is not None and op.options.ignore_if_not_exists:
                return
            raise WorkspaceEditError(f"delete: {path} does not exist")
        self.current[path] = None
        self.ops.append(f"delete {path}")


def edit_starts(edit: types.WorkspaceEdit) -> list[tuple[Path, types.Position]]:
    """Where each text edit of ``edit`` starts: ``(path, LSP position)`` (0-based, UTF-16).

    ``documentChanges`` wins over ``changes``, as in :func:`plan_workspace_edit`.
    """
    starts: list[tuple[Path, types.Position]] = []
    if edit.document_changes:
        for change in edit.document_changes:
            if isinstance(change, types.TextDocumentEdit):
                path = path_from_uri(change.text_document.uri)
                starts += [(path, e.range.start) for e in change.edits]
    elif edit.changes:
        for uri, edits in edit.changes.items():
            starts += [(path_from_uri(uri), e.range.start) for e in edits]
    return starts


def plan_workspace_edit(
    edit: types.WorkspaceEdit, known: Mapping[Path, str] | None = None
) -> PlannedEdit:
    """Compute every file's content after ``edit``, without writing anything.

    ``documentChanges`` wins over ``changes`` when both are given (LSP 3.17).
    Versions in ``TextDocumentEdit`` are not checked against disk (the bridge
    syncs from disk); the hashes taken here guard the apply step instead.
    ``known`` maps paths to their exact disk text (UTF-8, line ends as on
    disk), e.g. :meth:`LspBridge.disk_texts`: those files are not read again
    and their hash is the SHA-256 of that text's UTF-8 bytes (the same as of
    the file while it is unchanged).

    Raises:
        WorkspaceEditError: unreadable files, overlapping edits, or a
            resource operation that conflicts with the disk.
    """
    sim = _Sim(known or {})
    if edit.document_changes:
        for change in edit.document_changes:
            if isinstance(change, types.TextDocumentEdit):
                plain = [e for e in change.edits if isinstance(e, types.TextEdit)]
                if len(plain) != len(change.edits):
                    raise WorkspaceEditError("snippet text edits are not supported")
                sim.edit(change.text_document.uri, plain)
            elif isinstance(change, types.CreateFile):
                sim.create(change)
            elif isinstance(change, types.RenameFile):
                sim.rename(change)
            elif isinstance(change, types.DeleteFile):
                sim.delete(change)
    elif edit.changes:
        for uri, edits in edit.changes.items():
            sim.edit(uri, edits)
    changes = tuple(
        FileChange(path, sim.original[path], sim.current[path])
        for path in sorted(sim.current)
        if sim.current[path] != sim.original[path]
    )
    return PlannedEdit(changes, dict(sim.hashes), tuple(sim.ops))


def _check_unchanged(plan: PlannedEdit, path: Path) -> None:
    if _digest(path) != plan.hashes.get(path):
        raise StaleEditError(f"{path} changed since the edit was computed")


def _write_atomic(path: Path, text: str, mode: int | None) -> None:
    """Write ``text`` to a temp file in ``path``'s folder, then ``os.replace`` it."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".zeph-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _restore(change: FileChange) -> None:
    if change.old_text is None:
        with contextlib.suppress(FileNotFoundError):
            change.path.unlink()
    else:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(change.path, change.old_text, None)


async def apply_planned_edit(
    plan: PlannedEdit,
    *,
    writer: Writer | None = None,
    before_replace: BeforeReplace | None = None,
) -> AppliedEdit:
    """Write ``plan`` to disk: every file or none.

    Args:
        plan: from :func:`plan_workspace_edit`.
        writer: writes a file's new text instead of the atomic local write
            (e.g. through an editor so its buffers follow); rollback uses it too.
        before_replace: called with each path just before it is written
            (a hook for progress and for fault-injection tests).

    Returns:
        The files written and deleted.

    Raises:
        StaleEditError: a file changed since planning (nothing written, or
            everything written so far restored).
        WorkspaceEditError: a read-only file or a failed write; everything
            written so far was restored.
    """
    for change in plan.changes:
        _check_unchanged(plan, change.path)
    done: list[FileChange] = []
    created_dirs: list[Path] = []
    try:
        for change in plan.changes:
            if before_replace is not None:
                before_replace(change.path)
            _check_unchanged(plan, change.path)
            if change.old_text is not None and _read_only(change.path):
                raise WorkspaceEditError(f"{change.path} is read-only")
            if change.new_text is None:
                change.path.unlink()
            else:
                created_dirs += _make_parents(change.path)
                if writer is not None:
                    await writer(change.path, change.new_text)
                else:
                    mode = change.path.stat().st_mode if change.old_text is not None else None
                    _write_atomic(change.path, change.new_text, mode)
            done.append(change)
    except (OSError, WorkspaceEditError) as exc:
        await _rollback(done, created_dirs, writer)
        if isinstance(exc, WorkspaceEditError):
            raise
        raise WorkspaceEditError(f"write failed, every file restored: {exc}") from exc
    written = tuple(c.path for c in plan.changes if c.new_text is not None)
    deleted = tuple(c.path for c in plan.changes if c.new_text is None)
    return AppliedEdit(written, deleted)


def _read_only(path: Path) -> bool:
    """No write permission for us, or no write bit at all (root ignores the bits)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _make_parents(path: Path) -> list[Path]:
    missing: list[Path] = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir()
    return missing


async def _rollback(
    done: list[FileChange], created_dirs: list[Path], writer: Writer | None
) -> None:
    for change in reversed(done):
        with contextlib.suppress(OSError):
            if writer is not None and change.old_text is not None:
                await writer(change.path, change.old_text)
            else:
                _restore(change)
    for folder in created_dirs:  # innermost first
        with contextlib.suppress(OSError):
            folder.rmdir()
