"""The work tree's ``git status`` and diff, read with gitpython (no Textual)."""

from __future__ import annotations

__all__ = ["read_git_state"]


def read_git_state(workspace: str, *, max_diff_lines: int = 2000) -> tuple[str, str]:
    """``(status, diff)`` of the work tree at ``workspace`` with gitpython (blocking).

    ``status`` is ``git status --short --branch``; ``diff`` is ``git diff HEAD``
    (staged and unstaged), cut to ``max_diff_lines``. Raises nothing: errors
    come back as the status text.
    """
    import git

    try:  # closing the repo ends its `git cat-file` helpers (no child outlives the call)
        with git.Repo(workspace, search_parent_directories=True) as repo:
            status = repo.git.status("--short", "--branch")
            diff = repo.git.diff("HEAD") if repo.head.is_valid() else repo.git.diff()
    except (git.GitError, ValueError) as exc:
        return f"not a git work tree: {exc}", ""
    lines = diff.splitlines()
    if len(lines) > max_diff_lines:
        diff = "\n".join(lines[:max_diff_lines]) + f"\n… {len(lines) - max_diff_lines} more lines"
    return status, diff
