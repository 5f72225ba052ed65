"""Finding and parsing SKILL.md folders.

Discovery sources, in override order (a later source replaces an earlier
skill of the same name):

1. ``bundled``: the repo's ``skills/`` folder. In a source or editable
   checkout it is ``Path(zeph_tui.__file__).parents[1] / "skills"``. A wheel
   must ship it as data (see :func:`bundled_skills_dir`).
2. ``user``: ``$ZEPH_HOME/skills`` (default ``~/.local/share/zeph-tui``).
3. ``workspace``: ``.zeph/skills``, ``.agents/skills``, ``.claude/skills``
   under the workspace root, in that order.

Each direct sub-folder of a source holding a ``SKILL.md`` is one skill.
Invalid skills are returned as :class:`SkillProblem` with the reason; they
are never dropped silently.

Spec followed: Agent Skills "SKILL.md format" and "Directory structure".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import SkillError
from zeph_tui.core.front_matter import parse_front_matter
from zeph_tui.core.skills.model import (
    COMPATIBILITY_MAX_CHARS,
    DESCRIPTION_MAX_CHARS,
    RESOURCE_DIRS,
    Skill,
    SkillProblem,
    SkillSource,
    name_problem,
)

__all__ = [
    "MAX_RESOURCES",
    "WORKSPACE_SKILL_DIRS",
    "SourceDir",
    "bundled_skills_dir",
    "default_zeph_home",
    "discover",
    "parse_skill",
    "skill_sources",
]

WORKSPACE_SKILL_DIRS: tuple[str, ...] = (".zeph/skills", ".agents/skills", ".claude/skills")
MAX_RESOURCES = 200
"""At most this many resource file names are listed per skill."""

SourceDir = tuple[SkillSource, Path]


def bundled_skills_dir() -> Path:
    """Return the folder of the skills shipped with zeph-tui.

    Looks for ``zeph_tui/_skills`` inside the package first (where a wheel
    build may place the data), then the checkout's ``<repo>/skills``.
    The returned folder may not exist (e.g. a wheel built without it).
    """
    import zeph_tui

    package_dir = Path(zeph_tui.__file__).resolve().parent
    in_package = package_dir / "_skills"
    if in_package.is_dir():
        return in_package
    return package_dir.parent / "skills"


def default_zeph_home(env: Mapping[str, str] | None = None) -> Path:
    """Return ``$ZEPH_HOME`` or ``~/.local/share/zeph-tui``."""
    environ = os.environ if env is None else env
    value = environ.get("ZEPH_HOME")
    if value:
        return Path(value).expanduser()
    return Path.home() / ".local" / "share" / "zeph-tui"


def skill_sources(
    workspace: Path, zeph_home: Path, bundled_dir: Path | None = None
) -> list[SourceDir]:
    """Return the source folders in override order (earliest first).

    Args:
        workspace: the workspace root.
        zeph_home: the user's zeph-tui data folder.
        bundled_dir: override of :func:`bundled_skills_dir` (tests).
    """
    bundled = bundled_skills_dir() if bundled_dir is None else bundled_dir
    sources: list[SourceDir] = [("bundled", bundled), ("user", zeph_home / "skills")]
    sources += [("workspace", workspace / rel) for rel in WORKSPACE_SKILL_DIRS]
    return sources


def _optional_str(meta: Mapping[str, Any], key: str, max_chars: int | None = None) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SkillError(f"'{key}' must be a string, got {type(value).__name__}")
    if max_chars is not None and len(value) > max_chars:
        raise SkillError(f"'{key}' is {len(value)} characters, the limit is {max_chars}")
    return value


def _allowed_tools(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise SkillError("'allowed-tools' must be a space-separated string or a list of strings")


def _resources(folder: Path) -> tuple[str, ...]:
    found: list[str] = []
    for sub in RESOURCE_DIRS:
        root = folder / sub
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                found.append((Path(dirpath) / fname).relative_to(folder).as_posix())
                if len(found) >= MAX_RESOURCES:
                    return tuple(found)
    return tuple(found)


def parse_skill(folder: Path, source: SkillSource, *, trusted: bool = False) -> Skill:
    """Read and validate ``folder/SKILL.md``.

    Args:
        folder: the skill's folder; its name must equal the ``name`` field.
        source: where the folder was found.
        trusted: recorded on the returned skill (the caller decides).

    Returns:
        The parsed :class:`Skill`.

    Raises:
        SkillError: unreadable file, bad YAML, missing or invalid ``name``,
            name/folder mismatch, missing or too long ``description``, or a
            field of the wrong type. The message is the reason.
    """
    skill_file = folder / "SKILL.md"
    try:
        raw = skill_file.read_bytes()
    except OSError as exc:
        raise SkillError(f"cannot read SKILL.md: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SkillError(f"SKILL.md is not valid UTF-8: {exc}") from exc
    meta, body = parse_front_matter(text, what="SKILL.md", error=SkillError)
    if "name" not in meta:
        raise SkillError("missing 'name' in front matter")
    name = meta["name"]
    if (reason := name_problem(name)) is not None:
        raise SkillError(reason)
    if name != folder.name:
        raise SkillError(f"name {name!r} does not match its folder name {folder.name!r}")
    description = meta.get("description")
    if description is None:
        raise SkillError("missing 'description' in front matter")
    if not isinstance(description, str) or not description.strip():
        raise SkillError("'description' must be a non-empty string")
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise SkillError(
            f"'description' is {len(description)} characters, the limit is {DESCRIPTION_MAX_CHARS}"
        )
    metadata = meta.get("metadata", {}) or {}
    if not isinstance(metadata, dict):
        raise SkillError("'metadata' must be a mapping")
    return Skill(
        name=name,
        description=description,
        body=body.strip(),
        folder=folder.resolve(),
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        license=_optional_str(meta, "license"),
        compatibility=_optional_str(meta, "compatibility", COMPATIBILITY_MAX_CHARS),
        allowed_tools=_allowed_tools(meta.get("allowed-tools")),
        metadata=metadata,
        resources=_resources(folder),
        trusted=trusted,
    )


def _skill_folders(root: Path) -> Iterable[Path]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [Path(e.path) for e in entries if not e.name.startswith(".") and e.is_dir()]


def discover(sources: Iterable[SourceDir]) -> tuple[list[Skill], list[SkillProblem]]:
    """Parse every skill folder of every source, in source order.

    Args:
        sources: ``(source, folder)`` pairs, earliest (lowest priority) first.

    Returns:
        ``(skills, problems)``: every valid skill in discovery order
        (duplicates across sources included; the caller applies overrides)
        and one problem per invalid folder. Trust is left False.
    """
    skills: list[Skill] = []
    problems: list[SkillProblem] = []
    for source, root in sources:
        for folder in _skill_folders(root):
            if not (folder / "SKILL.md").is_file():
                problems.append(SkillProblem(folder, "no SKILL.md in skill folder"))
                continue
            try:
                skills.append(parse_skill(folder, source))
            except SkillError as exc:
                problems.append(SkillProblem(folder / "SKILL.md", str(exc)))
    return skills, problems
