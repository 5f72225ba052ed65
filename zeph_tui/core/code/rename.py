"""Rename a symbol with its call sites: the one flow every face uses.

Steps (DESIGN.md, "LSP path"):

1. :func:`plan_rename` resolves the symbol at ``path:line:column`` (1-based,
   code points) with ``textDocument/prepareRename`` (servers without it, such
   as pylsp, get a local identifier lookup and a plain rename request), lists
   the call sites (``textDocument/references`` grouped by file, each with the
   enclosing function or class from tree-sitter and the source line), asks the
   server for the ``WorkspaceEdit`` and computes every file's new content in
   memory (:mod:`lsp_bridge.workspace_edit`) with a per-file unified diff.
2. The face shows :attr:`RenamePlan.previews` and asks its
   :class:`~zeph_tui.core.ports.Approver` (or the terminal).
3. :func:`apply_rename` writes all files or none (hash check, temp files and
   ``os.replace``, rollback on failure), optionally checkpoints with git,
   syncs the documents with the servers and reports the diagnostics delta.

Errors: :class:`RenameError` (a :class:`~zeph_tui.core.errors.ZephError`)
wraps every bridge failure.
"""

from __future__ import annotations

import asyncio
import difflib
import re
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsp_bridge import DiagnosticItem, LspBridge, LspBridgeError, RenameTarget
from lsp_bridge.delta import compute_delta
from lsp_bridge.workspace_edit import (
    FileChange,
    PlannedEdit,
    StaleEditError,
    apply_planned_edit,
    plan_workspace_edit,
)
from zeph_tui.core.code.outline import enclosing_symbol, language_for_path
from zeph_tui.core.errors import ZephError
from zeph_tui.core.events import DiffContent, Location

__all__ = [
    "CallSite",
    "RenameError",
    "RenameOutcome",
    "RenamePlan",
    "apply_rename",
    "parse_target",
    "plan_rename",
    "render_call_sites",
]

_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")

Writer = Callable[[Path, str], Awaitable[None]]


class RenameError(ZephError):
    """The rename cannot be planned or applied (message says why; nothing changed)."""


@dataclass(frozen=True, slots=True)
class CallSite:
    """One reference to the renamed symbol.

    Attributes:
        path: absolute file path.
        line, column: 1-based; column in code points.
        enclosing_symbol: qualified name of the enclosing function or class
            (``Class.method``), ``None`` at module level or unknown language.
        text: the source line, stripped.
    """

    path: Path
    line: int
    column: int
    enclosing_symbol: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        """``{path, line, column, enclosing_symbol, text}``."""
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "enclosing_symbol": self.enclosing_symbol,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class RenamePlan:
    """A computed rename, not yet written.

    Attributes:
        root: workspace root (for display).
        target: the symbol's range and old name (``target.supported`` is
            ``False`` when the server lacks prepareRename).
        new_name: the requested name.
        call_sites: references, sorted by path then position.
        edit: every touched file's old and new content.
        diff: per-file unified diffs joined, paths relative to ``root``.
    """

    root: Path
    target: RenameTarget
    new_name: str
    call_sites: tuple[CallSite, ...]
    edit: PlannedEdit
    diff: str

    @property
    def old_name(self) -> str:
        return self.target.placeholder

    @property
    def files(self) -> list[Path]:
        """Files whose content or existence changes."""
        return self.edit.paths

    def previews(self) -> tuple[DiffContent, ...]:
        """One ACP diff per touched file (``old_text`` None for a new file)."""
        return tuple(
            DiffContent(str(c.path), c.old_text, c.new_text or "") for c in self.edit.changes
        )

    def locations(self) -> tuple[Location, ...]:
        """One location per call site (ACP ``locations``)."""
        return tuple(Location(str(s.path), s.line) for s in self.call_sites)

    def grouped(self) -> dict[Path, list[CallSite]]:
        """Call sites grouped by file, in path order."""
        groups: dict[Path, list[CallSite]] = {}
        for site in self.call_sites:
            groups.setdefault(site.path, []).append(site)
        return groups


@dataclass(frozen=True, slots=True)
class RenameOutcome:
    """What :func:`apply_rename` did.

    Attributes:
        plan: the plan applied.
        files_changed: files written or deleted, sorted.
        new: diagnostics the rename introduced in the touched files.
        fixed: diagnostics it made disappear.
        checkpoint: the git checkpoint ref taken before writing, if any.
    """

    plan: RenamePlan
    files_changed: tuple[Path, ...]
    new: tuple[DiagnosticItem, ...] = ()
    fixed: tuple[DiagnosticItem, ...] = ()
    checkpoint: str | None = None
    reports: tuple[str, ...] = field(default=())


