"""The dashboard's keys: one list of bindings, and the actions behind the new ones.

:data:`KEY_BINDINGS` is the app's ``BINDINGS``; :data:`PROMPT_KEYS` are the
keys the prompt editor handles itself. The key help overlay
(:class:`~zeph_tui.ui.screens.key_help.KeyHelp`, F1 or ``?`` on an empty
prompt) is built from both (and from the modals' own ``BINDINGS``), so it
never drifts from what the keys do.

Ctrl+C (:meth:`KeyActions.action_interrupt`), in order of what it finds:

1. a modal on top: it is Escape there (deny a permission, close a pager);
2. a selection in the prompt: copy it;
3. a running turn or ``!command``: cancel it (as Escape does);
4. text in the prompt: clear it;
5. otherwise: say "press ctrl+c again to quit" (on the prompt's border); a second press within
   :data:`QUIT_WINDOW_S` seconds quits.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import ModalScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from zeph_tui.ui.widgets.prompt_input import PromptInput

__all__ = ["KEY_BINDINGS", "PROMPT_KEYS", "QUIT_WINDOW_S", "KeyActions", "key_sections"]

QUIT_WINDOW_S = 2.0
"""Two Ctrl+C presses on an idle, empty prompt within this many seconds quit."""

KEY_BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("escape", "cancel_turn", "Cancel turn"),
    Binding("ctrl+c", "interrupt", "Cancel / clear / quit", show=False, priority=True),
    Binding("f1", "key_help", "Keys", show=False),  # the empty chat's hint names it
    Binding("f2", "sessions", "Sessions"),
    Binding("f3", "toggle_panes", "Panes"),
    Binding("f4", "open_output", "Full output"),
    Binding("f5", "refresh_git", "Git"),
    Binding("f9", "show_tab('memory')", "Memory"),
    Binding("f8", "undo", "Undo"),
    Binding("ctrl+n", "new_session", "New"),
    Binding("ctrl+f", "find", "Find in the chat", show=False),
    Binding("ctrl+g", "edit_prompt", "Edit the prompt in $EDITOR", show=False),
    Binding("ctrl+q", "quit", "Quit", show=False),
    Binding("up", "take_back", "Take back the last pending prompt", show=False, priority=True),
]
"""Every binding of the dashboard app (its ``BINDINGS``)."""

PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Send; runs a completed /command"),
    ("ctrl+j / shift+enter", "New line in the prompt"),
    ("tab", "Accept the highlighted completion"),
    ("up / down", "Completions, or the prompt history"),
    ("/", "Slash commands (/help lists them)"),
    ("@path", "Attach a file to the prompt"),
    ("!command", "Run a shell command in the workspace"),
    ("?", "This help (on an empty prompt)"),
)
"""Keys :class:`~zeph_tui.ui.widgets.prompt_input.PromptInput` handles itself."""


def key_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """The key help's sections: ``[(title, [(key, what it does), ...]), ...]``."""
    from zeph_tui.ui.screens.key_help import binding_rows
    from zeph_tui.ui.screens.overflow_modal import OverflowModal
    from zeph_tui.ui.screens.permission_modal import PermissionModal
    from zeph_tui.ui.widgets.find_bar import FindBar

    return [
        ("Dashboard", binding_rows(KEY_BINDINGS)),
        ("Prompt", list(PROMPT_KEYS)),
        ("Permission prompt", binding_rows(PermissionModal.BINDINGS)),
        ("Full output (F4)", binding_rows(OverflowModal.BINDINGS)),
        ("Find (Ctrl+F)", [("enter", "Next match"), *binding_rows(FindBar.BINDINGS)]),
    ]


