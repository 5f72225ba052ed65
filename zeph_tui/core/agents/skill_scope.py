"""The skills a sub-agent is offered: its definition's ``skills`` within the parent's.

An agent definition may name skills in its front matter (``skills: a, b``).
Its child session then offers only those of them the parent's library has:
the system prompt's catalog lists them alone and ``load_skill`` refuses any
other name (the refusal is the tool's error result, reported to the child's
model). Without the key the child is offered the parent's skills unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from zeph_tui.core.errors import SkillError
from zeph_tui.core.skills.catalog import build_catalog
from zeph_tui.core.tools.skill_tools import LoadSkill

if TYPE_CHECKING:
    from zeph_tui.core.session.session import PromptSection, Session
    from zeph_tui.core.skills.library import SkillLibrary
    from zeph_tui.core.skills.model import Skill

__all__ = ["ScopedLoadSkill", "scope_skills"]


class ScopedLoadSkill(LoadSkill):
    """``load_skill`` limited to ``allowed`` names of ``library`` (others: a ``ToolError``).

    Args:
        library: the parent's skill library.
        allowed: the skill names the agent may load.
        agent: the agent's name, for the refusal message.
    """

    def __init__(self, library: SkillLibrary, allowed: Iterable[str], agent: str) -> None:
        super().__init__(library)
        self.allowed = frozenset(allowed)
        self.agent = agent

    def _lookup(self, name: str) -> Skill:
        if name not in self.allowed:
            offered = ", ".join(sorted(self.allowed & set(self.library.skills))) or "none"
            raise SkillError(
                f"skill {name!r} is outside the scope of sub-agent {self.agent}; "
                f"its skills: {offered}"
            )
        return super()._lookup(name)


def _catalog_section(library: SkillLibrary, allowed: frozenset[str]) -> PromptSection:
    async def skills(session: Session, user_text: str) -> str:
        def render() -> str:
            library.reload_if_changed()
            ranked = [h.skill for h in library.search(user_text, k=0)] if user_text.strip() else []
            seen = {s.name for s in ranked}
            ranked += [s for s in library.skills.values() if s.name not in seen]
            chosen = [s for s in ranked if s.name in allowed]
            return build_catalog(chosen, session.provider.context_window_tokens)

        return await asyncio.to_thread(render)

    skills.skill_catalog = True  # type: ignore[attr-defined]  # marks it for a later scoping
    return skills


def _is_catalog(section: PromptSection) -> bool:
    """The skills catalog section (:func:`zeph_tui.core.sections.standard_sections`, or ours)."""
    return bool(getattr(section, "skill_catalog", False))


def scope_skills(child: Session, allowed: Iterable[str], agent: str) -> None:
    """Limit ``child``'s skills to ``allowed`` (see the module doc).

    Replaces the child's ``load_skill`` tool and its skills catalog section;
    a child without ``load_skill`` (the parent had no skills tool) is left alone.
    """
    tool = child.tools.get("load_skill")
    if not isinstance(tool, LoadSkill):
        return
    names = frozenset(allowed)
    child.tools["load_skill"] = ScopedLoadSkill(tool.library, names, agent)
    sections = child.prompt_sections
    at = next((i for i, s in enumerate(sections) if _is_catalog(s)), len(sections))
    sections[at : at + 1] = [_catalog_section(tool.library, names)]
