"""Git checkpoints on real repositories: the branch, HEAD and index stay untouched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from zeph_tui.core.checkpoints import (
    CheckpointError,
    create_checkpoint,
    list_checkpoints,
    restore_checkpoint,
    undo_last,
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def test_checkpoint_and_undo_restore_edits_deletions_and_new_files(workspace: Path) -> None:
    (workspace / ".gitignore").write_text("*.log\n")
    (workspace / "notes.txt").write_text("untracked but kept\n")
    git(workspace, "add", "README.md")  # something staged: the index must survive as is
    (workspace / "README.md").write_text("# demo\nstaged? no, only modified\n")
    head, branch = git(workspace, "rev-parse", "HEAD"), git(workspace, "branch", "--show-current")
    index_before = (workspace / ".git/index").read_bytes()
    status_before = git(workspace, "status", "--porcelain")

    cp = create_checkpoint(workspace, "sess_abc", "before turn 1")
    assert cp.number == 1
    assert cp.ref == "refs/zeph/checkpoints/sess_abc/1"
    assert git(workspace, "rev-parse", "HEAD") == head
    assert (workspace / ".git/index").read_bytes() == index_before
    assert git(workspace, "status", "--porcelain") == status_before
    assert git(workspace, "stash", "list") == ""

    # the agent edits, deletes, creates (and writes an ignored log)
    (workspace / "pkg/calc.py").write_text("broken\n")
    (workspace / "notes.txt").unlink()
    (workspace / "pkg/new_mod.py").write_text("x = 1\n")
    (workspace / "newdir/deep").mkdir(parents=True)
    (workspace / "newdir/deep/f.txt").write_text("y\n")
    (workspace / "debug.log").write_text("ignored\n")

    restored, changed = undo_last(workspace, "sess_abc")
    assert restored == cp
    assert changed == ["newdir/deep/f.txt", "notes.txt", "pkg/calc.py", "pkg/new_mod.py"]
    assert (workspace / "pkg/calc.py").read_text().startswith("def add(")
    assert (workspace / "notes.txt").read_text() == "untracked but kept\n"
    assert not (workspace / "pkg/new_mod.py").exists()
    assert not (workspace / "newdir").exists()
    assert (workspace / "debug.log").exists()  # ignored files are not ours to touch
    assert (workspace / "README.md").read_text() == "# demo\nstaged? no, only modified\n"
    assert git(workspace, "rev-parse", "HEAD") == head
    assert git(workspace, "branch", "--show-current") == branch
    assert git(workspace, "status", "--porcelain") == status_before
    assert list_checkpoints(workspace, "sess_abc") == []


def test_checkpoints_stack_per_session_and_chain(workspace: Path) -> None:
    first = create_checkpoint(workspace, "s1")
    (workspace / "pkg/calc.py").write_text("v2\n")
    second = create_checkpoint(workspace, "s1")
    other = create_checkpoint(workspace, "s2")
    assert [c.number for c in list_checkpoints(workspace, "s1")] == [1, 2]
    assert other.number == 1
    assert git(workspace, "rev-parse", f"{second.commit}^").strip() == first.commit
    (workspace / "pkg/calc.py").write_text("v3\n")
    undo_last(workspace, "s1")
    assert (workspace / "pkg/calc.py").read_text() == "v2\n"
    undo_last(workspace, "s1")
    assert (workspace / "pkg/calc.py").read_text().startswith("def add(")
    with pytest.raises(CheckpointError, match="no checkpoint"):
        undo_last(workspace, "s1")
    assert len(list_checkpoints(workspace, "s2")) == 1
    assert "refs/zeph/checkpoints/s2/1" in git(workspace, "for-each-ref")
    assert "zeph-tui" not in git(workspace, "log", "--format=%an")  # branch history untouched


def test_restore_without_dropping_and_repo_without_commits(tmp_path: Path) -> None:
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("one\n")
    cp = create_checkpoint(repo, "s")
    (repo / "a.txt").write_text("two\n")
    assert restore_checkpoint(repo, cp) == ["a.txt"]
    assert (repo / "a.txt").read_text() == "one\n"
    assert len(list_checkpoints(repo, "s")) == 1
    assert git(repo, "status", "--porcelain") == "?? a.txt\n"


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not a git repository"):
        create_checkpoint(tmp_path, "s")


def test_undo_skips_checkpoints_equal_to_the_tree(workspace: Path) -> None:
    """Edit turn, denied turn, cancelled turn: one undo undoes the edit."""
    create_checkpoint(workspace, "s1", "before the edit turn")
    (workspace / "pkg/calc.py").write_text("edited\n")
    create_checkpoint(workspace, "s1", "before the denied turn")
    create_checkpoint(workspace, "s1", "before the cancelled turn")

    restored, changed = undo_last(workspace, "s1")
    assert restored.number == 1
    assert changed == ["pkg/calc.py"]
    assert (workspace / "pkg/calc.py").read_text().startswith("def add(")
    assert list_checkpoints(workspace, "s1") == []


def test_undo_with_only_empty_checkpoints_says_so_and_drops_them(workspace: Path) -> None:
    create_checkpoint(workspace, "s1")
    create_checkpoint(workspace, "s1")
    with pytest.raises(CheckpointError, match=r"no file changed.*2 empty checkpoints dropped"):
        undo_last(workspace, "s1")
    assert list_checkpoints(workspace, "s1") == []
