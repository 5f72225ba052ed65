"""PermissionModal: allow once, always (scoped), or deny one tool call."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from zeph_tui.core import PermissionOutcome, PermissionRequest
from zeph_tui.core.events import DiffContent, TextContent
from zeph_tui.ui.widgets.tool_block import diff_syntax

__all__ = ["PermissionModal"]


class PermissionModal(ModalScreen[PermissionOutcome]):
    """Shows the call's title, why we ask, the diff or the command, and what
    "always" would cover. Dismisses with a
    :data:`~zeph_tui.core.ports.PermissionOutcome`.

    Keys: ``y`` allow once, ``a`` always (for the shown scope), ``n``/``escape`` deny;
    the border says so. The preview scrolls and gets the height the rest
    leaves, so the buttons stay on screen at 80x24 with a long diff; its
    border says how many lines it holds and that it scrolls.
    """

    DEFAULT_CSS = """
    PermissionModal { align: center middle; }
    PermissionModal > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        border-subtitle-color: $text;
        background: $surface;
        padding: 1 2;
    }
    PermissionModal .permission--title { text-style: bold; width: 1fr; }
    PermissionModal .permission--reason { color: $text-muted; }
    PermissionModal .permission--scope { color: $warning; margin: 1 0 0 0; }
    PermissionModal VerticalScroll { height: auto; max-height: 20; margin: 1 0 0 0;
        background: $panel; border-subtitle-color: $text-muted; }
    PermissionModal Horizontal { height: auto; margin: 1 0 0 0; }
    PermissionModal Button { margin: 0 1 0 0; }
    PermissionModal.-short > Vertical { padding: 0 1; }
    PermissionModal.-short VerticalScroll, PermissionModal.-short Horizontal { margin: 0; }
    PermissionModal.-short .permission--scope { margin: 0; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("y", "answer('allow_once')", "Allow once"),
        Binding("a", "answer('allow_always')", "Always", show=True),
        Binding("n", "answer('reject_once')", "Deny"),
        Binding("escape", "answer('reject_once')", "Deny", show=False),
        Binding("down", "scroll_preview(1)", "Scroll the preview", show=False),
        Binding("up", "scroll_preview(-1)", "Scroll the preview", show=False),
        Binding("pagedown", "scroll_preview(10)", "Scroll the preview", show=False),
        Binding("pageup", "scroll_preview(-10)", "Scroll the preview", show=False),
    ]

    SHORT_ROWS = 30
    """At most this many terminal rows: compact buttons, no padding (``-short``)."""

    def __init__(self, request: PermissionRequest, workspace: Path | None = None) -> None:
        super().__init__()
        self.request = request
        self.workspace = workspace
        self._preview_rows = 0  # lines of the preview (before wrapping)

    def compose(self) -> ComposeResult:
        req = self.request
        with Vertical(id="permission-box"):
            yield Label(f"Allow {req.tool_call.title}?", classes="permission--title", markup=False)
            yield Label(req.reason, classes="permission--reason", markup=False)
            with VerticalScroll(id="preview-scroll"):
                yield Static(self._preview(), id="preview")
            if req.scope:
                yield Label(
                    f"“Always” covers: {req.scope}", classes="permission--scope", markup=False
                )
            with Horizontal():
                yield Button("Allow once (y)", id="allow_once", variant="success")
                if req.scope:
                    yield Button("Always (a)", id="allow_always", variant="primary")
                yield Button("Deny (n)", id="reject_once", variant="error")

    def _preview(self) -> RenderableType:
        parts: list[RenderableType] = []
        for item in self.request.preview:
            if isinstance(item, DiffContent):
                parts.append(diff_syntax(item, self.workspace))
            elif isinstance(item, TextContent):
                text = item.text
                lexer = "bash" if text.startswith("$ ") else "text"
                parts.append(
                    Syntax(
                        text, lexer, theme="ansi_dark", word_wrap=True, background_color="default"
                    )
                )
        if not parts:
            args = self.request.tool_call.raw_input or {}
            parts.append(Text("\n".join(f"{k}: {v}" for k, v in args.items()) or "(no preview)"))
        self._preview_rows = sum(
            p.plain.count("\n") + 1 if isinstance(p, Text) else p.code.count("\n") + 1
            for p in parts
            if isinstance(p, Text | Syntax)
        )
        return Group(*parts)

    def on_mount(self) -> None:
        self.query_one("#allow_once", Button).focus()
        self._fit(self.app.size.height)

    def on_resize(self) -> None:
        self._fit(self.app.size.height)

    def _fit(self, rows: int) -> None:
        """Give the preview what the title, reason, scope and buttons leave of ``rows``."""
        short = rows <= self.SHORT_ROWS
        self.set_class(short, "-short")
        for button in self.query(Button):
            button.compact = short  # one row, label kept
        scope = 1 if self.request.scope else 0
        # border 2, title 1, reason 1, buttons 1 (short) or 3 + margins and padding
        fixed = 2 + 2 + scope + (1 if short else 3 + 1 + 1 + 1 + 2)
        scroll = self.query_one("#preview-scroll", VerticalScroll)
        scroll.styles.max_height = max(3, min(20, rows - fixed))
        keys = "y allow once · a always · n/esc deny" if self.request.scope else "y allow · n deny"
        if self._preview_rows > scroll.styles.max_height.value:  # type: ignore[union-attr]
            keys = f"{self._preview_rows} lines, ↑↓ scroll · {keys}"
        self.query_one("#permission-box", Vertical).border_subtitle = keys

    def action_scroll_preview(self, rows: int) -> None:
        """Scroll the preview by ``rows`` (negative: up) whatever has focus."""
        self.query_one("#preview-scroll", VerticalScroll).scroll_relative(y=rows, animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(str(event.button.id))

    def action_answer(self, outcome: str) -> None:
        if outcome == "allow_always" and not self.request.scope:
            return
        self.dismiss(outcome)  # type: ignore[arg-type]
