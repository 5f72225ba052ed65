"""Git checkpoints of the working tree that never touch the user's branch or index.

A checkpoint is a commit object whose tree is the working tree as it is
(tracked files with their changes, plus untracked files that are not
ignored), built with a *temporary* index file (``GIT_INDEX_FILE``) and kept
under a hidden ref ``refs/zeph/checkpoints/<session>/<n>``. ``HEAD``, the
branch, the real index and the stash are never changed. Restoring writes the
checkpoint's files back into the working tree (again through a temporary
index) and deletes files created since, then drops the checkpoint ref.

Synchronous (gitpython runs ``git`` processes); call it from a worker thread
(``asyncio.to_thread``) in async code.

Errors: :class:`CheckpointError` (a :class:`~zeph_tui.core.errors.ZephError`)
for a directory that is not a git work tree, a git failure, or no checkpoint.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from zeph_tui.core.errors import ZephError
from zeph_tui.core.text import plural

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "create_checkpoint",
    "list_checkpoints",
    "restore_checkpoint",
    "undo_last",
]

REF_PREFIX = "refs/zeph/checkpoints"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "zeph-tui",
    "GIT_AUTHOR_EMAIL": "zeph-tui@localhost",
    "GIT_COMMITTER_NAME": "zeph-tui",
    "GIT_COMMITTER_EMAIL": "zeph-tui@localhost",
}


class CheckpointError(ZephError):
    """Not a git work tree, git failed, or there is no checkpoint to restore."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint.

    Attributes:
        ref: full ref name, ``refs/zeph/checkpoints/<session>/<n>``.
        commit: hex sha of the checkpoint commit.
        number: ``n``, increasing per session from 1.
        message: first line of the commit message.
        created_at: Unix seconds (the commit's committer time).
    """

    ref: str
    commit: str
    number: int
    message: str
    created_at: float


def _repo(workspace: Path):  # type: ignore[no-untyped-def]
    import git

    try:
        repo = git.Repo(workspace, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise CheckpointError(f"not a git repository: {workspace}") from exc
    if repo.bare:
        raise CheckpointError(f"bare repository has no working tree: {workspace}")
    return repo


@contextmanager
def _temp_index(repo, *, seed: bool) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """An environment with ``GIT_INDEX_FILE`` set to a temporary copy of the index."""
    git_dir = Path(repo.git_dir)
    fd, name = tempfile.mkstemp(prefix="zeph-index-", dir=git_dir)
    os.close(fd)
    os.unlink(name)  # git wants to create it (an empty file is not a valid index)
    real = git_dir / "index"
    if seed and real.exists():
        shutil.copyfile(real, name)  # keeps the stat cache: `add -A` does not rehash everything
    try:
        yield {"GIT_INDEX_FILE": name, **_IDENTITY}
    finally:
        for leftover in (name, name + ".lock"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def _git(repo, env: dict[str, str] | None, *args: str) -> str:  # type: ignore[no-untyped-def]
    import git

    try:
        out: str = repo.git.execute(["git", *args], env={**os.environ, **(env or {})})
    except git.GitCommandError as exc:
        raise CheckpointError(f"git {args[0]} failed: {exc.stderr.strip() or exc}") from exc
    return out


def _snapshot_tree(repo) -> str:  # type: ignore[no-untyped-def]
    """Tree sha of the working tree (tracked + untracked, ignored files excluded)."""
    with _temp_index(repo, seed=True) as env:
        _git(repo, env, "add", "-A", "--", ".")
        return _git(repo, env, "write-tree").strip()


def _session_key(session_id: str) -> str:
    key = _SAFE.sub("_", session_id).strip(".")
    if not key:
        raise CheckpointError(f"invalid session id for a checkpoint ref: {session_id!r}")
    return key


def list_checkpoints(workspace: Path, session_id: str) -> list[Checkpoint]:
    """Checkpoints of ``session_id``, oldest first."""
    repo = _repo(workspace)
    prefix = f"{REF_PREFIX}/{_session_key(session_id)}/"
    out = _git(
        repo,
        None,
        "for-each-ref",
        "--format=%(refname) %(objectname) %(committerdate:unix) %(contents:subject)",
        prefix,
    )
    items: list[Checkpoint] = []
    for line in out.splitlines():
        ref, commit, stamp, *subject = line.split(" ", 3)
        number = ref.rsplit("/", 1)[-1]
        if number.isdigit():
            items.append(Checkpoint(ref, commit, int(number), " ".join(subject), float(stamp)))
    return sorted(items, key=lambda c: c.number)


def create_checkpoint(workspace: Path, session_id: str, message: str = "") -> Checkpoint:
    """Record the working tree now; HEAD, branch and index are left as they are.

    Args:
        workspace: any directory inside the work tree.
        session_id: the session the checkpoint belongs to (ref namespace).
        message: subject of the checkpoint commit (default: "checkpoint <n>").

    Raises:
        CheckpointError: not a git work tree, or git failed.
    """
    repo = _repo(workspace)
    tree = _snapshot_tree(repo)
    existing = list_checkpoints(workspace, session_id)
    number = existing[-1].number + 1 if existing else 1
    subject = (message or f"checkpoint {number}").splitlines()[0][:200]
    parents: list[str] = []
    if existing:
        parents = ["-p", existing[-1].commit]
    elif repo.head.is_valid():
        parents = ["-p", repo.head.commit.hexsha]
    commit = _git(repo, dict(_IDENTITY), "commit-tree", tree, *parents, "-m", subject).strip()
    ref = f"{REF_PREFIX}/{_session_key(session_id)}/{number}"
    _git(repo, None, "update-ref", ref, commit)
    return list_checkpoints(workspace, session_id)[-1]


def restore_checkpoint(workspace: Path, checkpoint: Checkpoint) -> list[str]:
    """Make the working tree equal to ``checkpoint`` (not ignored files only).

    Files are rewritten from the checkpoint; files created since (tracked or
    untracked, not ignored) are deleted. The index and HEAD are not touched.

    Returns:
        Paths (relative to the work tree root) that changed, sorted.

    Raises:
        CheckpointError: git failed.
    """
    repo = _repo(workspace)
    root = Path(repo.working_tree_dir)
    now_tree = _snapshot_tree(repo)
    diff = _git(
        repo,
        None,
        "diff-tree",
        "-r",
        "--no-renames",
        "--name-status",
        f"{checkpoint.commit}^{{tree}}",
        now_tree,
    )
    changed: list[str] = []
    created: list[str] = []
    rewrite: list[str] = []
    for line in diff.splitlines():
        status, _, path = line.partition("\t")
        changed.append(path)
        (created if status == "A" else rewrite).append(path)
    if rewrite:
        with _temp_index(repo, seed=False) as env:
            _git(repo, env, "read-tree", checkpoint.commit)
            _git(repo, env, "checkout-index", "-f", "--", *rewrite)
    for path in created:
        target = root / path
        if target.is_file() or target.is_symlink():
            target.unlink()
            _prune_empty_dirs(target.parent, root)
    return sorted(changed)


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def undo_last(workspace: Path, session_id: str) -> tuple[Checkpoint, list[str]]:
    """Restore the newest checkpoint of ``session_id`` that differs from the tree, and drop it.

    Checkpoints equal to the working tree as it is now (taken before a turn
    that changed no file: a denied command, a cancelled turn, a question) are
    dropped on the way, so one undo always undoes a change.

    Returns:
        The checkpoint restored and the paths that changed (never empty).

    Raises:
        CheckpointError: no checkpoint, no checkpoint that differs from the
            working tree (those equal to it are dropped), or git failed.
    """
    items = list_checkpoints(workspace, session_id)
    if not items:
        raise CheckpointError("no checkpoint to restore in this session")
    repo = _repo(workspace)
    now_tree = _snapshot_tree(repo)
    for checkpoint in reversed(items):
        tree = _git(repo, None, "rev-parse", f"{checkpoint.commit}^{{tree}}").strip()
        if tree != now_tree:
            changed = restore_checkpoint(workspace, checkpoint)
            _git(repo, None, "update-ref", "-d", checkpoint.ref)
            return checkpoint, changed
        _git(repo, None, "update-ref", "-d", checkpoint.ref)
    raise CheckpointError(
        f"no file changed since the oldest checkpoint ({plural(len(items), 'empty checkpoint')} dropped)"
    )
