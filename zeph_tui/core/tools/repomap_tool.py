"""The ``repo_map`` tool and the repository-map section of the system prompt.

Both use :func:`zeph_tui.core.code.repomap.build_repo_map` (the builder timed by
``bench/repomap.py``), run off the event loop with ``asyncio.to_thread``.

The prompt section is task-independent (ranked by references only) so it
stays the same from turn to turn; it is cached per workspace and rebuilt
when a file under the workspace changes (signature: number of files, newest
mtime and total size over a walk that skips :data:`~zeph_tui.core.code.repomap.SKIP_DIRS`).
A build that takes longer than :data:`SECTION_WAIT_S` does not hold up the
turn: the section is left out and the finished map is used next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zeph_tui.core.errors import ZephError
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult, int_argument

__all__ = [
    "DEFAULT_TOOL_BUDGET_TOKENS",
    "MAX_TOOL_BUDGET_TOKENS",
    "SECTION_BUDGET_TOKENS",
    "SECTION_WAIT_S",
    "RepoMapSection",
    "RepoMapTool",
    "tree_signature",
]

DEFAULT_TOOL_BUDGET_TOKENS = 2048
MAX_TOOL_BUDGET_TOKENS = 16_384
SECTION_BUDGET_TOKENS = 1000
SECTION_WAIT_S = 2.5

log = logging.getLogger(__name__)


class RepoMapTool(Tool, name="repo_map", kind="search", read_only=True):
    """``repo_map(task?, budget_tokens?)``: a ranked outline of the workspace's source files."""

    def title(self, args: Mapping[str, Any]) -> str:
        task = str(args.get("task") or "").strip()
        return f"Repo map: {task[:60]}" if task else "Repo map"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        budget = int_argument(
            args, "budget_tokens", DEFAULT_TOOL_BUDGET_TOKENS, 1, MAX_TOOL_BUDGET_TOKENS
        )
        task = str(args.get("task") or "")
        from zeph_tui.core.code.repomap import build_repo_map  # tree-sitter: on first use

        repo_map = await asyncio.to_thread(
            build_repo_map, ctx.workspace, task=task, budget_tokens=budget
        )
        if not repo_map.text:
            return ToolResult("no source files found in the workspace")
        shown = len({s.path for s in repo_map.symbols})
        header = (
            f"[repo map: {len(repo_map.files)} source files, symbols of {shown} shown; "
            f"~{repo_map.tokens} of {budget} tokens]"
        )
        return ToolResult(f"{header}\n{repo_map.text}")


def tree_signature(root: Path) -> tuple[int, int, int]:
    """(files, newest mtime in ns, total bytes) under ``root``, skipping SKIP_DIRS and dot-dirs."""
    from zeph_tui.core.code.repomap import SKIP_DIRS

    count = newest = total = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            with contextlib.suppress(OSError):
                st = os.stat(os.path.join(directory, name), follow_symlinks=False)
                count += 1
                total += st.st_size
                newest = max(newest, st.st_mtime_ns)
    return count, newest, total


@dataclass(slots=True)
class _Entry:
    signature: tuple[int, int, int]
    build: asyncio.Future[str]


class _HasWorkspace(Protocol):
    """What a prompt section needs of the session: its workspace root."""

    @property
    def workspace(self) -> Path: ...


class RepoMapSection:
    """A system prompt section (``PromptSection``): the repo map within a small budget.

    Args:
        budget_tokens: size of the map in the prompt.
        wait_s: longest wait for a build before the section is left out this turn.
    """

    def __init__(
        self, budget_tokens: int = SECTION_BUDGET_TOKENS, wait_s: float = SECTION_WAIT_S
    ) -> None:
        self.budget_tokens = budget_tokens
        self.wait_s = wait_s
        self._cache: dict[Path, _Entry] = {}
        self.builds = 0

    async def __call__(self, session: _HasWorkspace, user_text: str) -> str:
        text = await self.text(session.workspace)
        if not text:
            return ""
        return (
            "# Repository map\n"
            "Ranked outline of the workspace's source files (call repo_map with a task "
            "for a focused, larger one):\n" + text
        )

    async def text(self, workspace: Path) -> str:
        """The map text for ``workspace`` ('' when empty or still building)."""
        root = await asyncio.to_thread(workspace.resolve)
        signature = await asyncio.to_thread(tree_signature, root)
        entry = self._cache.get(root)
        if entry is None or entry.signature != signature:
            self.builds += 1
            build = asyncio.ensure_future(asyncio.to_thread(self._build, root))
            entry = self._cache[root] = _Entry(signature, build)
        try:
            async with asyncio.timeout(self.wait_s):
                return await asyncio.shield(entry.build)
        except TimeoutError:
            return ""
        except (ZephError, OSError) as exc:
            log.warning("repo map of %s failed: %s", root, exc)
            return ""

    async def aclose(self) -> None:
        """Cancel builds still running (their threads finish on their own)."""
        for entry in self._cache.values():
            entry.build.cancel()
            with contextlib.suppress(BaseException):
                await entry.build
        self._cache.clear()

    def _build(self, root: Path) -> str:
        from zeph_tui.core.code.repomap import build_repo_map

        return build_repo_map(root, budget_tokens=self.budget_tokens).text
