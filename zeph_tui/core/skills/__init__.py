"""Agent Skills: discovery, validation, trust, retrieval and the prompt catalog.

Public API::

    lib = SkillLibrary(workspace, zeph_home)       # loads every source
    lib.skills / lib.problems                      # effective skills, invalid ones
    lib.reload_if_changed()                        # cheap stat check, True if reloaded
    lib.search(prompt, k)                          # list[ScoredSkill], best first
    lib.catalog(prompt, context_window_tokens)     # system-prompt section (~2% of window)
    lib.get(name) / lib.approve(name)              # SkillError on unknown names
    skill_tool_grants(skill)                       # frozenset(), unless trusted

Spec followed: Agent Skills (agentskills.io), SKILL.md format.
"""

from zeph_tui.core.skills.catalog import build_catalog, estimate_tokens
from zeph_tui.core.skills.library import SkillLibrary
from zeph_tui.core.skills.loader import (
    WORKSPACE_SKILL_DIRS,
    bundled_skills_dir,
    default_zeph_home,
    discover,
    parse_skill,
    skill_sources,
)
from zeph_tui.core.skills.model import ScoredSkill, Skill, SkillProblem, SkillSource
from zeph_tui.core.skills.retrieval import SkillIndex, query_terms
from zeph_tui.core.skills.trust import TrustStore, skill_tool_grants

__all__ = [
    "WORKSPACE_SKILL_DIRS",
    "ScoredSkill",
    "Skill",
    "SkillIndex",
    "SkillLibrary",
    "SkillProblem",
    "SkillSource",
    "TrustStore",
    "build_catalog",
    "bundled_skills_dir",
    "default_zeph_home",
    "discover",
    "estimate_tokens",
    "parse_skill",
    "query_terms",
    "skill_sources",
    "skill_tool_grants",
]
