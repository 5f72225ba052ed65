"""The dashboard's ways to the full text: archived tool output (F4, a pane's marker) and files.

:class:`OutputActions` is a mixin of :class:`~zeph_tui.ui.app.ZephApp`; the
message handlers that call it stay in the app (Textual collects ``@on``
handlers from App subclasses only).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual import work
from textual.app import App

from zeph_tui.ui.screens.file_viewer import FileViewer

if TYPE_CHECKING:
    from zeph_tui.core.session.session import Session
    from zeph_tui.ui.controller import DashboardController
    from zeph_tui.ui.widgets.tool_pane import ToolPane
    from zeph_tui.ui.widgets.tool_panes import ToolPanes

__all__ = ["OutputActions"]


class _Host(Protocol):
    """What the mixin uses of the app besides :class:`App` itself."""

    controller: DashboardController
    workspace: Path

    @property
    def session(self) -> Session | None: ...

    @property
    def tool_panes(self) -> ToolPanes: ...


class OutputActions:
    """F4 and the archive marker (:class:`OverflowModal`), and the file viewer."""

    @work(group="archive")
    async def find_archive(self, pane: ToolPane, result_text: str) -> None:
        """Show the archive marker on a finished command's pane when its output was cut."""
        host: _Host = self  # type: ignore[assignment]
        found = await host.controller.archive_of(pane.tool_call_id, result_text)
        if found is not None:
            pane.set_archive(*found)

    def action_open_output(self) -> None:
        """F4: the newest pane's archive, else the session's newest stored one (``--resume``)."""
        host: _Host = self  # type: ignore[assignment]
        panes = [p for p in host.tool_panes.panes.values() if p.overflow_id]
        if not panes:
            self._open_stored_output()
            return
        self._open_overflow(panes[-1].overflow_id or "")

    @work(group="archive")
    async def _open_stored_output(self) -> None:
        host: _Host = self  # type: ignore[assignment]
        session = host.session
        from zeph_tui.ui.screens.overflow_modal import latest_archive

        found = session and await latest_archive(session.store.archive, session.id)
        if found:
            self._open_overflow(found)
        else:
            app: App[int] = self  # type: ignore[assignment]
            app.notify("no archived output yet", severity="warning")

    def _open_overflow(self, overflow_id: str) -> None:
        host: _Host = self  # type: ignore[assignment]
        app: App[int] = self  # type: ignore[assignment]
        if host.session is not None:
            from zeph_tui.ui.screens.overflow_modal import OverflowModal

            app.push_screen(OverflowModal(host.session.store.archive, overflow_id))

    def _view_file(self, path: str | Path, line: int, column: int) -> None:
        """Open ``path`` (workspace-relative) at 1-based ``line``:``column`` in the viewer."""
        host: _Host = self  # type: ignore[assignment]
        app: App[int] = self  # type: ignore[assignment]
        label = f"{path}:{line}:{column}"
        app.push_screen(FileViewer(host.workspace / path, line, column, label=label))
