"""Trust of skills and the tool grants they may carry.

Rules:

- bundled skills (shipped with zeph-tui) and user skills (``$ZEPH_HOME/skills``)
  are trusted;
- workspace skills are untrusted until the user approves them once; the
  approval records the sha256 of that SKILL.md's bytes with its path in
  ``$ZEPH_HOME/trusted_skills.json``; a changed file is untrusted again.

An untrusted skill's ``allowed-tools`` never widen permissions:
:func:`skill_tool_grants` returns an empty set for it. The permission layer
must take grants only from :func:`skill_tool_grants` (hence only from
trusted skills), and a grant can never override a deny rule: grants may only
turn an "ask" into an "allow".
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

from zeph_tui.core.errors import SkillError
from zeph_tui.core.skills.model import Skill

__all__ = ["TRUST_FILE_NAME", "TrustStore", "skill_tool_grants"]

TRUST_FILE_NAME = "trusted_skills.json"
_VERSION = 1


def skill_tool_grants(skill: Skill) -> frozenset[str]:
    """Return the tool patterns a skill pre-approves, empty unless it is trusted.

    Args:
        skill: a skill as loaded by the library (``trusted`` already decided).

    Returns:
        ``allowed-tools`` entries (e.g. ``{"Bash(git:*)", "Read"}``) for a
        trusted skill; ``frozenset()`` for an untrusted one. Grants only ever
        relax an "ask"; they can never override a deny.
    """
    if not skill.trusted:
        return frozenset()
    return frozenset(skill.allowed_tools)


class TrustStore:
    """Approvals of workspace skills, kept in ``$ZEPH_HOME/trusted_skills.json``.

    File shape: ``{"version": 1, "approved": [{"path": str, "sha256": str,
    "approved_at": float}]}`` where ``path`` is the absolute SKILL.md path and
    ``approved_at`` Unix seconds.
    """

    def __init__(self, zeph_home: Path) -> None:
        """Args: zeph_home: the user's zeph-tui data folder (need not exist yet)."""
        self.path = zeph_home / TRUST_FILE_NAME

    def _read(self) -> list[dict[str, object]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SkillError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SkillError(f"{self.path} is not valid JSON: {exc.msg}") from exc
        entries = data.get("approved") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise SkillError(f"{self.path} has no 'approved' list")
        return [e for e in entries if isinstance(e, dict)]

    def approved(self) -> set[tuple[str, str]]:
        """Return the approved ``(skill_file_path, sha256)`` pairs.

        Raises:
            SkillError: the file exists but is unreadable or malformed.
        """
        return {
            (str(e.get("path")), str(e.get("sha256")))
            for e in self._read()
            if isinstance(e.get("path"), str) and isinstance(e.get("sha256"), str)
        }

    def is_trusted(self, skill: Skill) -> bool:
        """Whether ``skill`` is trusted by source or by a matching approval.

        Raises:
            SkillError: the trust file is malformed (only read for workspace skills).
        """
        if skill.source != "workspace":
            return True
        return (str(skill.skill_file), skill.sha256) in self.approved()

    def approve(self, skill: Skill) -> None:
        """Record approval of this exact SKILL.md content (atomic write).

        Older approvals of the same path are replaced.

        Raises:
            SkillError: the trust file is malformed or cannot be written.
        """
        key = str(skill.skill_file)
        entries = [e for e in self._read() if e.get("path") != key]
        entries.append({"path": key, "sha256": skill.sha256, "approved_at": time.time()})
        payload = json.dumps({"version": _VERSION, "approved": entries}, indent=2)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".trusted_skills.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(payload + "\n")
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise SkillError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
