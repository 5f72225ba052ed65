"""Rename a symbol with its call sites: the one flow every face uses.

Steps (DESIGN.md, "LSP path"):

1. :func:`plan_rename` resolves the symbol at ``path:line:column`` (1-based,
   code points) with ``textDocument/prepareRename`` (servers without it, such
   as pylsp, get a local identifier lookup and a plain rename request), asks
   the server for the ``WorkspaceEdit``, lists the call sites (where that edit
   changes text, grouped by file, each classified definition / import / call /
   other reference, with the enclosing function or class from tree-sitter and
   the source line) and computes every file's new content in memory
   (:mod:`lsp_bridge.workspace_edit`) with a per-file unified diff.
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsp_bridge import DiagnosticItem, LspBridge, LspBridgeError, RenameTarget
from lsp_bridge import Location as SourceLocation
from lsp_bridge.positions import from_lsp_position, split_lines
from lsp_bridge.workspace_edit import (
    PlannedEdit,
    StaleEditError,
    apply_planned_edit,
    edit_starts,
    plan_workspace_edit,
)
from zeph_tui.core.code.call_sites import KINDS, CallSite, parsed
from zeph_tui.core.code.call_sites import call_sites as _call_sites
from zeph_tui.core.code.outline import language_for_path
from zeph_tui.core.code.rename_checks import (
    RenameError,
    RenameRefused,
    check_in_workspace,
    check_new_name,
    check_saved,
    shown_path,
    symbol_at,
)
from zeph_tui.core.code.rename_sync import after, baseline, remember, server_prepare, sync_target
from zeph_tui.core.events import DiffContent, Location
from zeph_tui.core.text import plural

if TYPE_CHECKING:
    from lsprotocol.types import WorkspaceEdit

__all__ = [
    "CallSite",
    "RenameError",
    "RenameOutcome",
    "RenamePlan",
    "RenameRefused",
    "apply_rename",
    "check_target",
    "parse_target",
    "plan_rename",
    "prepare_rename",
    "render_call_sites",
    "summary_line",
]


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
        server_edit: the server's own ``WorkspaceEdit`` (LSP units, UTF-16),
            which a face can pass on instead of recomputing edits.
        summary: :func:`summary_line` of this plan, built once by
            :func:`plan_rename` (``""``: built on use).
    """

    root: Path
    target: RenameTarget
    new_name: str
    call_sites: tuple[CallSite, ...]
    edit: PlannedEdit
    server_edit: WorkspaceEdit | None = None
    summary: str = ""

    @property
    def old_name(self) -> str:
        return self.target.placeholder

    @property
    def diff(self) -> str:
        """Per-file unified diffs joined, paths relative to ``root`` (computed on use)."""
        return _diff(self.edit, self.root)

    @property
    def files(self) -> list[Path]:
        """Files whose content or existence changes."""
        return self.edit.paths

    def previews(self) -> tuple[DiffContent, ...]:
        """One ACP diff per touched file (``old_text`` None for a new file)."""
        return tuple(
            DiffContent(str(c.path), c.old_text, c.new_text or "") for c in self.edit.changes
        )

    def references(self) -> tuple[CallSite, ...]:
        """Every site but the definition: calls, other references and imports."""
        return tuple(s for s in self.call_sites if s.kind != "definition")

    def locations(self) -> tuple[Location, ...]:
        """One location per reference, imports included, the definition not (ACP ``locations``)."""
        return tuple(Location(str(s.path), s.line) for s in self.references())

    def uses(self) -> tuple[CallSite, ...]:
        """The sites that count as call sites: calls and other references (no imports, no definition)."""
        return tuple(s for s in self.call_sites if s.kind in ("call", "reference"))

    def grouped(self, sites: Sequence[CallSite] | None = None) -> dict[Path, list[CallSite]]:
        """``sites`` (default: :meth:`uses`) grouped by file, in path order."""
        groups: dict[Path, list[CallSite]] = {}
        for site in self.uses() if sites is None else sites:
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
        raise RenameRefused(f"expected PATH:LINE:COL (1-based), got {target!r}")
    if int(line) < 1 or int(rest) < 1:
        raise RenameRefused(f"line and column are 1-based, got {target!r}")
    return Path(path2), int(line), int(rest)


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


def _resolve(bridge: LspBridge, path: Path) -> Path:
    path = (path if path.is_absolute() else bridge.root / path).resolve()
    check_in_workspace(path, bridge.root)
    if not path.is_file():
        raise RenameRefused(f"no such file: {path}")
    return path


