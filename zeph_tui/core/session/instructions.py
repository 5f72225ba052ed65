"""Project instructions: AGENTS.md (and CLAUDE.md) from the workspace up to the git root.

Files are read from every directory between the git root (the nearest
ancestor holding ``.git``, a folder or a worktree file) and the workspace,
outermost first, so the most specific instructions come last. Without a git
root only the workspace itself is read. In each directory ``AGENTS.md``
comes before ``CLAUDE.md``; a file that is the same file or has the same
content as one already read (a common ``CLAUDE.md -> AGENTS.md`` symlink)
is skipped.

Spec followed: the AGENTS.md convention (agents.md): nested files apply to
their subtree and the closest one wins on conflicts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTRUCTION_FILE_NAMES", "find_instruction_files", "load_project_instructions"]

INSTRUCTION_FILE_NAMES: tuple[str, ...] = ("AGENTS.md", "CLAUDE.md")


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def find_instruction_files(workspace: Path) -> list[Path]:
    """Return the instruction files that apply to ``workspace``, outermost first.

    Args:
        workspace: the workspace root (resolved here).

    Returns:
        Existing AGENTS.md / CLAUDE.md files from the git root down to the
        workspace (only the workspace when it is not in a git repository),
        without duplicates by resolved path.
    """
    ws = workspace.resolve()
    root = _git_root(ws)
    if root is None:
        chain = [ws]
    else:
        chain = [ws]
        while chain[-1] != root:
            chain.append(chain[-1].parent)
        chain.reverse()
    files: list[Path] = []
    seen: set[Path] = set()
    for directory in chain:
        for fname in INSTRUCTION_FILE_NAMES:
            path = directory / fname
            if not path.is_file():
                continue
            real = path.resolve()
            if real not in seen:
                seen.add(real)
                files.append(path)
    return files


@dataclass(slots=True)
class _Section:
    path: Path
    text: str
    size_bytes: int


def _read(path: Path) -> _Section:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        note = f"(unreadable: {exc.strerror or exc})"
        return _Section(path, note, len(note))
    return _Section(path, raw.decode("utf-8", errors="replace").strip(), len(raw))


def _cut(text: str, limit_bytes: int) -> str:
    return text.encode("utf-8")[: max(limit_bytes, 0)].decode("utf-8", errors="ignore")


def load_project_instructions(workspace: Path, cap_bytes: int = 32_768) -> str:
    """Read the project's instruction files into one prompt section.

    Args:
        workspace: the workspace root.
        cap_bytes: cap on the UTF-8 size of the files' contents together
            (headings and notices are not counted). The innermost files
            are served first, so a cut falls on the outer, more general ones.

    Returns:
        ``"# Project instructions from <path>\\n\\n<content>"`` sections
        separated by blank lines, outermost first; a truncated file ends with
        ``[truncated: X of Y bytes shown; read <path> for the rest]``.
        ``""`` when no file exists.
    """
    sections: list[_Section] = []
    digests: set[str] = set()
    for path in find_instruction_files(workspace):
        section = _read(path)
        digest = hashlib.sha256(section.text.encode("utf-8")).hexdigest()
        if not section.text or digest in digests:
            continue
        digests.add(digest)
        sections.append(section)
    remaining = cap_bytes
    shown: dict[int, str] = {}
    for i in range(len(sections) - 1, -1, -1):
        section = sections[i]
        size = len(section.text.encode("utf-8"))
        if size <= remaining:
            shown[i] = section.text
            remaining -= size
            continue
        kept = _cut(section.text, remaining)
        remaining = 0
        shown[i] = (
            f"{kept}\n[truncated: {len(kept.encode('utf-8'))} of {size} bytes shown; "
            f"read {section.path} for the rest]"
        )
    return "\n\n".join(
        f"# Project instructions from {section.path}\n\n{shown[i]}"
        for i, section in enumerate(sections)
    )
