"""Helpers shared by the dashboard tests (not a test module)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key, as a person would."""
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], *, timeout_s: float = 15.0
) -> None:
    """Let the app run until ``condition()`` holds (checked after every pause).

    Raises:
        AssertionError: it did not hold within ``timeout_s``.
    """
    async with asyncio.timeout(timeout_s):
        while not condition():
            await pilot.pause(0.02)


def screen_text(app: Any) -> str:
    """The characters on the app's screen right now, as lines of plain text."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()