async def check_target(
    bridge: LspBridge, path: Path, line: int, column: int, *, buffer_text: str | None = None
) -> RenameTarget:
    """The local checks of a rename target, no server asked (``prepareRename`` of the LSP face).

    Refusals, in order (messages in :mod:`zeph_tui.core.code.rename_checks`):
    outside the workspace, unsaved editor buffer, not on an identifier, on a
    keyword, in a comment or a string.

    Args:
        bridge: the workspace's bridge (only its root is used).
        path: file, absolute or relative to ``bridge.root``.
        line, column: 1-based (column in code points).
        buffer_text: the editor's buffer of ``path`` (``None`` without an editor).

    Returns:
        The identifier's range and name (1-based, code points), with
        ``server="local"`` and ``supported=False``: the server's own
        ``prepareRename`` answer comes with :func:`plan_rename`.

    Raises:
        RenameError: refused (the message says why).
    """
    path = _resolve(bridge, path)
    disk = bridge.disk_text(path)  # the text the bridge holds at the file's stamp: no read
    if disk is None:
        disk = await asyncio.to_thread(_read_disk, path)
    check_saved(path, bridge.root, buffer_text, disk)
    shown = shown_path(path, bridge.root)
    start, end, word = symbol_at(disk, line, column, language_for_path(path), shown)
    source_line = disk.splitlines()[line - 1]
    return RenameTarget(
        SourceLocation(path, line, start, line, end, source_line), word, "local", False
    )


