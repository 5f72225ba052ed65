"""CallSitesPane: where a renamed (or looked-up) symbol is used, by kind, then by file.

Fed by the rename flow through :meth:`CallSitesPane.set_call_sites` with the core's
:class:`~zeph_tui.core.code.call_sites.CallSite` (paths workspace-relative). As in
``zeph-tui rename`` (:func:`~zeph_tui.core.code.rename.render_call_sites`), the kinds
are listed apart: the definition, imports, calls and other references; the head line
counts calls and references as sites and imports apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Tree

from zeph_tui.core.code.call_sites import KINDS, CallSite
from zeph_tui.core.text import plural
from zeph_tui.ui.widgets.locations import LocationSelected

__all__ = ["CallSitesPane"]


_TITLES = {"definition": "definition", "import": "imports", "call": "calls",
           "reference": "other references"}  # fmt: skip


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
        self.sites = tuple(sorted(sites, key=lambda s: (str(s.path), s.line, s.column)))
        self._rebuild()

    def _rebuild(self) -> None:
        self.clear()
        if not self.sites:
            self.root.set_label(Text("No call sites (they appear after a rename).", style="dim"))
            return
        uses = [s for s in self.sites if s.kind in ("call", "reference")]
        imports = sum(1 for s in self.sites if s.kind == "import")
        head = f"{self.symbol}: {plural(len(uses), 'site')} in {plural(len({s.path for s in uses}), 'file')}"
        self.root.set_label(
            Text(head + (f", {plural(imports, 'import')}" if imports else ""), style="bold")
        )
        self.root.expand()
        for kind in KINDS:
            of_kind = [s for s in self.sites if s.kind == kind]
            if not of_kind:
                continue
            group = self.root.add(
                Text(f"{_TITLES[kind]} ({len(of_kind)})", style="bold magenta"),
                data=kind,
                expand=True,
            )
            for path in sorted({str(s.path) for s in of_kind}):
                branch = group.add(Text(path, style="bold"), data=path, expand=True)
                for site in (s for s in of_kind if str(s.path) == path):
                    label = Text(f"{site.line}:{site.column} ", style="dim")
                    if site.enclosing_symbol:
                        label.append(f"{site.enclosing_symbol}  ", style="cyan")
                    label.append(site.text)
                    branch.add_leaf(label, data=site)

    def on_tree_node_selected(self, event: Tree.NodeSelected[CallSite | str]) -> None:
        event.stop()
        if isinstance(event.node.data, CallSite):
            site = event.node.data
            self.post_message(LocationSelected(str(site.path), site.line, site.column))
