"""Data shapes of the skills subsystem and the name/field rules of the standard.

Spec followed: Agent Skills (agentskills.io) "SKILL.md format": ``name`` is
1-64 characters of lowercase letters, digits and single hyphens, not
starting or ending with a hyphen, equal to the folder name; ``description``
is a non-empty string of at most 1024 characters; ``compatibility`` at most
500 characters; ``allowed-tools`` a space-separated string (a YAML list is
accepted too); ``metadata`` a mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "COMPATIBILITY_MAX_CHARS",
    "DESCRIPTION_MAX_CHARS",
    "NAME_MAX_CHARS",
    "RESOURCE_DIRS",
    "ScoredSkill",
    "Skill",
    "SkillProblem",
    "SkillSource",
    "name_problem",
]

SkillSource = Literal["bundled", "user", "workspace"]
"""Where a skill was found: the package's ``skills/``, ``$ZEPH_HOME/skills``,
or one of the workspace folders (``.zeph/skills``, ``.agents/skills``,
``.claude/skills``)."""

NAME_MAX_CHARS = 64
DESCRIPTION_MAX_CHARS = 1024
COMPATIBILITY_MAX_CHARS = 500
RESOURCE_DIRS: tuple[str, ...] = ("scripts", "references", "assets")

_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def name_problem(name: object) -> str | None:
    """Return why ``name`` is not a valid skill name, or None when it is.

    Args:
        name: the raw ``name`` value from the front matter.

    Returns:
        A short human reason (e.g. "name must be lowercase ...") or None.
    """
    if not isinstance(name, str):
        return f"name must be a string, got {type(name).__name__}"
    if not name:
        return "name is empty"
    if len(name) > NAME_MAX_CHARS:
        return f"name is {len(name)} characters, the limit is {NAME_MAX_CHARS}"
    if not _NAME_RE.match(name):
        return (
            f"name {name!r} must use only lowercase letters, digits and single hyphens, "
            "and must not start or end with a hyphen"
        )
    return None


@dataclass(frozen=True, slots=True)
class Skill:
    """One valid skill.

    Attributes:
        name: the skill's name (equals its folder name).
        description: what it does and when to use it (<= 1024 chars).
        body: the Markdown after the front matter, stripped.
        folder: absolute path of the skill's folder.
        source: where it was found (see :data:`SkillSource`).
        sha256: hex digest of the SKILL.md bytes (the trust key).
        license: optional licence string.
        compatibility: optional environment requirements.
        allowed_tools: tools the skill asks to be pre-approved; only honoured
            for trusted skills (see :func:`~zeph_tui.core.skills.trust.skill_tool_grants`).
        metadata: free-form mapping from the front matter.
        resources: files under scripts/, references/, assets/ as POSIX paths
            relative to ``folder`` (e.g. ``"scripts/run.sh"``), sorted.
        trusted: bundled and user skills always; workspace skills once the
            user approved this exact SKILL.md content.
    """

    name: str
    description: str
    body: str
    folder: Path
    source: SkillSource
    sha256: str
    license: str | None = None
    compatibility: str | None = None
    allowed_tools: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    resources: tuple[str, ...] = ()
    trusted: bool = False

    @property
    def skill_file(self) -> Path:
        """Absolute path of the SKILL.md file."""
        return self.folder / "SKILL.md"

    def headings(self) -> list[str]:
        """Markdown headings of the body, without the leading ``#`` marks."""
        return [
            line.lstrip("#").strip()
            for line in self.body.splitlines()
            if line.startswith("#") and line.lstrip("#").startswith(" ")
        ]


@dataclass(frozen=True, slots=True)
class SkillProblem:
    """A skill folder that could not be loaded, and why.

    Attributes:
        path: the folder (or SKILL.md, or trust file) concerned.
        reason: human-readable reason, e.g. "missing 'description'".
    """

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ScoredSkill:
    """A search hit.

    Attributes:
        skill: the matching skill.
        score: relevance, higher is better; only comparable within one query.
    """

    skill: Skill
    score: float
