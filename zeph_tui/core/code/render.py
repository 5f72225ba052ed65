"""Text and data the model and the faces get from language servers.

Pure functions over :mod:`lsp_bridge` results (no I/O): the diagnostics delta
of a write rendered for the model, the structured payload for the dashboard
and ACP ``rawOutput`` (shape in :mod:`zeph_tui.core.code.intel`), and hover
summaries (signature + first doc line). Lines and columns are 1-based, columns
in code points, as the bridge gives them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zeph_tui.core.text import plural

if TYPE_CHECKING:
    from lsp_bridge import DiagnosticItem, DiagnosticsReport

__all__ = [
    "HoverEntry",
    "diagnostics_payload",
    "display_path",
    "hover_summary",
    "item_payload",
    "render_diagnostics",
    "render_hovers",
    "render_report",
]

#: The dashboard's severity names (``DiagnosticsPane.Diagnostic.severity``).
_SEVERITY = {"error": "error", "warning": "warning", "info": "information", "hint": "hint"}
_SIGNATURE_MAX_CHARS = 240
_DOC_MAX_CHARS = 200


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX) when inside it, else absolute."""
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix() or "."
    return path.as_posix()


def item_payload(item: DiagnosticItem) -> dict[str, Any]:
    return {
        "line": item.line,
        "column": item.col,
        "severity": _SEVERITY.get(item.severity, item.severity),
        "message": item.message,
        "source": item.source,
        "code": item.code or "",
    }


def diagnostics_payload(
    report: DiagnosticsReport, root: Path, unavailable: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The structured form of a report (shape documented in ``code_intel``)."""
    unavailable = unavailable or {}
    return {
        "path": display_path(report.path, root),
        "version": report.version,
        "items": [item_payload(d) for d in report.current],
        "new": [item_payload(d) for d in report.new],
        "fixed": [item_payload(d) for d in report.fixed],
        "pending": [n for n in report.pending if n not in unavailable],
        "missing": [*report.missing, *(unavailable[n] for n in report.pending if n in unavailable)],
    }


def _render_items(
    title: str, items: Sequence[DiagnosticItem], limit: int, root: Path
) -> tuple[list[str], int]:
    """Up to ``limit`` items (hints left out) under ``title``; returns lines and the count shown."""
    if not items or limit <= 0:
        return [], 0
    lines = [f"{title}:"]
    lines += [item.render(root) for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more {title} (see the diagnostics tool)")
    return lines, min(limit, len(items))


def render_report(
    report: DiagnosticsReport,
    root: Path,
    *,
    answered: int,
    unavailable: Mapping[str, str] | None = None,
    timeout_s: float,
    max_items: int = 20,
) -> str:
    """Render what a write did to a file's diagnostics, for the model.

    The delta (introduced, then fixed; errors first; at most ``max_items`` per
    file, hints left out), one line per server that did not answer in time
    (never presented as a clean result) and one per missing server with its
    install hint.

    Args:
        report: the bridge's report of the write.
        root: workspace root, for relative paths.
        answered: how many servers answered for this version; with none, no
            counts are printed (nothing may look like a clean result).
        unavailable: pending servers that are in fact not installed, name ->
            description with the install hint (from ``LspBridge.status()``).
        timeout_s: the diagnostics wait, seconds (named in pending lines).
        max_items: cap of rendered new + fixed diagnostics.

    Returns:
        The text; '' only when no server answered, none is pending and none missing.
    """
    unavailable = unavailable or {}
    shown = display_path(report.path, root)
    pending = [n for n in report.pending if n not in unavailable]
    missing = [*report.missing, *(unavailable[n] for n in report.pending if n in unavailable)]
    lines: list[str] = []
    if answered > 0 or report.current or report.new or report.fixed:
        new = [d for d in report.new if d.severity != "hint"]
        fixed = [d for d in report.fixed if d.severity != "hint"]
        errors = sum(1 for d in report.current if d.severity == "error")
        warnings = sum(1 for d in report.current if d.severity == "warning")
        partial = " (partial)" if pending or unavailable else ""
        lines.append(
            f"Diagnostics for {shown}{partial}: {len(new)} new, {len(fixed)} fixed; "
            f"the file now has {plural(errors, 'error')} and {plural(warnings, 'warning')}."
        )
        new_lines, used = _render_items("new", new, max_items, root)
        fixed_lines, _ = _render_items("fixed", fixed, max_items - used, root)
        lines += new_lines + fixed_lines
    for name in pending:
        lines.append(
            f"diagnostics pending from {name}: no answer within {timeout_s:g} s, so "
            f"{shown} is not known to be clean; ask the diagnostics tool later."
        )
    lines += [f"no diagnostics from {m}" for m in missing]
    return "\n".join(lines)


def render_diagnostics(items: Sequence[DiagnosticItem], root: Path, limit: int = 100) -> str:
    """The current diagnostics of one file or the open set, grouped by nothing, errors first."""
    if not items:
        return ""
    errors = sum(1 for d in items if d.severity == "error")
    files = len({d.path for d in items})
    lines = [f"{plural(len(items), 'diagnostic')} ({plural(errors, 'error')}) in "
             f"{plural(files, 'file')}:"]  # fmt: skip
    lines += [d.render(root) for d in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return "\n".join(lines)


_FENCE = re.compile(r"```[\w+-]*\n(.*?)```", re.DOTALL)


def hover_summary(text: str) -> tuple[str, str]:
    """Split hover markdown into ``(signature, first doc line)``.

    The signature is the first fenced code block on one line (whitespace
    collapsed), or the first line when there is no code block.
    """
    match = _FENCE.search(text)
    if match is not None:
        signature = _first_statement(match.group(1).splitlines())
        rest = text[match.end() :]
    else:
        first, _, rest = text.strip().partition("\n")
        signature = first.strip()
    signature = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", re.sub(r",\s*\)", ")", signature)))
    doc = ""
    for raw in rest.splitlines():
        line = raw.strip()
        if line and not line.startswith(("---", "```", "***", "___")):
            doc = line
            break
    return _clip(signature, _SIGNATURE_MAX_CHARS), _clip(doc, _DOC_MAX_CHARS)


def _first_statement(lines: list[str]) -> str:
    """Join code lines until brackets balance (a signature split over lines), one line."""
    parts: list[str] = []
    depth = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        parts.append(line)
        depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
        if depth <= 0:
            break
    return " ".join(parts)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class HoverEntry:
    """One prefetched symbol: its name, where it is defined and its hover summary."""

    name: str
    path: Path
    line: int
    signature: str
    doc: str


def render_hovers(
    entries: Sequence[HoverEntry], root: Path, *, limit_chars: int, max_symbols: int
) -> str:
    """Render prefetched hovers within ``limit_chars`` and ``max_symbols`` ('' if none)."""
    header = "Symbols from other files used in these lines (from the language server):"
    lines = [header]
    size = len(header)
    for entry in entries[:max_symbols]:
        line = f"- {entry.name} ({display_path(entry.path, root)}:{entry.line}): {entry.signature}"
        if entry.doc:
            line += f" -- {entry.doc}"
        if size + 1 + len(line) > limit_chars:
            break
        lines.append(line)
        size += 1 + len(line)
    return "\n".join(lines) if len(lines) > 1 else ""
