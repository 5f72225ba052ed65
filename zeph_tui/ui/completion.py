"""Completion sources for the prompt: slash commands and ``@path`` mentions (no Textual)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from zeph_tui.core.session.prompt_blocks import (
    EmbeddedResource,
    PromptBlock,
    ResourceLink,
    TextBlock,
)

if TYPE_CHECKING:
    from zeph_tui.core import Command

__all__ = [
    "FileIndex",
    "complete_slash",
    "mentions",
    "prompt_blocks",
]


def complete_slash(prefix: str, commands: Sequence[Command]) -> list[tuple[str, str]]:
    """``(text to insert, label)`` for ``commands`` whose name starts with ``prefix`` (no slash)."""
    prefix = prefix.lower()
    return [
        (f"/{c.name} ", f"/{c.name} {c.hint}".rstrip() + f" — {c.description}")
        for c in commands
        if c.name.startswith(prefix)
    ]


def mentions(text: str) -> list[str]:
    """The ``@path`` tokens of a prompt, in order, without the ``@``."""
    return [
        word[1:].rstrip(",.;:") for word in text.split() if word.startswith("@") and len(word) > 1
    ]


class FileIndex:
    """The files of a workspace for ``@`` completion, matched fuzzily with rapidfuzz.

    Args:
        root: workspace root.
        max_files: stop listing after this many (huge trees stay cheap).
    """

    def __init__(self, root: Path, *, max_files: int = 50_000) -> None:
        self.root = root
        self.max_files = max_files
        self.paths: list[str] = []

    def refresh(self) -> None:
        """List files (blocking): ``git ls-files`` with untracked, else a walk skipping dot dirs."""
        try:
            import git

            repo = git.Repo(self.root, search_parent_directories=True)
            out = repo.git.ls_files("--cached", "--others", "--exclude-standard")
            prefix = os.path.relpath(self.root, repo.working_tree_dir)
            paths = out.splitlines()
            if prefix != ".":
                paths = [os.path.relpath(p, prefix) for p in paths if p.startswith(prefix + "/")]
            self.paths = paths[: self.max_files]
            return
        except Exception:  # not a repository (or git missing): walk instead
            pass
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "node_modules"]
            for name in filenames:
                found.append(os.path.relpath(os.path.join(dirpath, name), self.root))
                if len(found) >= self.max_files:
                    self.paths = found
                    return
        self.paths = found

    def match(self, query: str, limit: int = 8) -> list[str]:
        """Best paths for ``query`` (empty query: the first paths)."""
        if not query:
            return self.paths[:limit]
        from rapidfuzz import fuzz, process

        results = process.extract(query, self.paths, scorer=fuzz.WRatio, limit=limit * 3)
        ranked: Sequence[tuple[str, float, int]] = sorted(
            results, key=lambda r: (-r[1], len(r[0]), r[0])
        )
        return [r[0] for r in ranked[:limit]]


def prompt_blocks(text: str, workspace: Path) -> list[PromptBlock]:
    """The prompt text plus the files it mentions with ``@path`` (up to 100 KB each)."""
    blocks: list[PromptBlock] = [TextBlock(text)]
    for mention in mentions(text):
        path = (workspace / mention).resolve()
        if not path.is_file() or not path.is_relative_to(workspace):
            continue
        uri = path.as_uri()
        if path.stat().st_size <= 100_000:
            content = path.read_text(encoding="utf-8", errors="replace")
            blocks.append(EmbeddedResource(uri, content))
        else:
            blocks.append(ResourceLink(uri, mention))
    return blocks
