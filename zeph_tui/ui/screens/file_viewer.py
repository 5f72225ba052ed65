"""FileViewer: a read-only look at a file, scrolled to a location (diagnostics, call sites)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

__all__ = ["FileViewer"]

_LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "javascript",
    ".rs": "rust",
    ".go": "go",
    ".md": "markdown",
    ".json": "json",
    ".toml": "toml",
    ".sh": "bash",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".java": "java",
    ".sql": "sql",
}


class FileViewer(ModalScreen[None]):
    """Shows ``path`` with the cursor on ``line``:``column`` (1-based). Escape closes."""

    DEFAULT_CSS = """
    FileViewer { align: center middle; }
    FileViewer > Vertical { width: 95%; height: 90%; border: thick $accent; background: $surface; }
    FileViewer Label { text-style: bold; padding: 0 1; }
    FileViewer TextArea { height: 1fr; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, path: Path, line: int = 1, column: int = 1, *, label: str = "") -> None:
        super().__init__()
        self.path = path
        self.line = max(1, line)
        self.column = max(1, column)
        self.label = label or f"{path}:{self.line}:{self.column}"

    def compose(self) -> ComposeResult:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            text = f"cannot read {self.path}: {exc}"
        language = _LANGUAGES.get(self.path.suffix.lower())
        with Vertical():
            yield Label(self.label, markup=False)
            area = TextArea(text, read_only=True, show_line_numbers=True, soft_wrap=False)
            try:
                area.language = language
            except Exception:  # a grammar may be missing: plain text is fine
                area.language = None
            yield area

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.cursor_blink = False
        area.move_cursor((self.line - 1, self.column - 1), center=True)
        area.focus()

    def action_close(self) -> None:
        self.dismiss(None)
