"""TailView: the newest lines of a stream, drawn with the line API.

Textual's ``Log`` refreshes once per written line and lets every size change
re-lay-out the screen; with 2,000 new lines per frame that costs ~100 ms. This
view keeps lines in a bounded deque and always shows the last lines that fit;
once it is full, a frame of output costs one repaint of one widget and no
re-layout. (Older output is paged from the archive, not scrolled here.)
"""

from __future__ import annotations

import re
from collections import deque

from rich.segment import Segment
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["TailView"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]")


class TailView(Widget, can_focus=False):
    """Attribute down: :meth:`append` (text with newlines; a trailing partial
    line is continued by the next call). ANSI escapes and control characters
    are dropped, tabs become spaces. Height: the line count, up to ``visible_lines``.
    """

    DEFAULT_CSS = """
    TailView { height: auto; background: $surface; }
    """

    def __init__(self, *, max_lines: int = 2000, visible_lines: int = 14) -> None:
        super().__init__()
        self.max_lines = max_lines
        self.visible_lines = visible_lines
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._open_line = False  # the last line has no newline yet

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def append(self, text: str) -> None:
        if not text:
            return
        text = _ANSI.sub("", text.replace("\r\n", "\n")).expandtabs(4)
        parts = text.split("\n")
        lines = self._lines
        before = len(lines)
        if self._open_line and lines:
            lines[-1] += parts[0]
            parts = parts[1:]
        if parts:
            self._open_line = parts[-1] != ""
            if parts[-1] == "":
                parts.pop()
        lines.extend(parts[-self.max_lines :])
        grew = min(before, self.visible_lines) != min(len(lines), self.visible_lines)
        self.refresh(layout=grew)

    def clear(self) -> None:
        self._lines.clear()
        self._open_line = False
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return min(len(self._lines), self.visible_lines)

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        height = self.content_region.height
        index = len(self._lines) - height + y
        if not 0 <= index < len(self._lines) or width <= 0:
            return Strip.blank(width, self.rich_style)
        text = self._lines[index][:width]
        return Strip([Segment(text.ljust(width), self.rich_style)], width)
