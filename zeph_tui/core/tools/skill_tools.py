"""The ``load_skill`` tool: the model reads a skill's instructions on demand.

The system prompt carries only the catalog (names and descriptions); the
model calls ``load_skill(name)`` to get the body and the names of the
skill's resource files (scripts/, references/, assets/), which it may then
read with the ordinary file tools.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from zeph_tui.core.errors import SkillError, ToolError
from zeph_tui.core.events import Location
from zeph_tui.core.skills.library import SkillLibrary
from zeph_tui.core.skills.model import Skill
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult, check_args

__all__ = ["BODY_LIMIT_BYTES", "LoadSkill", "render_skill"]

BODY_LIMIT_BYTES = 20 * 1024


def _cap_utf8(text: str, limit_bytes: int) -> tuple[str, int]:
    raw = text.encode("utf-8")
    if len(raw) <= limit_bytes:
        return text, len(raw)
    return raw[:limit_bytes].decode("utf-8", errors="ignore"), len(raw)


def render_skill(skill: Skill, limit_bytes: int = BODY_LIMIT_BYTES) -> str:
    """Render a skill for the model.

    Args:
        skill: the skill to show.
        limit_bytes: cap on the UTF-8 size of the body; past it the body is
            cut and a notice names the file to read for the rest.

    Returns:
        ``<skill ...>`` body ``</skill>`` followed by the resource list.
    """
    body, total_bytes = _cap_utf8(skill.body, limit_bytes)
    parts = [f'<skill name="{skill.name}" source="{skill.source}" folder="{skill.folder}">', body]
    if total_bytes > limit_bytes:
        parts.append(
            f"[skill body truncated: {limit_bytes} of {total_bytes} bytes shown; "
            f"read {skill.skill_file} for the rest]"
        )
    parts.append("</skill>")
    if not skill.trusted:
        parts.append(
            "Note: untrusted workspace skill; its allowed-tools grant nothing and "
            "every tool call still needs the usual permission."
        )
    if skill.resources:
        parts.append(f"Resources (paths relative to {skill.folder}; read them when needed):")
        parts += [f"- {rel}" for rel in skill.resources]
    return "\n".join(parts)


class LoadSkill(Tool, name="load_skill", kind="read", read_only=True):
    """``load_skill(name)``: return a skill's instructions and resource names.

    Args:
        library: the session's skill library; re-checked for edits per call.
    """

    def __init__(self, library: SkillLibrary) -> None:
        self.library = library

    def title(self, args: Mapping[str, Any]) -> str:
        return f"load_skill {args.get('name', '')}".rstrip()

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    def _lookup(self, name: str) -> Skill:
        self.library.reload_if_changed()  # stats files: keep it off the event loop
        return self.library.get(name)

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """Return the rendered skill; ``raw_extras`` is ``{"skill": name}`` (for faces).

        Raises:
            ToolInputError: ``name`` missing or not a string.
            ToolError: unknown skill; the message suggests close names.
        """
        check_args(self.input_schema, args)
        try:
            skill = await asyncio.to_thread(self._lookup, str(args["name"]).strip())
        except SkillError as exc:
            raise ToolError(str(exc)) from exc
        return ToolResult(
            text=render_skill(skill),
            locations=(Location(path=str(skill.skill_file)),),
            raw_extras={"skill": skill.name},
        )
