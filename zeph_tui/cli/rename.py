"""``zeph-tui rename PATH:LINE:COL NEW_NAME [--dry-run] [--json] [--yes]``.

Renames the symbol at ``PATH:LINE:COL`` (1-based, relative to the workspace
or absolute) with the workspace's language servers: prints the call sites
grouped by file and the unified diff, asks ``Apply? [y/N]`` on the terminal
(no answer, EOF or no stdin means no) unless ``--yes``, then writes every
file or none and reports the diagnostics delta against the diagnostics from
before the rename (a clean rename says "0 new" even in a project with errors;
``kind`` is definition | import | call | reference). ``--dry-run`` writes nothing.

With ``--json`` the human report goes to stderr and the last stdout line is
``{"call_sites": [{path, line, column, enclosing_symbol, text, kind}],
"files_changed": [path], "diagnostics": {"new": [...], "fixed": [...]},
"applied": bool, "old_name": str, "new_name": str, "diff": str}``
(``files_changed`` lists the files that would change on a dry run or a
refusal, with ``applied`` false).

Exit codes: 0 applied (or dry run), 1 the rename failed, 2 refused (by the
person at the prompt, or a mistake in the request: bad name, not on a
symbol, outside the workspace, bad ``PATH:LINE:COL``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from lsp_bridge import DiagnosticItem, LspBridge
from zeph_tui.core.code.rename import (
    RenameError,
    RenameOutcome,
    RenamePlan,
    RenameRefused,
    apply_rename,
    parse_target,
    plan_rename,
    render_call_sites,
)

__all__ = ["diagnostic_json", "report_json", "run"]


def diagnostic_json(item: DiagnosticItem) -> dict[str, Any]:
    """``{path, line, column, severity, source, code, message}``."""
    return {
        "path": str(item.path),
        "line": item.line,
        "column": item.col,
        "severity": item.severity,
        "source": item.source,
        "code": item.code,
        "message": item.message,
    }


def report_json(plan: RenamePlan, outcome: RenameOutcome | None) -> dict[str, Any]:
    """The ``--json`` report (see the module docstring)."""
    files = outcome.files_changed if outcome is not None else tuple(plan.files)
    return {
        "old_name": plan.old_name,
        "new_name": plan.new_name,
        "applied": outcome is not None,
        "call_sites": [s.to_json() for s in plan.call_sites],
        "files_changed": [str(p) for p in files],
        "diagnostics": {
            "new": [diagnostic_json(d) for d in (outcome.new if outcome else ())],
            "fixed": [diagnostic_json(d) for d in (outcome.fixed if outcome else ())],
        },
        "diff": plan.diff,
    }


def _ask(out: TextIO) -> bool:
    out.write("Apply? [y/N] ")
    out.flush()
    try:
        answer = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in ("y", "yes")


async def _main(
    args: argparse.Namespace, workspace: Path, out: TextIO
) -> tuple[int, dict[str, Any] | None]:
    path, line, column = parse_target(args.target)
    timeout_s = float(args.settings.lsp.diagnostics_timeout_s)
    async with LspBridge(workspace, diagnostics_timeout_s=timeout_s) as bridge:
        plan = await plan_rename(bridge, path, line, column, args.new_name)
        out.write(render_call_sites(plan) + "\n\n" + plan.diff)
        if args.dry_run:
            out.write("(dry run: nothing written)\n")
            return 0, report_json(plan, None)
        if not args.yes and not _ask(out):
            out.write("not applied\n")
            return 2, report_json(plan, None)
        outcome = await apply_rename(bridge, plan)
        out.write(
            f"renamed {plan.old_name} -> {plan.new_name} in {len(outcome.files_changed)} "
            f"file(s); diagnostics: {len(outcome.new)} new, {len(outcome.fixed)} fixed\n"
        )
        for text in outcome.reports:
            out.write(text + "\n")
        return 0, report_json(plan, outcome)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``zeph-tui rename``; returns the exit code."""
    out = sys.stderr if args.json else sys.stdout
    try:
        workspace = Path(getattr(args, "workspace", ".") or ".").resolve()
        code, report = asyncio.run(_main(args, workspace, out))
    except RenameRefused as exc:  # the person's mistake: one line, exit 2
        print(f"zeph-tui rename: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"error": str(exc)}))
        return 2
    except RenameError as exc:
        print(f"zeph-tui rename: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"error": str(exc)}))
        return 1
    if args.json and report is not None:
        out.flush()
        print(json.dumps(report))
    return code
