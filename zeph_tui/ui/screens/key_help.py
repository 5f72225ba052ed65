"""KeyHelp: every key of the dashboard, built from the bindings themselves.

The sections come from :func:`zeph_tui.ui.keys.key_sections`: the app's
``KEY_BINDINGS``, the prompt editor's ``PROMPT_KEYS`` and the ``BINDINGS`` of
the permission modal and the full-output pager (rows made by
:func:`binding_rows`), so a key added to any of them shows here without
editing this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["BindingSpec", "KeyHelp", "Section", "binding_rows"]

BindingSpec = Binding | tuple[str, str] | tuple[str, str, str]
Section = tuple[str, list[tuple[str, str]]]
"""``(title, [(key, what it does), ...])``."""

_NAMES = {
    "escape": "esc",
    "question_mark": "?",
    "slash": "/",
    "pagedown": "pgdn",
    "pageup": "pgup",
    "down": "↓",
    "up": "↑",
}


def _key_label(keys: str) -> str:
    """``"pagedown,n"`` -> ``"pgdn / n"``; ``"ctrl+c"`` stays."""
    return " / ".join(_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def binding_rows(bindings: Iterable[BindingSpec]) -> list[tuple[str, str]]:
    """One row per description, its keys joined (``n / esc  Deny``)."""
    keys_of: dict[str, list[str]] = {}
    for spec in bindings:
        binding = spec if isinstance(spec, Binding) else Binding(*spec)
        if binding.description:
            keys = keys_of.setdefault(binding.description, [])
            keys += [k for k in _key_label(binding.key).split(" / ") if k not in keys]
    return [(" / ".join(keys), description) for description, keys in keys_of.items()]


def _table(sections: Sequence[Section]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for index, (title, rows) in enumerate(sections):
        if index:
            table.add_row("", "")
        table.add_row(Text(title, style="bold underline"), "")
        for key, meaning in rows:
            table.add_row(Text(key), Text(meaning))
    return table


class KeyHelp(ModalScreen[None]):
    """The key help overlay (F1, or ``?`` on an empty prompt). Escape, F1, ``q`` or ``?`` close it."""

    DEFAULT_CSS = """
    KeyHelp { align: center middle; }
    KeyHelp > VerticalScroll {
        width: 76; max-width: 95%; height: auto; max-height: 95%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    KeyHelp Static { width: 100%; height: auto; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape,f1,q,question_mark", "close", "Close"),
        Binding("down", "scroll(1)", show=False),
        Binding("up", "scroll(-1)", show=False),
        Binding("pagedown,space", "scroll(10)", show=False),
        Binding("pageup", "scroll(-10)", show=False),
    ]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = list(sections)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "↑↓ scroll · esc closes"
            yield Static(_table(self.sections), id="key-table")

    def action_scroll(self, rows: int) -> None:
        """Scroll the list by ``rows`` (negative: up)."""
        self.query_one(VerticalScroll).scroll_relative(y=rows, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