class KeyActions:
    """Mixin for the dashboard app: Ctrl+C and the key help overlay.

    Expects the app's ``prompt_input`` (a
    :class:`~zeph_tui.ui.widgets.prompt_input.PromptInput`) and its
    ``action_cancel_turn``.
    """

    _last_interrupt: float = 0.0  # time.monotonic() of the last Ctrl+C that did something

    def _busy(self) -> bool:
        app: App[int] = self  # type: ignore[assignment]
        return any(w.group in ("turn", "shell") and w.is_running for w in app.workers)

    def action_interrupt(self) -> None:
        """Ctrl+C: see the module doc for what it does when."""
        app: App[int] = self  # type: ignore[assignment]
        screen: Screen[object] = app.screen
        if isinstance(screen, ModalScreen):
            app.simulate_key("escape")
            return
        prompt: PromptInput = self.prompt_input  # type: ignore[attr-defined]
        if prompt.selected_text:
            prompt.action_copy()
            return
        now = time.monotonic()
        if self._busy():
            self.action_cancel_turn()  # type: ignore[attr-defined]
            self._hint(prompt, "cancelled · ctrl+c again quits")
            self._last_interrupt = now
            return
        if prompt.text:
            prompt.clear()
            self._last_interrupt = now
            return
        if now - self._last_interrupt <= QUIT_WINDOW_S:
            app.exit(0)
            return
        self._last_interrupt = now
        self._hint(prompt, "press ctrl+c again to quit")

    def _hint(self, prompt: PromptInput, text: str) -> None:
        """Say ``text`` on the prompt's border for :data:`QUIT_WINDOW_S` seconds."""
        app: App[int] = self  # type: ignore[assignment]
        prompt.border_subtitle = text

        def clear() -> None:
            if prompt.border_subtitle == text:
                prompt.border_subtitle = ""

        app.set_timer(QUIT_WINDOW_S, clear)

    def action_key_help(self) -> None:
        """F1 (or ``?`` on an empty prompt): the overlay listing every key."""
        from zeph_tui.ui.screens.key_help import KeyHelp

        app: App[int] = self  # type: ignore[assignment]
        if not isinstance(app.screen, KeyHelp):
            app.push_screen(KeyHelp(key_sections()))

    def on_prompt_input_help_requested(self) -> None:
        self.action_key_help()

    def action_find(self) -> None:
        """Ctrl+F: the find bar over the chat (mounted above the prompt on first use)."""
        from zeph_tui.ui.widgets.find_bar import FindBar

        app: App[int] = self  # type: ignore[assignment]
        prompt: PromptInput = self.prompt_input  # type: ignore[attr-defined]
        found = app.screen_stack[0].query(FindBar)
        if found:
            found.first().open()
            return
        bar = FindBar(self.chat, id="find")  # type: ignore[attr-defined]
        prompt.parent.mount(bar, before=prompt)  # type: ignore[union-attr]
        app.call_after_refresh(bar.open)

    def on_find_bar_closed(self) -> None:
        self.prompt_input.focus()  # type: ignore[attr-defined]

    def action_edit_prompt(self) -> None:
        """Ctrl+G: edit the prompt in ``$VISUAL`` / ``$EDITOR`` (default ``vi``); the text comes back unsent."""
        from textual.app import SuspendNotSupported

        app: App[int] = self  # type: ignore[assignment]
        prompt: PromptInput = self.prompt_input  # type: ignore[attr-defined]
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        fd, name = tempfile.mkstemp(prefix="zeph-prompt-", suffix=".md")
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(prompt.text)
            try:
                with app.suspend():
                    done = subprocess.run([*editor, name], check=False)
            except SuspendNotSupported:  # headless (tests): the editor needs no terminal
                done = subprocess.run([*editor, name], check=False, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                app.notify(f"{editor[0]} exited with {done.returncode}; prompt unchanged")
                return
            prompt.load_text(path.read_text(encoding="utf-8").rstrip("\n"))
            prompt.move_cursor(prompt.document.end)
        except OSError as exc:
            app.notify(f"cannot run {editor[0]}: {exc.strerror or exc}", severity="error")
        finally:
            path.unlink(missing_ok=True)
            prompt.focus()
