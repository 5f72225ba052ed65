"""``zeph-tui skills``: list, search, show and approve skills.

Usage (wired by ``zeph_tui.cli``)::

    zeph-tui skills list [--json]          # name, description, source, trusted
    zeph-tui skills search QUERY [--json]  # same fields plus score, best first
    zeph-tui skills show NAME              # SKILL.md body and resource files
    zeph-tui skills approve NAME           # trust a workspace skill's current content

Invalid skills are reported on stderr with their reason. ``$ZEPH_HOME``
(default ``~/.local/share/zeph-tui``) locates user skills and approvals.
Exit codes: 0 ok, 1 approval failure, 2 unknown skill (a user's mistake).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from zeph_tui.core import SkillError
from zeph_tui.core.errors import UnknownSkill
from zeph_tui.core.skills.library import SkillLibrary
from zeph_tui.core.skills.model import Skill

__all__ = ["run"]

SEARCH_LIMIT = 10


def _row(skill: Skill) -> dict[str, Any]:
    return {
        "name": skill.name,
        "description": skill.description,
        "source": skill.source,
        "trusted": skill.trusted,
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no skills found")
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        score = f"{r['score']:6.2f}  " if "score" in r else ""
        flag = "" if r["trusted"] else " (untrusted)"
        desc = r["description"]
        desc = desc if len(desc) <= 90 else desc[:87] + "..."
        print(f"{score}{r['name']:<{width}}  {r['source']:<9}{flag}  {desc}")


def _one_skill(lib: SkillLibrary, action: str, name: str) -> int:
    """``show`` / ``approve`` one skill: one line and exit 2 when it is unknown, 1 when refused."""
    try:
        if action == "show":
            _show(lib.get(name))
        else:
            skill = lib.approve(name)
            print(f"{skill.name}: trusted ({skill.source}, sha256 {skill.sha256[:12]})")
    except SkillError as exc:
        print(f"zeph-tui skills: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UnknownSkill) else 1
    return 0


def _show(skill: Skill) -> None:
    trust = "trusted" if skill.trusted else "untrusted (approve with: zeph-tui skills approve)"
    print(f"# {skill.name} ({skill.source}, {trust})")
    print(f"# {skill.skill_file}")
    print()
    print(skill.body)
    if skill.resources:
        print()
        print("Resources:")
        for rel in skill.resources:
            print(f"- {rel}")


def run(args: argparse.Namespace) -> int:
    """Run one ``skills`` action.

    Args:
        args: ``action`` ("list" | "search" | "show" | "approve"), ``query``
            (str, search), ``name`` (str, show/approve), ``json`` (bool),
            ``workspace`` (str path, default ".").

    Returns:
        Exit code: 0 ok, 1 failed approval, 2 unknown skill or bad action.
    """
    workspace = Path(getattr(args, "workspace", None) or ".")
    lib = SkillLibrary(workspace)
    for problem in lib.problems:
        print(f"skill problem: {problem}", file=sys.stderr)
    action = args.action
    as_json = bool(getattr(args, "json", False))
    if action == "list":
        rows = [_row(s) for s in lib.skills.values()]
    elif action == "search":
        hits = lib.search(str(getattr(args, "query", "") or ""), k=SEARCH_LIMIT)
        rows = [{**_row(h.skill), "score": round(h.score, 4)} for h in hits]
    elif action in ("show", "approve"):
        return _one_skill(lib, action, str(args.name))
    else:
        print(f"zeph-tui skills: unknown action {action!r}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_table(rows)
    return 0
