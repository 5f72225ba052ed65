"""Search tools: ``glob`` and ``grep`` over the workspace.

Both skip VCS, virtualenv and cache folders and honour the workspace's
root ``.gitignore`` (via the ``pathspec`` library). Results are capped so a
broad pattern cannot flood the context; the cap is stated in the result.
"""

from __future__ import annotations

import asyncio
import errno
import fnmatch
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import ToolInputError
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["MAX_GREP_FILE_BYTES", "Glob", "Grep", "WalkNotes", "walk_files"]

_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        "dist",
        "build",
        ".zeph",
    }
)
_MAX_GLOB_RESULTS = 500
_MAX_GREP_MATCHES = 300
MAX_GREP_FILE_BYTES = 2 * 1024 * 1024
"""Files larger than this are not searched by ``grep`` (named in its result)."""
_MAX_NOTES_SHOWN = 20


def _gitignore(root: Path) -> Any:
    ignore = root / ".gitignore"
    if not ignore.is_file():
        return None
    import pathspec

    return pathspec.PathSpec.from_lines(
        "gitwildmatch", ignore.read_text(errors="replace").splitlines()
    )


@dataclass
class WalkNotes:
    """What a walk could not look into, for the tool result.

    Attributes:
        skipped: ``(display path, reason)`` per file or folder left out, in walk order.
    """

    skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, shown: str, reason: str) -> None:
        self.skipped.append((shown, reason))

    def render(self, max_shown: int = _MAX_NOTES_SHOWN) -> str:
        """``""`` when nothing was skipped, else a bracketed block naming each (capped)."""
        if not self.skipped:
            return ""
        lines = [f"  {shown}: {reason}" for shown, reason in self.skipped[:max_shown]]
        more = len(self.skipped) - max_shown
        if more > 0:
            lines.append(f"  ... and {more} more")
        return f"[skipped {len(self.skipped)}:\n" + "\n".join(lines) + "]"


def walk_files(
    base: Path, root: Path, notes: WalkNotes | None = None, roots: WorkspaceRoots | None = None
) -> Iterator[Path]:
    """Yield files under ``base`` (sorted, depth-first), skipping ignored ones.

    Never raises for one bad entry: unreadable folders, symlink loops, broken
    symlinks and (when ``roots`` is given) symlinks that lead outside the
    allowed roots are left out and recorded in ``notes``. Symlinked folders
    are not followed (as ``os.walk``), so a folder loop cannot recurse.

    Args:
        base: the folder to walk.
        root: the workspace root (``.gitignore`` and display paths).
        notes: receives ``(path, reason)`` for every entry left out.
        roots: confinement used to check where file symlinks point.
    """
    spec = _gitignore(root)
    notes = notes if notes is not None else WalkNotes()
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            notes.add(_shown(Path(folder), root), f"unreadable folder ({_reason(exc)})")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if spec is not None and spec.match_file(_rel(path, root, entry)):
                continue
            kind = _entry_kind(entry, path, root, notes, roots)
            if kind == "dir":
                if entry.name not in _SKIP_DIRS:
                    subdirs.append(path)
            elif kind == "file":
                yield path
        stack.extend(reversed(subdirs))


