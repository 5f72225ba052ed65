"""Regenerate screenshots/*.svg from the dashboard's snapshot scenes.

The scenes are those of ``tests/ui/test_ui_snapshots.py`` (:mod:`zeph_tui.ui.demo`):
the real app fed fixed events, so the pictures are deterministic. The SVGs
are marked ``xml:space="preserve"`` so librsvg keeps spaces between spans.

Usage::

    .venv/bin/python scripts/make_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHOTS: list[tuple[str, str, tuple[int, int], str]] = [
    # file name, scene, terminal size, title
    ("dashboard.svg", "dashboard", (160, 48), "zeph-tui: a turn with a live tool pane"),
    ("permission.svg", "permission", (160, 48), "zeph-tui: permission for a command"),
    ("permission-diff.svg", "permission_edit", (160, 48), "zeph-tui: permission for an edit"),
    ("ask-user.svg", "elicitation", (160, 48), "zeph-tui: the model asks you (ask_user)"),
    ("sessions.svg", "sessions", (160, 48), "zeph-tui: sessions"),
    ("full-output.svg", "overflow", (160, 48), "zeph-tui: paging archived output"),
    ("diagnostics.svg", "diagnostics", (160, 48), "zeph-tui: diagnostics"),
    ("call-sites.svg", "call_sites", (160, 48), "zeph-tui: call sites of a rename"),
    ("git.svg", "git", (160, 48), "zeph-tui: git status and diff"),
    ("skills.svg", "skills", (160, 48), "zeph-tui: skills"),
    ("narrow.svg", "dashboard", (80, 30), "zeph-tui: narrow terminal"),
    ("key-help.svg", "key_help", (100, 40), "zeph-tui: every key (F1 or ?)"),
    ("permission-80x24.svg", "permission_long", (80, 24), "zeph-tui: a long diff at 80x24"),
]


async def shoot(scene: str, size: tuple[int, int], title: str) -> str:
    from zeph_tui.ui.demo import demo_app

    app = demo_app(scene)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        return preserve_spaces(app.export_screenshot(title=title))


def preserve_spaces(svg: str) -> str:
    """Mark the SVG's text as whitespace-preserving.

    Textual writes each styled span as its own ``<text>``; a span that starts
    with a space (``mul`` + `` return``) loses it in renderers that apply
    SVG 1.1 whitespace handling (librsvg, hence ``rsvg-convert`` and many
    image viewers), which shows ``mulreturn``. Browsers keep it either way.
    """
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, scene, size, title in SHOTS:
        svg = asyncio.run(shoot(scene, size, title))
        (args.out / name).write_text(svg, encoding="utf-8")
        print(f"{args.out / name}  ({len(svg) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