def _read_disk(path: Path) -> str:
    """The file's text, line ends as on disk (as an editor's buffer has them)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        return f.read()


async def prepare_rename(
    bridge: LspBridge, path: Path, line: int, column: int, *, buffer_text: str | None = None
) -> RenameTarget:
    """Check that the symbol at ``path:line:column`` can be renamed (LSP ``prepareRename``).

    :func:`check_target`, then the server's own ``prepareRename`` answer.

    Returns:
        The symbol's range and current name (1-based, code points).

    Raises:
        RenameError: refused (the message says why).
    """
    local = await check_target(bridge, path, line, column, buffer_text=buffer_text)
    path = local.location.path
    try:
        await sync_target(bridge, path)
        return await bridge.prepare_rename(path, line, column)
    except LspBridgeError as exc:
        raise _cannot(bridge, path, line, column, exc) from exc


def _cannot(bridge: LspBridge, path: Path, line: int, column: int, exc: Exception) -> RenameError:
    return RenameError(f"cannot rename at {shown_path(path, bridge.root)}:{line}:{column}: {exc}")


async def plan_rename(
    bridge: LspBridge,
    path: Path,
    line: int,
    column: int,
    new_name: str,
    *,
    buffer_text: str | None = None,
) -> RenamePlan:
    """Resolve the symbol, list its call sites and compute the edit (nothing written).

    The server's ``prepareRename`` and ``rename`` requests go out together
    (one wait, not two); the edit is used only when the prepare accepts.

    Args:
        bridge: the workspace's bridge (servers start lazily).
        path: file, absolute or relative to ``bridge.root``.
        line, column: 1-based position of the symbol (column in code points).
        new_name: an identifier of the file's language.
        buffer_text: the editor's buffer of ``path``, to refuse unsaved changes.

    Raises:
        RenameError: bad name, nothing renameable there, the server refused,
            or the edit cannot be computed (see :func:`prepare_rename`).
    """
    check_new_name(new_name, language_for_path(path))
    local = await check_target(bridge, path, line, column, buffer_text=buffer_text)
    path = local.location.path
    if local.placeholder == new_name:
        raise RenameRefused(f"the symbol is already named {new_name!r}")
    try:
        await sync_target(bridge, path)
        target, edit = await asyncio.gather(
            server_prepare(bridge, path, line, column),  # sent ahead by the LSP face
            bridge.rename(path, line, column, new_name),
            return_exceptions=True,
        )
        if isinstance(target, BaseException):
            raise target
        if target.placeholder == new_name:
            raise RenameRefused(f"the symbol is already named {new_name!r}")
        if isinstance(edit, BaseException):
            raise edit
        planned = plan_workspace_edit(edit, bridge.disk_texts())  # read by sync_target
    except LspBridgeError as exc:
        raise _cannot(bridge, path, line, column, exc) from exc
    if not planned.changes:
        raise RenameError(f"the server's rename of {target.placeholder!r} changes nothing")
    sources = {c.path: c.old_text for c in planned.changes if c.old_text is not None}
    if parsed(sources.items()):  # nothing to parse: no thread hop
        sites = _sites(edit, sources)
    else:
        sites = await asyncio.to_thread(_sites, edit, sources)
    plan = RenamePlan(bridge.root, target, new_name, sites, planned, edit)
    return replace(plan, summary=summary_line(plan))  # the question, the log, the message


def _sites(edit: WorkspaceEdit, sources: dict[Path, str]) -> tuple[CallSite, ...]:
    """The call sites: where the server's rename edits text (one request, not two).

    The edit touches exactly the symbol's references (the definition and
    imports included), so a separate ``textDocument/references`` would only
    repeat the server's work.
    """
    points = []
    lines: dict[Path, list[str]] = {}
    for path, position in edit_starts(edit):
        text = sources.get(path)
        if text is None:
            continue  # a file only moved or created
        if path not in lines:
            lines[path] = split_lines(text)
        line, column = from_lsp_position(lines[path], position)
        points.append((path, line, column))
    return _call_sites(points, sources)


#: writes one file's new text through a face (``await writer(path, text)``), e.g. editor buffers
Writer = Callable[[Path, str], Awaitable[None]]


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
    before = await baseline(bridge, kept) if diagnostics else {}
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
    names = (plan.old_name, plan.new_name)
    new, fixed, texts = await after(bridge, kept, before, names) if diagnostics else ([], [], [])
    for change in created:  # e.g. the target of a file rename: opened, no baseline
        await bridge.open_or_change(change.path, change.new_text or "", save=True)
    remember(bridge, changed)
    return RenameOutcome(plan, changed, tuple(new), tuple(fixed), checkpoint, tuple(texts))


def _checkpoint(root: Path, session: str) -> str | None:
    from zeph_tui.core.checkpoints import CheckpointError, create_checkpoint

    try:
        return create_checkpoint(root, session, "before rename").ref
    except CheckpointError:
        return None


def summary_line(plan: RenamePlan) -> str:
    """``N call sites in M files: file: enclosing symbol, ...`` (imports and definition apart).

    The line a face shows before applying (``window/showMessageRequest``);
    :attr:`RenamePlan.summary` when the plan has it.
    """
    if plan.summary:
        return plan.summary
    uses = plan.grouped()
    places = []
    for path, sites in uses.items():
        scopes = sorted({s.enclosing_symbol or "<module>" for s in sites})
        places.append(f"{shown_path(path, plan.root)}: {', '.join(scopes)}")
    imports = [s for s in plan.call_sites if s.kind == "import"]
    head = f"{plural(len(plan.uses()), 'call site')} in {plural(len(uses), 'file')}"
    line = f"{head}: {'; '.join(places)}" if places else head
    if imports:
        files = sorted({shown_path(s.path, plan.root) for s in imports})
        line += f" (and {plural(len(imports), 'import')}: {', '.join(files)})"
    return line


def render_call_sites(plan: RenamePlan, *, limit: int = 200) -> str:
    """Call sites grouped by file and kind, for people and the model.

    A head line (old -> new, counts by kind), then per kind (definition,
    imports, calls, other references) ``path`` relative to the root and
    ``  line:col  in enclosing  |  text``; at most ``limit`` sites, with a
    count of the rest; then the file operations.
    """
    counts = {k: sum(1 for s in plan.call_sites if s.kind == k) for k in KINDS}
    lines = [
        f"rename {plan.old_name!r} -> {plan.new_name!r}: {summary_line(plan)}; "
        f"{plural(counts['call'], 'call')}, {plural(counts['reference'], 'other reference')}, "
        f"{plural(counts['import'], 'import')}, {plural(counts['definition'], 'definition')}; "
        f"{len(plan.files)} file(s) to change"
    ]
    titles = {"definition": "definition", "import": "imports", "call": "calls",
              "reference": "other references"}  # fmt: skip
    shown = 0
    for kind in KINDS:
        sites = [s for s in plan.call_sites if s.kind == kind]
        if not sites:
            continue
        lines.append(f"{titles[kind]}:")
        for path, group in plan.grouped(sites).items():
            lines.append(f"  {shown_path(path, plan.root)}:")
            for site in group:
                if shown >= limit:
                    break
                scope = f" in {site.enclosing_symbol}" if site.enclosing_symbol else ""
                lines.append(f"    {site.line}:{site.column}{scope} | {site.text}")
                shown += 1
    if len(plan.call_sites) > shown:
        lines.append(f"  ... {len(plan.call_sites) - shown} more")
    lines += [f"  {op}" for op in plan.edit.operations]
    return "\n".join(lines)
