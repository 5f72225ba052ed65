"""GitPane: ``git status`` and the diff of the working tree."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

__all__ = ["GitPane", "read_git_state"]


def read_git_state(workspace: str, *, max_diff_lines: int = 2000) -> tuple[str, str]:
    """``(status, diff)`` of the work tree at ``workspace`` with gitpython (blocking).

    ``status`` is ``git status --short --branch``; ``diff`` is ``git diff HEAD``
    (staged and unstaged), cut to ``max_diff_lines``. Raises nothing: errors
    come back as the status text.
    """
    import git

    try:
        repo = git.Repo(workspace, search_parent_directories=True)
        status = repo.git.status("--short", "--branch")
        diff = repo.git.diff("HEAD") if repo.head.is_valid() else repo.git.diff()
    except (git.GitError, ValueError) as exc:
        return f"not a git work tree: {exc}", ""
    lines = diff.splitlines()
    if len(lines) > max_diff_lines:
        diff = "\n".join(lines[:max_diff_lines]) + f"\n… {len(lines) - max_diff_lines} more lines"
    return status, diff


class GitPane(VerticalScroll):
    """Attribute down: :meth:`set_state` (status text, unified diff text)."""

    DEFAULT_CSS = """
    GitPane { padding: 0 1; }
    GitPane > Static { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view = Static(Text("Press F5 to refresh.", style="dim"))
        self.status_text = ""
        self.diff_text = ""

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._view

    def set_state(self, status: str, diff: str) -> None:
        self.status_text, self.diff_text = status, diff
        body = Text()
        for line in diff.splitlines():
            style = (
                "bold"
                if line.startswith(("diff ", "+++", "---", "index "))
                else "cyan"
                if line.startswith("@@")
                else "green"
                if line.startswith("+")
                else "red"
                if line.startswith("-")
                else ""
            )
            body.append(line + "\n", style=style)
        head = Text(status + "\n\n" if status else "clean\n\n", style="bold")
        self._view.update(Group(head, body if diff else Text("No changes.", style="dim")))
