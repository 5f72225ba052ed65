"""Frozen result types the bridge returns. Positions are 1-based, columns in code points."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "DiagnosticItem",
    "DiagnosticsReport",
    "HoverInfo",
    "Location",
    "RenameTarget",
    "ServerState",
    "ServerStatus",
]

Severity = Literal["error", "warning", "info", "hint"]
ServerState = Literal["running", "starting", "stopped", "missing", "crashed"]


@dataclass(frozen=True)
class DiagnosticItem:
    """One diagnostic in people units.

    Attributes:
        path: absolute file path.
        line, col: 1-based start; ``col`` counts code points.
        end_line, end_col: 1-based end (exclusive column), code points.
        severity: ``"error" | "warning" | "info" | "hint"`` (LSP default: error).
        source: the diagnostic's ``source`` or, if absent, the server name.
        code: the diagnostic code as text, or ``None``.
        message: the message (first line kept whole, others joined by " ").
        server: name of the server that reported it.
        source_line: the text of line ``line`` in the document it refers to.
    """

    path: Path
    line: int
    col: int
    end_line: int
    end_col: int
    severity: Severity
    source: str
    code: str | None
    message: str
    server: str
    source_line: str

    def render(self, root: Path | None = None) -> str:
        """``path:line:col: severity [source/code] message`` + the source line, indented."""
        shown = self.path
        if root is not None and self.path.is_relative_to(root):
            shown = self.path.relative_to(root)
        tag = self.source if self.code is None else f"{self.source}/{self.code}"
        head = f"{shown}:{self.line}:{self.col}: {self.severity} [{tag}] {self.message}"
        return f"{head}\n    {self.source_line.strip()}" if self.source_line.strip() else head


@dataclass(frozen=True)
class DiagnosticsReport:
    """What one write did to a file's diagnostics.

    Attributes:
        path: absolute file path.
        version: the document version the report is for.
        new: diagnostics the edit introduced (errors first, at most ``limit``).
        fixed: diagnostics present before and gone after (errors first, capped).
        current: the full merged set after the edit, from servers that answered.
        pending: names of servers that did not answer in time (or crashed).
        missing: one line per server that is not installed, with its hint.
        text: the rendered report for the model and people.
    """

    path: Path
    version: int
    new: tuple[DiagnosticItem, ...]
    fixed: tuple[DiagnosticItem, ...]
    current: tuple[DiagnosticItem, ...]
    pending: tuple[str, ...]
    missing: tuple[str, ...]
    text: str

    @property
    def errors(self) -> tuple[DiagnosticItem, ...]:
        """The current diagnostics of severity error."""
        return tuple(d for d in self.current if d.severity == "error")


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line/col (code points) with the line's text."""

    path: Path
    line: int
    col: int
    end_line: int
    end_col: int
    source_line: str

    def render(self, root: Path | None = None) -> str:
        """``path:line:col: <source line>``."""
        shown = (
            self.path.relative_to(root) if root and self.path.is_relative_to(root) else self.path
        )
        return f"{shown}:{self.line}:{self.col}: {self.source_line.strip()}"


@dataclass(frozen=True)
class HoverInfo:
    """Hover text (markdown or plain) at a position, with the server's range if given."""

    text: str
    server: str
    location: Location | None


@dataclass(frozen=True)
class RenameTarget:
    """Where a rename would apply: the symbol's range and its current name.

    ``supported`` is ``False`` when the server has no ``prepareRename``; the
    range is then the identifier under the cursor, found locally.
    """

    location: Location
    placeholder: str
    server: str
    supported: bool


@dataclass(frozen=True)
class ServerStatus:
    """One server's state for ``status()``.

    Attributes:
        name: server name.
        state: running | starting | stopped (not needed yet) | missing | crashed.
        detail: version when found; reason and install hint when missing;
            last exit and stderr tail when crashed.
        root: workspace root it serves, if started.
        restarts: how many times it was restarted after dying.
        diagnostics_mode: ``"push"``, ``"pull"`` or ``""`` before start.
    """

    name: str
    state: ServerState
    detail: str
    root: Path | None
    restarts: int
    diagnostics_mode: str
