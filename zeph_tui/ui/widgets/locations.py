"""LocationSelected: the one message a pane posts when the person picks ``path:line:column``.

Posted by :class:`~zeph_tui.ui.widgets.diagnostics_pane.DiagnosticsPane` and
:class:`~zeph_tui.ui.widgets.call_sites_pane.CallSitesPane`; the dashboard opens the
file there (one handler for every pane that lists places in code).
"""

from __future__ import annotations

from textual.message import Message

__all__ = ["LocationSelected"]


class LocationSelected(Message):
    """The person picked ``path:line:column``.

    Attributes:
        path: workspace-relative file.
        line / column: 1-based (code points), as people read them.
    """

    def __init__(self, path: str, line: int, column: int) -> None:
        super().__init__()
        self.path = path
        self.line = line
        self.column = column
