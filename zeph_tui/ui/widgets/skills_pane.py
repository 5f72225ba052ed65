"""SkillsPane: the skills offered for the current prompt and those the agent loaded."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

__all__ = ["SkillEntry", "SkillsPane"]


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """A skill as listed: name, one-line description, retrieval score (0 when not ranked)."""

    name: str
    description: str
    score: float = 0.0


class SkillsPane(Static):
    """Attributes down: :meth:`set_skills`, :meth:`mark_loaded`."""

    DEFAULT_CSS = """
    SkillsPane { padding: 0 1; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.offered: tuple[SkillEntry, ...] = ()
        self.loaded: set[str] = set()
        self.available = 0

    def on_mount(self) -> None:
        self._render_text()

    def set_skills(
        self, offered: Sequence[SkillEntry], loaded: Collection[str] = (), *, available: int = 0
    ) -> None:
        """Skills ranked for the prompt (best first), names loaded so far, library size."""
        self.offered = tuple(offered)
        self.loaded = set(loaded) | self.loaded
        self.available = available or self.available
        self._render_text()

    def mark_loaded(self, name: str) -> None:
        self.loaded.add(name)
        self._render_text()

    def _render_text(self) -> None:
        text = Text()
        text.append(f"Loaded ({len(self.loaded)})\n", style="bold")
        for name in sorted(self.loaded):
            text.append(f"  ● {name}\n")
        if not self.loaded:
            text.append("  none yet\n", style="dim")
        text.append(f"\nOffered for this prompt ({len(self.offered)}", style="bold")
        text.append(f" of {self.available})\n" if self.available else ")\n", style="bold")
        for entry in self.offered:
            mark = "●" if entry.name in self.loaded else "○"
            text.append(f"  {mark} {entry.name}", style="bold" if mark == "●" else "")
            if entry.score:
                text.append(f"  {entry.score:.2f}", style="dim")
            text.append(f"\n    {entry.description}\n", style="dim")
        if not self.offered:
            text.append("  send a prompt to rank skills\n", style="dim")
        self.update(text)
