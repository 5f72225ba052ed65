"""ToolBlock: a tool call in the chat, one compact line that expands."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import Collapsible, Static

from zeph_tui.core.events import DiffContent, ToolCall
from zeph_tui.ui.format import relative_path, unified_diff

__all__ = ["ToolBlock", "diff_syntax"]

_ICONS = {"pending": "…", "in_progress": "●", "completed": "✓", "failed": "✗"}


class ToolBlock(Collapsible):
    """Collapsed: ``✓ Edit pkg/calc.py``. Expanded: the arguments, edit diffs
    with syntax colour, and the start of the result text.

    Attributes down: :meth:`set_status`, :meth:`add_diff`, :meth:`set_result`.
    """

    DEFAULT_CSS = """
    ToolBlock { margin: 0; padding: 0; border-top: none; background: $surface; }
    ToolBlock.-failed CollapsibleTitle { color: $error; }
    ToolBlock .tool-block--args { color: $text-muted; }
    ToolBlock .tool-block--result { color: $text-muted; max-height: 12; }
    """

    def __init__(self, call: ToolCall, workspace: Path | None = None) -> None:
        self.call = call
        self.workspace = workspace
        self.status: str = call.status
        args = ", ".join(f"{k}={_short(v)}" for k, v in (call.raw_input or {}).items())
        self._args = Static(args or "(no arguments)", markup=False, classes="tool-block--args")
        self._result = Static("", markup=False, classes="tool-block--result")
        self._diff_view = Static("", classes="tool-block--diff")
        super().__init__(
            self._args, self._diff_view, self._result, title=self._title_text(), collapsed=True
        )
        self.diffs: list[DiffContent] = []
        self.result_text = ""
        for item in call.content:
            if isinstance(item, DiffContent):
                self.add_diff(item)

    def _title_text(self) -> str:
        return f"{_ICONS.get(self.status, '?')} {self.call.title}"

    def set_status(self, status: str) -> None:
        self.remove_class(f"-{self.status}")
        self.status = status
        self.add_class(f"-{status}")
        self.title = self._title_text()

    def add_diff(self, diff: DiffContent) -> None:
        """Append an edit's diff, rendered as a coloured unified diff."""
        self.diffs.append(diff)
        self._diff_view.update(Group(*(diff_syntax(d, self.workspace) for d in self.diffs)))

    def set_result(self, text: str) -> None:
        self.result_text = text
        lines = text.splitlines()
        shown = "\n".join(lines[:10]) + (
            f"\n… {len(lines) - 10} more lines" if len(lines) > 10 else ""
        )
        self._result.update(shown)


def diff_syntax(diff: DiffContent, workspace: Path | None) -> Text:
    """A :class:`DiffContent` as a unified diff: context lines highlighted for
    the file's language, added lines green, removed lines red, hunks cyan."""
    name = relative_path(diff.path, workspace)
    text = unified_diff(diff.old_text, diff.new_text, name).rstrip("\n")
    if not text:
        return Text(f"(no change to {name})", style="dim")
    lexer = Syntax.guess_lexer(name, diff.new_text)
    highlighter = Syntax("", lexer, theme="ansi_dark")
    out = Text()
    for line in text.split("\n"):
        if line.startswith(("+++", "---")):
            out.append(line, style="bold")
        elif line.startswith("@@"):
            out.append(line, style="cyan")
        elif line.startswith("+"):
            out.append(line, style="green")
        elif line.startswith("-"):
            out.append(line, style="red")
        else:
            out.append(" ")
            code = highlighter.highlight(line[1:]).copy()
            code.rstrip()
            code.remove_suffix("\n")
            out.append_text(code)
        out.append("\n")
    out.rstrip()
    return out


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"
