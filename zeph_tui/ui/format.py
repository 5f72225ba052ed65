"""Small text formatting helpers shared by widgets (sizes, counts, paths, diffs)."""

from __future__ import annotations

import difflib
from pathlib import Path

__all__ = ["human_bytes", "human_count", "relative_path", "unified_diff"]


def human_bytes(n_bytes: int) -> str:
    """``1536`` -> ``1.5 KB``; decimal units (1 MB = 1,000,000 bytes), as people read them."""
    value = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # pragma: no cover - loop always returns


def human_count(n: int) -> str:
    """``12345`` -> ``12.3k``."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.1f}M"


def relative_path(path: str, root: Path | None) -> str:
    """``path`` relative to ``root`` when inside it, else unchanged."""
    if root is None:
        return path
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return path


def unified_diff(old: str | None, new: str, name: str, *, context_lines: int = 3) -> str:
    """A unified diff of two texts (``old`` None = new file), headers ``a/name`` ``b/name``."""
    before = (old or "").splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before,
        after,
        fromfile="/dev/null" if old is None else f"a/{name}",
        tofile=f"b/{name}",
        n=context_lines,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
