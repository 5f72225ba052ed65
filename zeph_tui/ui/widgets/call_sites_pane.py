"""CallSitesPane: where a renamed (or looked-up) symbol is used, grouped by file.

Fed by the rename flow through :meth:`CallSitesPane.set_call_sites`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree

from zeph_tui.core.text import plural
from zeph_tui.ui.widgets.locations import LocationSelected

__all__ = ["CallSite", "CallSitesPane"]


@dataclass(frozen=True, slots=True)
class CallSite:
    """One reference.

    Attributes:
        path: workspace-relative file.
        line / column: 1-based.
        enclosing: the enclosing symbol (``Class.method``), '' at module level.
        text: the source line, stripped.
    """

    path: str
    line: int
    column: int
    enclosing: str = ""
    text: str = ""


class CallSitesPane(Tree[CallSite | str]):
    """Attribute down: :meth:`set_call_sites`. Message up: :class:`~zeph_tui.ui.widgets.locations.LocationSelected`."""

    DEFAULT_CSS = """
    CallSitesPane { padding: 0 1; background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Call sites", id=id)
        self.show_root = True
        self.symbol = ""
        self.sites: tuple[CallSite, ...] = ()

    def on_mount(self) -> None:
        self._rebuild()

    def set_call_sites(self, symbol: str, sites: Sequence[CallSite], *, new_name: str = "") -> None:
        """Show ``sites`` of ``symbol`` (``old → new`` in the title when ``new_name``)."""
        self.symbol = f"{symbol} → {new_name}" if new_name else symbol
        self.sites = tuple(sorted(sites, key=lambda s: (s.path, s.line, s.column)))
        self._rebuild()

    def _rebuild(self) -> None:
        self.clear()
        if not self.sites:
            self.root.set_label(Text("No call sites (they appear after a rename).", style="dim"))
            return
        files = sorted({s.path for s in self.sites})
        self.root.set_label(
            Text(
                f"{self.symbol}: {plural(len(self.sites), 'site')} in {plural(len(files), 'file')}",
                style="bold",
            )
        )
        self.root.expand()
        for path in files:
            branch = self.root.add(Text(path, style="bold"), data=path, expand=True)
            for site in (s for s in self.sites if s.path == path):
                label = Text(f"{site.line}:{site.column} ", style="dim")
                if site.enclosing:
                    label.append(f"{site.enclosing}  ", style="cyan")
                label.append(site.text)
                branch.add_leaf(label, data=site)

    def on_tree_node_selected(self, event: Tree.NodeSelected[CallSite | str]) -> None:
        event.stop()
        if isinstance(event.node.data, CallSite):
            site = event.node.data
            self.post_message(LocationSelected(site.path, site.line, site.column))