def _rel(path: Path, root: Path, entry: os.DirEntry[str]) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = entry.name
    return rel + "/" if _is_real_dir(entry) else rel


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _entry_kind(
    entry: os.DirEntry[str],
    path: Path,
    root: Path,
    notes: WalkNotes,
    roots: WorkspaceRoots | None,
) -> str:
    """``"dir"``, ``"file"`` or ``"skip"`` (recorded in ``notes`` when worth saying)."""
    if _is_real_dir(entry):
        return "dir"
    if not entry.is_symlink():
        return "file"
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        notes.add(_shown(path, root), "symlink loop")
        return "skip"
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else "broken symlink"
        notes.add(_shown(path, root), reason)
        return "skip"
    if target.is_dir():
        return "skip"  # symlinked folders are not followed
    if roots is not None and not any(target.is_relative_to(r) for r in roots.read_roots):
        notes.add(_shown(path, root), "symlink to a file outside the workspace")
        return "skip"
    return "file"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class Glob(Tool, name="glob", kind="search"):
    def title(self, args: Mapping[str, Any]) -> str:
        return f"Glob {args.get('pattern', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        base = ctx.roots.resolve_for_read(args.get("path") or ".")
        pattern = args["pattern"]
        return await asyncio.to_thread(self._run_sync, ctx, base, pattern)

    def _run_sync(self, ctx: ToolContext, base: Path, pattern: str) -> ToolResult:
        regex = re.compile(_glob_to_regex(pattern))
        notes = WalkNotes()
        dated: list[tuple[float, Path]] = []
        for p in walk_files(base, ctx.workspace, notes, ctx.roots):
            if not regex.fullmatch(p.relative_to(base).as_posix()):
                continue
            try:
                dated.append((-p.stat().st_mtime, p))
            except OSError as exc:  # vanished or became a loop since the walk
                notes.add(ctx.roots.display_path(p), f"cannot stat ({_reason(exc)})")
        dated.sort(key=lambda item: (item[0], item[1].as_posix()))
        shown = [ctx.roots.display_path(p) for _, p in dated[:_MAX_GLOB_RESULTS]]
        text = "\n".join(shown) if shown else f"no files match {pattern!r}"
        if len(dated) > _MAX_GLOB_RESULTS:
            text += f"\n[{len(dated)} matches; first {_MAX_GLOB_RESULTS} shown, narrow the pattern]"
        skipped = notes.render()
        return ToolResult(f"{text}\n{skipped}" if skipped else text)


def _glob_to_regex(pattern: str) -> str:
    """Translate a glob with ``**`` (any depth), ``*``, ``?`` and ``[...]`` to a regex."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                out.append(pattern[i : end + 1])
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


class Grep(Tool, name="grep", kind="search"):
    def title(self, args: Mapping[str, Any]) -> str:
        return f"Grep {args.get('pattern', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            regex = re.compile(args["pattern"])
        except re.error as exc:
            raise ToolInputError(f"invalid regex {args['pattern']!r}: {exc}") from exc
        base = ctx.roots.resolve_for_read(args.get("path") or ".")
        return await asyncio.to_thread(self._run_sync, ctx, base, regex, args.get("glob"))

    def _run_sync(
        self, ctx: ToolContext, base: Path, regex: re.Pattern[str], name_glob: str | None
    ) -> ToolResult:
        notes = WalkNotes()
        files = [base] if base.is_file() else walk_files(base, ctx.workspace, notes, ctx.roots)
        matches: list[str] = []
        total = 0
        for path in files:
            if name_glob and not (
                fnmatch.fnmatch(path.name, name_glob)
                or fnmatch.fnmatch(_shown(path, ctx.workspace), name_glob)
            ):
                continue
            shown = ctx.roots.display_path(path)
            data = _grep_bytes(path, shown, notes)
            if data is None:
                continue
            for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if regex.search(line):
                    total += 1
                    if len(matches) < _MAX_GREP_MATCHES:
                        matches.append(f"{shown}:{n}: {line.strip()[:300]}")
        text = "\n".join(matches) if matches else f"no matches for {regex.pattern!r}"
        if total > len(matches):
            text += f"\n[{total} matches; first {len(matches)} shown, narrow the search]"
        skipped = notes.render()
        return ToolResult(f"{text}\n{skipped}" if skipped else text)


def _grep_bytes(path: Path, shown: str, notes: WalkNotes) -> bytes | None:
    """The file's bytes, or None (with the reason in ``notes``) when it is not searched."""
    try:
        size = path.stat().st_size
        if size > MAX_GREP_FILE_BYTES:
            notes.add(
                shown,
                f"{_mib(size)} is over grep's {_mib(MAX_GREP_FILE_BYTES)} limit "
                "(use bash grep for it)",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        notes.add(shown, f"unreadable ({_reason(exc)})")
        return None
    if b"\0" in data[:8192]:
        notes.add(shown, "binary")
        return None
    return data


def _mib(size_bytes: int) -> str:
    return f"{size_bytes / (1024 * 1024):.1f} MiB ({size_bytes} bytes)"
