"""Workspace confinement: turn a tool's path argument into a real path inside the roots.

Every file tool resolves its path argument through :class:`WorkspaceRoots` before
touching the disk. Resolution follows the operating system's own semantics
(``os.path.realpath``): ``..`` is applied after symlinks, symlinks are followed for
the file itself and for every parent directory, and a not-yet-existing file is
judged by where its (resolved) parent really is. The result is then compared with
the resolved roots using :meth:`pathlib.Path.is_relative_to`, never a string
prefix, so ``/w/ws2`` is not "inside" ``/w/ws`` and ``../WORKSPACE2`` gains nothing
on a case-insensitive file system.

Refused inputs:

* NUL bytes, C0/C1 control characters and Unicode format characters (category
  ``Cf``: bidi overrides and isolates such as U+202E, zero-width characters, BOM,
  tag characters) raise :class:`~zeph_tui.core.errors.ToolInputError`.
* Look-alike separators and dots (fullwidth solidus U+FF0F, division slash U+2215,
  fraction slash U+2044, the two-dot leader U+2025 "‥", fullwidth full stop
  U+FF0E, backslash) are never treated as separators: the path is resolved as the
  OS sees it. As a second guard the NFKC-normalised form of the path (with
  backslashes read as separators) must resolve inside the roots too, so a name
  that *would* escape under any normalisation (``‥/etc``, ``a／..／..／x``) raises
  :class:`~zeph_tui.core.errors.PathOutsideWorkspace`.
* Anything that resolves outside the allowed roots raises
  :class:`~zeph_tui.core.errors.PathOutsideWorkspace` naming the argument, what it
  resolved to and the root(s).

Known limit: resolution is a check at call time. A symlink swapped in between the
check and the open (TOCTOU) is not prevented here; callers that need that open
with ``O_NOFOLLOW`` or re-check after opening.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from zeph_tui.core.errors import ConfigError, PathOutsideWorkspace, ToolInputError

__all__ = ["WorkspaceRoots", "check_path_text"]

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_path_text(path: str) -> None:
    """Refuse path text that cannot name a file honestly.

    Args:
        path: the raw path argument as the model or user gave it.

    Raises:
        ToolInputError: the path is empty, contains a NUL byte, a control character,
            a bidi override/isolate (e.g. U+202E) or another invisible format
            character (Unicode category ``Cf``).
    """
    if not path:
        raise ToolInputError("path is empty")
    if "\x00" in path:
        raise ToolInputError(f"path {path!r} contains a NUL byte")
    for ch in path:
        if ch in _BIDI:
            raise ToolInputError(
                f"path {path!r} contains the bidirectional control character "
                f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')}); refused"
            )
        category = unicodedata.category(ch)
        if category == "Cc":
            raise ToolInputError(f"path {path!r} contains the control character U+{ord(ch):04X}")
        if category == "Cf":
            raise ToolInputError(
                f"path {path!r} contains the invisible format character U+{ord(ch):04X} "
                f"({unicodedata.name(ch, 'unnamed')}); refused"
            )


def _resolve_dir(root: Path, what: str) -> Path:
    try:
        return root.expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"{what} {str(root)!r} cannot be resolved: {exc}") from exc


class WorkspaceRoots:
    """The directories a session may write to and read from.

    Roots are resolved once, at construction; the path arguments are resolved on
    every call, so a symlink created later is judged by where it points then.

    Args:
        workspace: the project directory; relative path arguments are taken from
            here. Must be an existing directory.
        extra_write_roots: further directories that may be written (and read).
        read_roots: further directories that may only be read (e.g. a package
            cache or the user's skills folder).

    Raises:
        ConfigError: the workspace is not an existing directory or a root cannot
            be resolved.
    """

    def __init__(
        self,
        workspace: Path,
        extra_write_roots: Sequence[Path] = (),
        read_roots: Sequence[Path] = (),
    ) -> None:
        resolved = _resolve_dir(Path(workspace), "workspace")
        if not resolved.is_dir():
            raise ConfigError(f"workspace {str(workspace)!r} is not an existing directory")
        self.workspace: Path = resolved
        extra = [_resolve_dir(Path(p), "write root") for p in extra_write_roots]
        self.write_roots: tuple[Path, ...] = (resolved, *extra)
        self.read_roots: tuple[Path, ...] = self.write_roots + tuple(
            _resolve_dir(Path(p), "read root") for p in read_roots
        )

    def resolve_for_write(self, path: str | os.PathLike[str]) -> Path:
        """Resolve a path the caller intends to create, modify or delete.

        Args:
            path: relative to the workspace, or absolute; ``~`` is expanded.

        Returns:
            The absolute real path (symlinks resolved). It may not exist yet.

        Raises:
            ToolInputError: see :func:`check_path_text`.
            PathOutsideWorkspace: the real path is outside the workspace and the
                extra write roots, or would be under NFKC normalisation.
        """
        return self._resolve(path, self.write_roots, "write")

    def resolve_for_read(self, path: str | os.PathLike[str]) -> Path:
        """Resolve a path the caller intends to read or list.

        Same rules as :meth:`resolve_for_write`, but the read roots are allowed too.

        Raises:
            ToolInputError: see :func:`check_path_text`.
            PathOutsideWorkspace: the real path is outside every write and read root.
        """
        return self._resolve(path, self.read_roots, "read")

    def display_path(self, resolved: Path) -> str:
        """A short POSIX form of a resolved path: workspace-relative when inside it.

        This is the form permission rules' path globs are matched against.
        """
        if resolved.is_relative_to(self.workspace):
            rel = resolved.relative_to(self.workspace).as_posix()
            return rel or "."
        return resolved.as_posix()

    def _resolve(self, path: str | os.PathLike[str], roots: tuple[Path, ...], op: str) -> Path:
        text = os.fspath(path)
        if not isinstance(text, str):
            raise ToolInputError(f"path must be text, got {type(text).__name__}")
        check_path_text(text)
        real = self._realpath(text)
        if not _inside(real, roots):
            raise PathOutsideWorkspace(self._message(text, real, roots, op))
        alternate = unicodedata.normalize("NFKC", text).replace("\\", "/")
        if alternate != text:
            check_path_text(alternate)
            alt_real = self._realpath(alternate)
            if not _inside(alt_real, roots):
                raise PathOutsideWorkspace(
                    self._message(text, alt_real, roots, op)
                    + f" (under Unicode NFKC normalisation the path reads {alternate!r})"
                )
        return real

    def _realpath(self, text: str) -> Path:
        try:
            candidate = Path(text).expanduser() if text.startswith("~") else Path(text)
            if not candidate.is_absolute():
                candidate = self.workspace / candidate
            return Path(os.path.realpath(candidate))
        except (OSError, ValueError, RuntimeError) as exc:
            raise ToolInputError(f"path {text!r} cannot be resolved: {exc}") from exc

    def _message(self, text: str, real: Path, roots: tuple[Path, ...], op: str) -> str:
        if len(roots) == 1:
            where = f"the workspace {str(roots[0])!r}"
        else:
            where = "the allowed roots " + ", ".join(repr(str(r)) for r in roots)
        return f"{op} refused: path {text!r} resolves to {str(real)!r}, which is outside {where}"


def _inside(real: Path, roots: tuple[Path, ...]) -> bool:
    return any(real.is_relative_to(root) for root in roots)