def parse_target(target: str) -> tuple[Path, int, int]:
    """Split ``PATH:LINE:COL`` (1-based) into its parts.

    Raises:
        RenameError: not of that shape or non-positive numbers.
    """
    path, _, rest = target.rpartition(":")
    path2, _, line = path.rpartition(":")
    if not path2 or not line.isdigit() or not rest.isdigit():
        raise RenameError(f"expected PATH:LINE:COL (1-based), got {target!r}")
    if int(line) < 1 or int(rest) < 1:
        raise RenameError(f"line and column are 1-based, got {target!r}")
    return Path(path2), int(line), int(rest)


def _call_site(path: Path, line: int, column: int, sources: dict[Path, str]) -> CallSite:
    source = sources.get(path)
    if source is None:
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            source = ""
        sources[path] = source
    lines = source.splitlines()
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    language = language_for_path(path)
    scope = enclosing_symbol(source, language, line) if language else None
    return CallSite(path, line, column, scope, text)


def _diff(plan: PlannedEdit, root: Path) -> str:
    parts: list[str] = []
    for change in plan.changes:
        shown = change.path.relative_to(root) if change.path.is_relative_to(root) else change.path
        old = (change.old_text or "").splitlines(keepends=True)
        new = (change.new_text or "").splitlines(keepends=True)
        a = f"a/{shown}" if change.old_text is not None else "/dev/null"
        b = f"b/{shown}" if change.new_text is not None else "/dev/null"
        parts.append("".join(difflib.unified_diff(old, new, a, b)))
    return "".join(parts)


async def plan_rename(
    bridge: LspBridge, path: Path, line: int, column: int, new_name: str
) -> RenamePlan:
    """Resolve the symbol, list its call sites and compute the edit (nothing written).

    Args:
        bridge: the workspace's bridge (servers start lazily).
        path: file, absolute or relative to ``bridge.root``.
        line, column: 1-based position of the symbol (column in code points).
        new_name: an identifier.

    Raises:
        RenameError: bad name, nothing renameable there, the server refused,
            or the edit cannot be computed.
    """
    if not _NAME.match(new_name):
        raise RenameError(f"{new_name!r} is not an identifier")
    path = (path if path.is_absolute() else bridge.root / path).resolve()
    if not path.is_file():
        raise RenameError(f"no such file: {path}")
    try:
        await _sync(bridge, path)
        target = await bridge.prepare_rename(path, line, column)
        if target.placeholder == new_name:
            raise RenameError(f"the symbol is already named {new_name!r}")
        references, edit = await asyncio.gather(
            bridge.references(path, line, column, include_declaration=False),
            bridge.rename(path, line, column, new_name),
        )
        planned = plan_workspace_edit(edit)
    except LspBridgeError as exc:
        raise RenameError(f"cannot rename at {path.name}:{line}:{column}: {exc}") from exc
    if not planned.changes:
        raise RenameError(f"the server's rename of {target.placeholder!r} changes nothing")
    sources = {c.path: c.old_text for c in planned.changes if c.old_text is not None}
    sites = tuple(_call_site(r.path, r.line, r.col, sources) for r in references)
    return RenamePlan(bridge.root, target, new_name, sites, planned, _diff(planned, bridge.root))


async def apply_rename(
    bridge: LspBridge,
    plan: RenamePlan,
    *,
    writer: Writer | None = None,
    checkpoint_session: str | None = None,
    diagnostics: bool = True,
) -> RenameOutcome:
    """Write the plan (all files or none), sync the servers, report diagnostics.

    Args:
        bridge: the bridge the plan was made with.
        plan: from :func:`plan_rename`.
        writer: write through the face (editor buffers) instead of the disk.
        checkpoint_session: take a git checkpoint under this session id
            first (skipped silently outside a git work tree).
        diagnostics: collect the diagnostics delta of the touched files.

    Raises:
        RenameError: a file changed since planning, or a write failed; every
            file is as it was.
    """
    checkpoint = None
    if checkpoint_session is not None:
        checkpoint = await asyncio.to_thread(_checkpoint, plan.root, checkpoint_session)
    kept = [c for c in plan.edit.changes if c.old_text is not None and c.new_text is not None]
    before = await _baseline(bridge, kept) if diagnostics else {}
    try:
        applied = await apply_planned_edit(plan.edit, writer=writer)
    except StaleEditError as exc:
        raise RenameError(f"{exc}; nothing was written, plan the rename again") from exc
    except LspBridgeError as exc:
        raise RenameError(str(exc)) from exc
    changed = tuple(sorted({*applied.written, *applied.deleted}))
    gone = [p for p in changed if not p.exists()]
    if gone:
        await bridge.sync_from_disk(gone)
    created = [c for c in plan.edit.changes if c.old_text is None and c.new_text is not None]
    new, fixed, texts = await _after(bridge, kept, before) if diagnostics else ([], [], [])
    for change in created:  # e.g. the target of a file rename: opened, no baseline
        await bridge.open_or_change(change.path, change.new_text or "", save=True)
    _remember(bridge, changed)
    return RenameOutcome(plan, changed, tuple(new), tuple(fixed), checkpoint, tuple(texts))


