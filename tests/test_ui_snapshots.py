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
        ("empty", (100, 30)),
        ("dashboard", (80, 30)),
    ],
)
def test_scene(snap_compare: Any, scene: str, size: tuple[int, int]) -> None:
    assert snap_compare(demo_app(scene), terminal_size=size, run_before=settle)
