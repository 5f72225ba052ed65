"""Command palette entries (Ctrl+P) for every dashboard action."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from zeph_tui.ui.app import ZephApp

__all__ = ["DashboardCommands"]


def _actions(app: ZephApp) -> list[tuple[str, str, Callable[[], object]]]:
    from zeph_tui.core import MODES

    items: list[tuple[str, str, Callable[[], object]]] = [
        ("Sessions", "List, resume or start sessions (F2)", app.action_sessions),
        ("New session", "Start an empty session (Ctrl+N)", app.action_new_session),
        ("Cancel turn", "Stop the running prompt (Esc)", app.action_cancel_turn),
        ("Undo last checkpoint", "Restore the working tree (F8, /undo)", app.action_undo),
        (
            "Open full output",
            "Page the archived output of the latest command (F4)",
            app.action_open_output,
        ),
        ("Toggle panes", "Show or hide the side panes (F3)", app.action_toggle_panes),
        ("Refresh git", "git status and diff of the working tree (F5)", app.action_refresh_git),
        ("Help", "Slash commands and keys (/help)", partial(app.submit, "/help")),
    ]
    for tab in ("tools", "plan", "diagnostics", "call sites", "skills", "git"):
        items.append(
            (
                f"Show {tab} pane",
                f"Switch the side panes to {tab}",
                partial(app.show_tab, tab.replace(" ", "-")),
            )
        )
    for mode in MODES:
        items.append(
            (
                f"Mode: {mode}",
                f"Switch the permission mode to {mode}",
                partial(app.submit, f"/mode {mode}"),
            )
        )
    return items


class DashboardCommands(Provider):
    """Every dashboard action as a palette command."""

    async def discover(self) -> Hits:
        app: ZephApp = self.app  # type: ignore[assignment]
        for name, help_text, callback in _actions(app):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        app: ZephApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for name, help_text, callback in _actions(app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
