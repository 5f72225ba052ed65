"""The prompt sections a :class:`~zeph_tui.core.runtime.Runtime` gives every session.

Each section is a :data:`~zeph_tui.core.session.session.PromptSection`
(``async (session, user_text) -> str``, ``""`` for nothing). They take what
the background warm-ups (:class:`~zeph_tui.core.warmup.Warmup`) have ready
when a prompt arrives and never wait for a warm-up that follows the
provider's (DESIGN.md "Session open path"): the skills catalog is ranked
once its index is built (in name order before), the repo map appears once
its warm-up has run (within :data:`REPO_MAP_WAIT_S`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zeph_tui.core.session.session import PromptSection, Session
    from zeph_tui.core.skills import SkillLibrary
    from zeph_tui.core.tools.repomap_tool import RepoMapSection
    from zeph_tui.core.warmup import Warmup

__all__ = ["REPO_MAP_WAIT_S", "library_read_roots", "repo_map_section", "standard_sections"]

REPO_MAP_WAIT_S = 0.5
"""Longest wait (seconds) of a prompt for the repo map text once its warm-up has run."""


def standard_sections(library: SkillLibrary, warmup: Warmup) -> list[PromptSection]:
    """Project instructions (AGENTS.md and kin) and the skills catalog of ``library``."""

    async def instructions(session: Session, user_text: str) -> str:
        from zeph_tui.core.session.instructions import load_project_instructions

        return await asyncio.to_thread(load_project_instructions, session.workspace)

    async def skills(session: Session, user_text: str) -> str:
        """Ranked catalog once the index is warm (no wait), else what is loaded, in name order."""
        window = session.provider.context_window_tokens
        key = f"skills:{session.workspace}"
        if key in warmup.status():
            if await warmup.wait(key, 0):
                await asyncio.to_thread(library.warm, window)  # picks up edits since the warm-up
                return library.catalog(user_text, window)
            return library.catalog_if_ready(user_text, window)
        await asyncio.to_thread(library.reload_if_changed)
        await asyncio.to_thread(lambda: library.skills)  # discover (no index) off the loop
        return library.catalog_if_ready(user_text, window)

    skills.skill_catalog = True  # type: ignore[attr-defined]  # a sub-agent's scope replaces it
    return [instructions, skills]


def repo_map_section(repo_map: RepoMapSection, warmup: Warmup) -> PromptSection:
    """The repo map of the session's workspace once its warm-up ran (never for ``run``)."""

    async def section(session: Session, user_text: str) -> str:
        """The map, or nothing before its warm-up ran or beyond :data:`REPO_MAP_WAIT_S`.

        A prompt never starts the first build itself nor waits for it: the
        warm-up builds it after the provider's (so the build does not compete
        with the first token), and a prompt sent before has no map.
        """
        key = f"repo_map:{session.workspace}"
        if key not in warmup.status() or not await warmup.wait(key, 0):
            return ""
        try:
            async with asyncio.timeout(REPO_MAP_WAIT_S):  # the build goes on (shielded)
                return await repo_map(session, user_text)
        except TimeoutError:
            return ""

    return section


def library_read_roots(library: SkillLibrary) -> list[Path]:
    """Skill folders outside the workspace the model may read resources from."""
    from zeph_tui.core.skills.loader import bundled_skills_dir

    roots = [bundled_skills_dir(), library.zeph_home / "skills"]
    return [r for r in roots if r.is_dir()]
