"""Side-pane data read from tool results (the structured ``raw_output`` extras).

Core puts structured data next to the text of every final
:class:`~zeph_tui.core.events.ToolCallUpdate`: ``raw_output = {"text", "isError",
**ToolResult.raw_extras}``. These pure functions turn those extras into what
the side panes take; the :class:`~zeph_tui.ui.render.EventRenderer` calls them.
Malformed extras are ignored (a face never crashes on a producer's bug).

Keys read:

* ``diagnostics`` (write_file, edit_file, diagnostics with a path):
  ``{path, version, items: [Item], new, fixed, pending, missing}`` with
  ``Item = {line, column, severity, message, source, code}`` (see
  :mod:`zeph_tui.core.code.intel`); the file's set replaces the previous one.
* ``diagnosticsByPath`` (diagnostics without a path): ``{path: [Item]}``.
* ``callSites``, ``symbol``, ``newName`` (rename_symbol): ``callSites`` items
  are ``CallSite.to_json()`` of :mod:`zeph_tui.core.code.rename`
  (``{path, line, column, enclosing_symbol, text}``, absolute paths).
* ``skill`` (load_skill): the loaded skill's name.

No Textual import here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zeph_tui.core.code.call_sites import KINDS, CallSite
from zeph_tui.ui.format import relative_path
from zeph_tui.ui.widgets.diagnostics_pane import Diagnostic

__all__ = ["CallSitesFeed", "call_sites_from", "diagnostics_from", "skill_from"]

_SEVERITIES = frozenset({"error", "warning", "information", "hint"})


@dataclass(frozen=True, slots=True)
class CallSitesFeed:
    """A rename's call sites for :meth:`CallSitesPane.set_call_sites`."""

    symbol: str
    new_name: str
    sites: tuple[CallSite, ...]


def _diagnostic(item: Any) -> Diagnostic | None:
    if not isinstance(item, Mapping):
        return None
    line, column, severity = item.get("line"), item.get("column"), item.get("severity")
    if not isinstance(line, int) or not isinstance(column, int) or severity not in _SEVERITIES:
        return None
    return Diagnostic(
        line,
        column,
        severity,
        str(item.get("message", "")),
        str(item.get("source") or ""),
        str(item.get("code") or ""),
    )


def _items(raw: Any) -> list[Diagnostic]:
    if not isinstance(raw, list):
        return []
    return [d for d in map(_diagnostic, raw) if d is not None]


def diagnostics_from(raw_output: Mapping[str, Any]) -> dict[str, list[Diagnostic]]:
    """The diagnostics sets in a tool result, by workspace-relative path.

    Returns:
        ``{path: [Diagnostic, ...]}``; an empty list means "this file is clean"
        (the pane drops it); ``{}`` when the result carries no diagnostics.
    """
    out: dict[str, list[Diagnostic]] = {}
    single = raw_output.get("diagnostics")
    if isinstance(single, Mapping) and isinstance(single.get("path"), str):
        out[str(single["path"])] = _items(single.get("items"))
    by_path = raw_output.get("diagnosticsByPath")
    if isinstance(by_path, Mapping):
        for path, items in by_path.items():
            if isinstance(path, str):
                out[path] = _items(items)
    return out


def call_sites_from(raw_output: Mapping[str, Any], workspace: Path | None) -> CallSitesFeed | None:
    """A rename's call sites (paths made workspace-relative), or None when absent."""
    raw_sites = raw_output.get("callSites")
    if not isinstance(raw_sites, list):
        return None
    sites: list[CallSite] = []
    for raw in raw_sites:
        if not isinstance(raw, Mapping):
            continue
        line, column = raw.get("line"), raw.get("column")
        if not isinstance(line, int) or not isinstance(column, int):
            continue
        sites.append(
            CallSite(
                Path(relative_path(str(raw.get("path", "")), workspace)),
                line,
                column,
                str(raw.get("enclosing_symbol") or "") or None,
                str(raw.get("text") or ""),
                kind if (kind := raw.get("kind")) in KINDS else "reference",
            )
        )
    return CallSitesFeed(
        str(raw_output.get("symbol") or "?"), str(raw_output.get("newName") or ""), tuple(sites)
    )


def skill_from(raw_output: Mapping[str, Any]) -> str | None:
    """The name of the skill a successful ``load_skill`` loaded, else None."""
    name = raw_output.get("skill")
    if isinstance(name, str) and name and not raw_output.get("isError"):
        return name
    return None
