"""Project instructions: AGENTS.md / CLAUDE.md from the git root down to the workspace."""

from __future__ import annotations

import subprocess
from pathlib import Path

from zeph_tui.core.session.instructions import find_instruction_files, load_project_instructions


def _git_init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True)


def test_root_and_parents_up_to_git_root(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("ABOVE THE REPO: must not appear\n")
    repo = tmp_path / "repo"
    ws = repo / "packages" / "app"
    ws.mkdir(parents=True)
    _git_init(repo)
    (repo / "AGENTS.md").write_text("repo rules\n")
    (repo / "CLAUDE.md").write_text("claude repo rules\n")
    (repo / "packages" / "AGENTS.md").write_text("packages rules\n")
    (ws / "AGENTS.md").write_text("app rules\n")

    text = load_project_instructions(ws)
    assert "ABOVE THE REPO" not in text
    order = [
        text.index(s) for s in ("repo rules", "claude repo rules", "packages rules", "app rules")
    ]
    assert order == sorted(order)
    assert f"# Project instructions from {repo / 'AGENTS.md'}\n\nrepo rules" in text
    assert f"# Project instructions from {ws / 'AGENTS.md'}\n\napp rules" in text


def test_without_git_only_workspace(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("parent\n")
    ws = tmp_path / "ws"
    ws.mkdir()
    assert load_project_instructions(ws) == ""
    (ws / "CLAUDE.md").write_text("only claude here\n")
    assert load_project_instructions(ws) == (
        f"# Project instructions from {ws / 'CLAUDE.md'}\n\nonly claude here"
    )


def test_git_worktree_file_marks_root(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("outside\n")
    repo = tmp_path / "wt"
    (repo / "sub").mkdir(parents=True)
    (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    (repo / "AGENTS.md").write_text("worktree rules\n")
    text = load_project_instructions(repo / "sub")
    assert "worktree rules" in text
    assert "outside" not in text


def test_symlinked_and_duplicate_files_once(tmp_path: Path) -> None:
    _git_init(tmp_path)
    (tmp_path / "AGENTS.md").write_text("shared rules\n")
    (tmp_path / "CLAUDE.md").symlink_to(tmp_path / "AGENTS.md")
    assert find_instruction_files(tmp_path) == [tmp_path / "AGENTS.md"]
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "AGENTS.md").write_text("shared rules\n")  # same content, other file
    assert load_project_instructions(sub).count("shared rules") == 1


def test_cap_keeps_innermost_and_marks_truncation(tmp_path: Path) -> None:
    _git_init(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "AGENTS.md").write_text("O" * 5000)
    (ws / "AGENTS.md").write_text("I" * 3000)
    text = load_project_instructions(ws, cap_bytes=4000)
    assert "I" * 3000 in text
    assert text.count("O") == 1000
    assert f"[truncated: 1000 of 5000 bytes shown; read {tmp_path / 'AGENTS.md'}" in text
    assert text.index("O") < text.index("I")  # still outermost first

    whole = load_project_instructions(ws)
    assert "truncated" not in whole
    assert whole.count("O") == 5000


def test_cap_zero_for_outer_file(tmp_path: Path) -> None:
    _git_init(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "AGENTS.md").write_text("outer text")
    (ws / "AGENTS.md").write_text("x" * 100)
    text = load_project_instructions(ws, cap_bytes=100)
    assert "[truncated: 0 of 10 bytes shown" in text
    assert "outer text" not in text
