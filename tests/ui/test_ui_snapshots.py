"""Snapshot tests of every screen and pane state (pinned textual, fixed sizes).

The scenes come from :mod:`zeph_tui.ui.demo`: the real app fed fixed events.
Update with ``pytest tests/test_ui_snapshots.py --snapshot-update`` and look
at the SVGs under tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from zeph_tui.ui.demo import demo_app

WIDE = (160, 48)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(
    ("scene", "size"),
    [
        ("dashboard", WIDE),
        ("permission", WIDE),
        ("permission_edit", WIDE),
        ("elicitation", WIDE),
        ("sessions", WIDE),
        ("overflow", WIDE),
        ("plan", WIDE),
        ("diagnostics", WIDE),
        ("call_sites", WIDE),
        ("skills", WIDE),
        ("git", WIDE),
        ("empty", (100, 30)),
        ("completion", (100, 30)),
        ("help", (120, 36)),
        ("dashboard", (80, 30)),
        ("permission_long", (80, 24)),
        ("key_help", (100, 40)),
        ("key_help", (80, 24)),
    ],
    ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}",
)
def test_scene(snap_compare: Any, scene: str, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(scene), terminal_size=size, run_before=settle)


def test_narrow_terminal_swaps_chat_and_panes(snap_compare: Any) -> None:
    """At 80 columns the panes collapse; F3 shows them in place of the chat."""
    assert snap_compare(
        demo_app("dashboard"), terminal_size=(80, 30), press=["f3"], run_before=settle
    )