_SYNCED: weakref.WeakKeyDictionary[LspBridge, set[Path]] = weakref.WeakKeyDictionary()


async def _sync(bridge: LspBridge, path: Path) -> None:
    """Make the servers see the disk: the target file analysed, earlier files re-read.

    The first time, the target is opened and its diagnostics awaited (servers
    such as tsserver load the project then); files this module synced before
    are re-sent when they changed on disk since (edits in an editor, git).
    """
    synced = _SYNCED.setdefault(bridge, set())
    if synced:
        await bridge.sync_from_disk(sorted(synced))
    if path not in synced:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        await bridge.open_or_change(path, text, save=False)
        synced.add(path)


def _remember(bridge: LspBridge, paths: Sequence[Path]) -> None:
    _SYNCED.setdefault(bridge, set()).update(p for p in paths if p.exists())


async def _baseline(
    bridge: LspBridge, changes: Sequence[FileChange]
) -> dict[Path, list[DiagnosticItem]]:
    """Diagnostics of the files as they are: known for synced files, else opened and awaited.

    Identical text is never re-sent: servers need not republish for it.
    """
    synced = _SYNCED.get(bridge, set())
    before = {c.path: bridge.diagnostics(c.path) for c in changes if c.path in synced}
    async with asyncio.TaskGroup() as group:
        tasks = {
            c.path: group.create_task(bridge.open_or_change(c.path, c.old_text or "", save=False))
            for c in changes
            if c.path not in synced
        }
    before.update({path: list(task.result().current) for path, task in tasks.items()})
    _remember(bridge, list(tasks))
    return before


async def _after(
    bridge: LspBridge, changes: Sequence[FileChange], before: dict[Path, list[DiagnosticItem]]
) -> tuple[list[DiagnosticItem], list[DiagnosticItem], list[str]]:
    """Send every new text, then re-open files whose errors may be stale.

    Files are analysed while their siblings' changes are still arriving, so a
    file that shows new errors is closed and opened again once all changes
    were sent (servers analyse a fresh open against the latest state).
    """

    async def send(change: FileChange) -> list[DiagnosticItem]:
        return list((await bridge.open_or_change(change.path, change.new_text or "")).current)

    async def reopen(change: FileChange) -> list[DiagnosticItem]:
        await bridge.close(change.path)
        return await send(change)

    after = await _each(changes, send)
    suspects = [c for c in changes if _delta(c, before, after)[0]]
    after.update(await _each(suspects, reopen))
    new: list[DiagnosticItem] = []
    fixed: list[DiagnosticItem] = []
    texts: list[str] = []
    for change in changes:
        added, gone = _delta(change, before, after)
        new += added
        fixed += gone
        texts += [d.render(bridge.root) for d in added]
    return new, fixed, texts


async def _each(
    changes: Sequence[FileChange],
    step: Callable[[FileChange], Coroutine[Any, Any, list[DiagnosticItem]]],
) -> dict[Path, list[DiagnosticItem]]:
    async with asyncio.TaskGroup() as group:
        tasks = {c.path: group.create_task(step(c)) for c in changes}
    return {path: task.result() for path, task in tasks.items()}


def _delta(
    change: FileChange,
    before: dict[Path, list[DiagnosticItem]],
    after: dict[Path, list[DiagnosticItem]],
) -> tuple[list[DiagnosticItem], list[DiagnosticItem]]:
    return compute_delta(
        change.old_text or "",
        change.new_text or "",
        before.get(change.path, []),
        after.get(change.path, []),
    )


def _checkpoint(root: Path, session: str) -> str | None:
    from zeph_tui.core.checkpoints import CheckpointError, create_checkpoint

    try:
        return create_checkpoint(root, session, "before rename").ref
    except CheckpointError:
        return None


def render_call_sites(plan: RenamePlan, *, limit: int = 200) -> str:
    """Call sites grouped by file, for people and the model.

    ``path`` relative to the root, then ``  line:col  in enclosing  |  text``;
    at most ``limit`` sites, with a count of the rest.
    """
    root = plan.root
    count = len(plan.call_sites)
    lines = [
        f"rename {plan.old_name!r} -> {plan.new_name!r}: {count} call site"
        f"{'' if count == 1 else 's'} in {len(plan.grouped())} file(s); "
        f"{len(plan.files)} file(s) to change"
    ]
    shown = 0
    for path, sites in plan.grouped().items():
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        lines.append(f"{rel}:")
        for site in sites:
            if shown >= limit:
                break
            scope = f" in {site.enclosing_symbol}" if site.enclosing_symbol else ""
            lines.append(f"  {site.line}:{site.column}{scope} | {site.text}")
            shown += 1
    if count > shown:
        lines.append(f"  ... {count - shown} more")
    lines += [f"  {op}" for op in plan.edit.operations]
    return "\n".join(lines)
