"""Command palette entries (Ctrl+P) for every dashboard action, run by name.

Each entry is an action string (``sessions``, ``command('/mode plan')``) that
the palette hands to :meth:`textual.app.App.run_action`; it never imports the
app. The slash commands come from the core registry.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["DashboardCommands", "palette_actions"]

_TABS = ("tools", "plan", "diagnostics", "call sites", "skills", "memory", "git")


def palette_actions() -> list[tuple[str, str, str]]:
    """``(name, help, action string)`` of every palette entry."""
    from zeph_tui.core import MODES

    items = [
        ("Sessions", "List, resume or start sessions (F2, /sessions)", "sessions"),
        ("New session", "Start an empty session (Ctrl+N, /new)", "new_session"),
        ("Cancel turn", "Stop the running prompt or command (Esc)", "cancel_turn"),
        ("Undo last checkpoint", "Restore the working tree (F8, /undo)", "undo"),
        ("Open full output", "Page the archived output of the latest command (F4)", "open_output"),
        ("Toggle panes", "Show or hide the side panes (F3)", "toggle_panes"),
        ("Refresh git", "git status and diff of the working tree (F5)", "refresh_git"),
        ("Help", "Slash commands and keys (/help)", "command('/help')"),
    ]
    for tab in _TABS:
        name = tab.replace(" ", "-")
        items.append((f"Show {tab} pane", f"Switch the side panes to {tab}", f"show_tab('{name}')"))
    for mode in MODES:
        help_text = f"Switch the permission mode to {mode}"
        items.append((f"Mode: {mode}", help_text, f"command('/mode {mode}')"))
    return items


class DashboardCommands(Provider):
    """Every dashboard action as a palette command."""

    async def discover(self) -> Hits:
        for name, help_text, action in palette_actions():
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in palette_actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self._run, action), help=help_text
                )

    async def _run(self, action: str) -> None:
        await self.app.run_action(action)
