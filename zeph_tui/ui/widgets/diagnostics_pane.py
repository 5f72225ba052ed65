"""DiagnosticsPane: compiler/linter diagnostics per file; select one to jump there.

Fed through :meth:`DiagnosticsPane.set_diagnostics`; the dashboard calls it with
the structured diagnostics of write/edit/diagnostics results
(:mod:`zeph_tui.ui.pane_feed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.widgets import Tree

from zeph_tui.ui.widgets.locations import LocationSelected

__all__ = ["Diagnostic", "DiagnosticsPane"]

Severity = Literal["error", "warning", "information", "hint"]
_STYLE = {"error": "bold red", "warning": "yellow", "information": "cyan", "hint": "dim"}
_ORDER = {"error": 0, "warning": 1, "information": 2, "hint": 3}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One diagnostic.

    Attributes:
        line / column: 1-based position (code points), as people read it.
        severity: error | warning | information | hint.
        message: the text.
        source: e.g. ``pyright``, ``ruff``; '' when unknown.
        code: e.g. ``reportAttributeAccessIssue``; '' when none.
    """

    line: int
    column: int
    severity: Severity
    message: str
    source: str = ""
    code: str = ""


class DiagnosticsPane(Tree[Diagnostic | str]):
    """Files (with counts) as branches, diagnostics as leaves, errors first.

    Attribute down: :meth:`set_diagnostics`. Message up: :class:`~zeph_tui.ui.widgets.locations.LocationSelected`.
    """

    DEFAULT_CSS = """
    DiagnosticsPane { padding: 0 1; background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Diagnostics", id=id)
        self.show_root = False
        self.by_path: dict[str, tuple[Diagnostic, ...]] = {}

    def on_mount(self) -> None:
        self._rebuild()

    def set_diagnostics(self, path: str, items: Sequence[Diagnostic]) -> None:
        """Replace the diagnostics of ``path`` (workspace-relative); empty removes the file."""
        if items:
            self.by_path[path] = tuple(
                sorted(items, key=lambda d: (_ORDER.get(d.severity, 9), d.line, d.column))
            )
        else:
            self.by_path.pop(path, None)
        self._rebuild()

    def clear_all(self) -> None:
        self.by_path.clear()
        self._rebuild()

    @property
    def counts(self) -> dict[str, int]:
        """Totals by severity over every file."""
        out: dict[str, int] = {}
        for items in self.by_path.values():
            for d in items:
                out[d.severity] = out.get(d.severity, 0) + 1
        return out

    def _rebuild(self) -> None:
        self.clear()
        if not self.by_path:
            self.root.add_leaf(Text("No diagnostics.", style="dim"), data="")
            return
        for path in sorted(self.by_path):
            items = self.by_path[path]
            errors = sum(1 for d in items if d.severity == "error")
            label = Text(path, style="bold")
            noun = "error" if errors == 1 else "errors"
            label.append(f"  {errors} {noun}, {len(items) - errors} other", style="dim")
            branch = self.root.add(label, data=path, expand=True)
            for d in items:
                leaf = Text(f"{d.line}:{d.column} ", style="dim")
                leaf.append(d.severity, style=_STYLE.get(d.severity, ""))
                leaf.append(f" {d.message}")
                if d.source or d.code:
                    leaf.append(f"  [{d.source}{' ' + d.code if d.code else ''}]", style="dim")
                branch.add_leaf(leaf, data=d)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Diagnostic | str]) -> None:
        event.stop()
        node = event.node
        data = node.data
        if isinstance(data, Diagnostic) and node.parent is not None:
            path = str(node.parent.data)
            self.post_message(LocationSelected(path, data.line, data.column))
