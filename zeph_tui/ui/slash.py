"""Slash commands typed in the prompt (``/help``, ``/mode plan``, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zeph_tui.ui.completion import SLASH_COMMANDS

if TYPE_CHECKING:
    from zeph_tui.ui.app import ZephApp

__all__ = ["HELP_TEXT", "rename_session", "run_slash", "switch_model"]

HELP_TEXT = "\n".join(
    [f"/{c.name} {c.args}".rstrip().ljust(44) + c.help for c in SLASH_COMMANDS]
    + [
        "",
        "@path".ljust(44) + "mention a file (Tab completes, fuzzy); its content is sent along",
        "!command".ljust(44) + "run a shell command directly, output in a tool pane",
        "Enter / Ctrl+J".ljust(44) + "send / new line;  Up/Down: prompt history",
        "Esc · F2 · F3 · F4 · F5 · F8 · Ctrl+P".ljust(44)
        + "cancel · sessions · panes · full output · git · undo · palette",
    ]
)


async def run_slash(app: ZephApp, text: str) -> None:
    """Run one slash command line; unknown commands get a notice with suggestions."""
    from zeph_tui.core import ZephError

    name, _, arg = text[1:].partition(" ")
    name, arg = name.lower(), arg.strip()
    session = app.session
    try:
        if name == "help":
            app.chat.add_notice(HELP_TEXT)
        elif name == "mode":
            if session is None:
                raise ZephError("no session")
            if not arg:
                from zeph_tui.core import MODES

                arg = MODES[(MODES.index(session.mode) + 1) % len(MODES)]
            await session.set_mode(arg)
            app.flush()
            app.notify(f"mode: {session.mode}")
        elif name == "model":
            await switch_model(app, arg)
        elif name == "compact":
            compact = getattr(session, "compact", None)
            if compact is None:
                app.notify("compaction is not available in this build", severity="warning")
            else:
                await compact()
                app.notify("context compacted")
        elif name == "clear":
            app.action_new_session()
        elif name == "rename":
            await rename_session(app, arg)
        elif name in ("diagnostics", "skills", "git", "plan", "tools"):
            app.show_tab(name)
        elif name == "undo":
            app.action_undo()
        elif name == "sessions":
            app.action_sessions()
        elif name in ("quit", "exit"):
            app.exit(0)
        else:
            known = ", ".join(f"/{c.name}" for c in SLASH_COMMANDS)
            app.notify(f"unknown command /{name}; try {known}", severity="warning")
    except ZephError as exc:
        app.notify(str(exc), title=f"/{name}", severity="error")


async def switch_model(app: ZephApp, model: str) -> None:
    """``/model [ID]``: show the model, or switch this session to ``ID``."""
    session = app.session
    if session is None or app.runtime is None:
        return
    if not model:
        app.notify(f"{session.provider.name} · {session.provider.model}")
        return
    provider = app.runtime.build_provider(session.provider.name, model)
    app.hook_progress(provider)
    old, session.provider = session.provider, provider
    if app.owns_provider:
        await old.aclose()
    app.provider, app.owns_provider = provider, True
    app.status.model = provider.model
    await app.runtime.store.sessions.update(session.id, model=provider.model)
    app.notify(f"model: {provider.model}")


async def rename_session(app: ZephApp, title: str) -> None:
    """``/rename TITLE``: retitle this session (stored in SQLite)."""
    if app.session is None or app.runtime is None or not title:
        app.notify("usage: /rename TITLE", severity="warning")
        return
    app.session.title = title
    await app.runtime.store.sessions.update(app.session.id, title=title)
    app.title = title
