"""Search tools: ``glob`` and ``grep`` over the workspace.

Both skip VCS, virtualenv and cache folders and honour the workspace's
root ``.gitignore`` (via the ``pathspec`` library). Results are capped so a
broad pattern cannot flood the context; the cap is stated in the result.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from zeph_tui.core.errors import ToolInputError
from zeph_tui.core.events import ToolKind
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["Glob", "Grep", "walk_files"]

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
_MAX_FILE_BYTES = 2 * 1024 * 1024


def _gitignore(root: Path) -> Any:
    ignore = root / ".gitignore"
    if not ignore.is_file():
        return None
    import pathspec

    return pathspec.PathSpec.from_lines(
        "gitwildmatch", ignore.read_text(errors="replace").splitlines()
    )


def walk_files(base: Path, root: Path) -> Iterator[Path]:
    """Yield files under ``base`` (sorted, depth-first), skipping ignored ones."""
    spec = _gitignore(root)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if spec is not None:
                try:
                    rel = path.relative_to(root).as_posix()
                except ValueError:
                    rel = name
                if spec.match_file(rel):
                    continue
            yield path


class Glob(Tool):
    name: ClassVar[str] = "glob"
    description: ClassVar[str] = (
        "Find files by glob pattern (e.g. '**/*.py', 'src/*.ts'), relative to the workspace "
        "or to path. Returns matching paths, most recently modified first."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "Glob pattern, '**' matches folders."},
            "path": {"type": "string", "description": "Folder to search in (default: workspace)."},
        },
        "required": ["pattern"],
    }
    kind: ClassVar[ToolKind] = "search"

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Glob {args.get('pattern', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        base = ctx.roots.resolve_for_read(args.get("path") or ".")
        pattern = args["pattern"]
        return await asyncio.to_thread(self._run_sync, ctx, base, pattern)

    def _run_sync(self, ctx: ToolContext, base: Path, pattern: str) -> ToolResult:
        regex = re.compile(_glob_to_regex(pattern))
        hits = [
            p
            for p in walk_files(base, ctx.workspace)
            if regex.fullmatch(p.relative_to(base).as_posix())
        ]
        hits.sort(key=lambda p: (-p.stat().st_mtime, p.as_posix()))
        shown = [ctx.roots.display_path(p) for p in hits[:_MAX_GLOB_RESULTS]]
        if not shown:
            return ToolResult(f"no files match {pattern!r}")
        text = "\n".join(shown)
        if len(hits) > _MAX_GLOB_RESULTS:
            text += f"\n[{len(hits)} matches; first {_MAX_GLOB_RESULTS} shown, narrow the pattern]"
        return ToolResult(text)


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


class Grep(Tool):
    name: ClassVar[str] = "grep"
    description: ClassVar[str] = (
        "Search file contents with a regular expression (Python syntax). Returns "
        "'path:line: text' for each match. Narrow with path (a folder or file) and glob "
        "(e.g. '*.py')."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "Regular expression."},
            "path": {"type": "string", "description": "Folder or file (default: workspace)."},
            "glob": {"type": "string", "description": "Only files whose name matches."},
        },
        "required": ["pattern"],
    }
    kind: ClassVar[ToolKind] = "search"

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
        files = [base] if base.is_file() else walk_files(base, ctx.workspace)
        matches: list[str] = []
        total = 0
        for path in files:
            if name_glob and not (
                fnmatch.fnmatch(path.name, name_glob)
                or fnmatch.fnmatch(path.relative_to(ctx.workspace).as_posix(), name_glob)
            ):
                continue
            try:
                if path.stat().st_size > _MAX_FILE_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:8192]:
                continue  # binary
            shown = ctx.roots.display_path(path)
            for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if regex.search(line):
                    total += 1
                    if len(matches) < _MAX_GREP_MATCHES:
                        matches.append(f"{shown}:{n}: {line.strip()[:300]}")
        if not matches:
            return ToolResult(f"no matches for {regex.pattern!r}")
        text = "\n".join(matches)
        if total > len(matches):
            text += f"\n[{total} matches; first {len(matches)} shown, narrow the search]"
        return ToolResult(text)
