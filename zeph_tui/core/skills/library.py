"""``SkillLibrary``: the effective set of skills of one workspace.

It discovers skills from every source (see :mod:`.loader`), applies the
override order and trust, ranks them for a prompt, renders the catalog and
notices edits through :meth:`SkillLibrary.reload_if_changed`.

The constructor only stats the sources: the skills are discovered on first use,
or ahead of it by :meth:`SkillLibrary.warm` (the runtime runs it in a worker
thread after a session answered; it also builds the BM25 index, SQLite FTS5). A lock keeps
a query on the event loop and a warm-up in a thread from loading twice.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from zeph_tui.core.errors import SkillError, UnknownSkill
from zeph_tui.core.skills.catalog import build_catalog, fits_whole
from zeph_tui.core.skills.loader import SourceDir, default_zeph_home, discover, skill_sources
from zeph_tui.core.skills.model import ScoredSkill, Skill, SkillProblem
from zeph_tui.core.skills.retrieval import SkillIndex
from zeph_tui.core.skills.trust import TrustStore

__all__ = ["SkillLibrary"]

_Fingerprint = tuple[tuple[str, int, int], ...]


def _stat_key(path: Path) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


class SkillLibrary:
    """Skills visible from a workspace, with override order and trust applied.

    Args:
        workspace: the workspace root.
        zeph_home: user data folder; default ``$ZEPH_HOME`` or
            ``~/.local/share/zeph-tui``.
        bundled_dir: override of the bundled skills folder (tests, embedding).

    Loading happens on first use (or :meth:`warm`); it never raises for a bad
    skill or a bad trust file: those land in :attr:`problems`.
    """

    def __init__(
        self, workspace: Path, zeph_home: Path | None = None, *, bundled_dir: Path | None = None
    ) -> None:
        self.workspace = workspace.resolve()
        self.zeph_home = default_zeph_home() if zeph_home is None else zeph_home
        self.trust = TrustStore(self.zeph_home)
        self._sources: list[SourceDir] = skill_sources(self.workspace, self.zeph_home, bundled_dir)
        self._skills: dict[str, Skill] = {}
        self._shadowed: list[Skill] = []
        self._problems: list[SkillProblem] = []
        self._index: SkillIndex | None = None
        self._fingerprint: _Fingerprint = self._compute_fingerprint()  # stats only
        self._loaded = False
        self._lock = threading.RLock()

    @property
    def loaded(self) -> bool:
        """True once the skills were discovered (first use or :meth:`warm`)."""
        return self._loaded

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self.reload()

    def warm(self, context_window_tokens: int | None = None) -> None:
        """Discover the skills (or reload them if changed) and build the BM25 index.

        With ``context_window_tokens`` the index is built only when the catalog
        needs a ranking (not every description fits: :func:`fits_whole`).
        Blocking (file reads, the FTS5 index): run it in a worker thread.
        """
        with self._lock:
            if not self.reload_if_changed():
                self._ensure_loaded()
            skills = list(self._skills.values())
            if context_window_tokens is not None and fits_whole(skills, context_window_tokens):
                return
            if self._index is None:
                self._index = SkillIndex(skills)

    def catalog_if_ready(self, query: str, context_window_tokens: int) -> str:
        """Like :meth:`catalog` but never blocks: ``""`` before the first load.

        Without the index yet the skills are listed in name order (no ranking).
        """
        if not self._loaded:
            return ""
        if self._index is None and not fits_whole(
            list(self._skills.values()), context_window_tokens
        ):
            return build_catalog(list(self._skills.values()), context_window_tokens)
        return self.catalog(query, context_window_tokens)

    # -- loading ---------------------------------------------------------------

    def _compute_fingerprint(self) -> _Fingerprint:
        keys = [_stat_key(self.trust.path)]
        for _, root in self._sources:
            keys.append(_stat_key(root))
            try:
                entries = sorted(os.scandir(root), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                keys.append(_stat_key(Path(entry.path) / "SKILL.md"))
        return tuple(keys)

    def reload(self) -> None:
        """Rediscover every source and recompute trust (always)."""
        with self._lock:
            self._reload()

    def _reload(self) -> None:
        self._fingerprint = self._compute_fingerprint()
        found, problems = discover(self._sources)
        try:
            approved = self.trust.approved()
        except SkillError as exc:
            problems.append(SkillProblem(self.trust.path, f"{exc}; no workspace skill trusted"))
            approved = set()
        effective: dict[str, Skill] = {}
        shadowed: list[Skill] = []
        for skill in found:
            trusted = skill.source != "workspace" or (
                (str(skill.skill_file), skill.sha256) in approved
            )
            skill = dataclasses.replace(skill, trusted=trusted)
            if skill.name in effective:
                shadowed.append(effective[skill.name])
            effective[skill.name] = skill
        self._skills = dict(sorted(effective.items()))
        self._shadowed = shadowed
        self._problems = problems
        self._index = None
        self._loaded = True

    def reload_if_changed(self) -> bool:
        """Reload when a SKILL.md, a skill folder or a source listing changed.

        The check stats the source folders (their mtime changes when a skill
        folder is added, removed or renamed), each SKILL.md (mtime in ns and
        size) and the trust file; it reads no file contents. Changes to
        resource files alone are not noticed (only their names are shown,
        and those are re-listed on the next reload).

        Returns:
            True when a reload happened (changes since construction count
            even before the first load).
        """
        with self._lock:
            if self._compute_fingerprint() == self._fingerprint:
                return False
            self.reload()
            return True

    # -- queries ---------------------------------------------------------------

    @property
    def skills(self) -> Mapping[str, Skill]:
        """Effective skills by name, sorted by name."""
        self._ensure_loaded()
        return self._skills

    @property
    def problems(self) -> tuple[SkillProblem, ...]:
        """Invalid skill folders (and a malformed trust file) with reasons."""
        self._ensure_loaded()
        return tuple(self._problems)

    @property
    def shadowed(self) -> tuple[Skill, ...]:
        """Valid skills replaced by a later source's skill of the same name."""
        self._ensure_loaded()
        return tuple(self._shadowed)

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Return up to ``limit`` skill names close to ``name``, best first.

        rapidfuzz ``WRatio`` >= 70 on lower-cased names: ``"perf"`` and
        ``"release-note"`` find ``performance-profiling`` and ``release-notes``;
        ``"nope"`` (60 against ``performance-profiling``) finds nothing.
        """
        from rapidfuzz import fuzz, process, utils

        hits = process.extract(
            name,
            list(self.skills),
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit,
            score_cutoff=70,
        )
        return [hit[0] for hit in hits]

    def get(self, name: str) -> Skill:
        """Return the effective skill called ``name``.

        Raises:
            UnknownSkill: unknown name; the message lists close matches.
        """
        skill = self.skills.get(name)
        if skill is not None:
            return skill
        close = self.suggest(name)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise UnknownSkill(f"unknown skill {name!r}{hint}")

    def search(self, query: str, k: int = 5) -> list[ScoredSkill]:
        """Rank skills against ``query`` with BM25; see :meth:`SkillIndex.search`."""
        with self._lock:
            self._ensure_loaded()
            if self._index is None:
                self._index = SkillIndex(list(self._skills.values()))
            index = self._index
        return index.search(query, k)

    def catalog(self, query: str, context_window_tokens: int) -> str:
        """Render the system-prompt catalog for ``query``.

        Args:
            query: the user's prompt ("" for no ranking: alphabetical order).
            context_window_tokens: the model's context window in tokens.

        Returns:
            At most ~2% of the window (len/4 tokens): descriptions of the
            most relevant skills, the rest by name; "" when there are none.
            When every description fits (:func:`fits_whole`) they are all
            listed in name order, unranked (the same text whatever the prompt).
        """
        everything = list(self.skills.values())
        if not query.strip() or fits_whole(everything, context_window_tokens):
            return build_catalog(everything, context_window_tokens)
        ranked = [hit.skill for hit in self.search(query, k=0)]
        seen = {s.name for s in ranked}
        ranked += [s for s in everything if s.name not in seen]
        return build_catalog(ranked, context_window_tokens)

    def approve(self, name: str) -> Skill:
        """Trust the current content of workspace skill ``name`` and reload.

        Returns:
            The skill, now trusted.

        Raises:
            SkillError: unknown name, or the trust file cannot be written.
        """
        skill = self.get(name)
        if skill.source == "workspace":
            self.trust.approve(skill)
            self.reload()
        return self.get(name)
