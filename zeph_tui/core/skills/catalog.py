"""The skills section of the system prompt, within a token budget.

The budget is :data:`CATALOG_BUDGET_FRACTION` of the model's context window,
with tokens estimated as ``len(text) / 4``. The most relevant skills get
``name: description`` lines; the others are listed by name only; a skill is
loaded with the ``load_skill`` tool.
"""

from __future__ import annotations

from collections.abc import Sequence

from zeph_tui.core.skills.model import Skill

__all__ = [
    "CATALOG_BUDGET_FRACTION",
    "CHARS_PER_TOKEN",
    "SHORT_DESCRIPTION_CHARS",
    "build_catalog",
    "estimate_tokens",
]

CATALOG_BUDGET_FRACTION = 0.02
CHARS_PER_TOKEN = 4
SHORT_DESCRIPTION_CHARS = 120
"""A description that does not fit whole is cut to this many characters."""

_HEADER = (
    "# Skills\n"
    "Skills are instructions for specific tasks. Before starting a task a skill covers, "
    "call load_skill(name) and follow what it says.\n"
)
_SHORT_HEADER = "Skills (load with load_skill(name)): "


def estimate_tokens(text: str) -> int:
    """Rough token count: characters / 4, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 3].rsplit(" ", 1)[0].rstrip(" ,;:-") + "..."


def _full_line(skill: Skill, max_chars: int | None) -> str:
    marker = "" if skill.trusted else " [workspace, untrusted]"
    text = skill.description if max_chars is None else _shorten(skill.description, max_chars)
    return f"- {skill.name}{marker}: {text}\n"


def _render(full: list[str], names: list[str], dropped: int) -> str:
    out = _HEADER + "".join(full)
    if names or dropped:
        label = "Also available" if full else "Available"
        more = f" and {dropped} more" if dropped else ""
        out += f"{label}: {', '.join(names)}{more}\n"
    return out


def build_catalog(ranked: Sequence[Skill], context_window_tokens: int) -> str:
    """Render the catalog for a prompt.

    Args:
        ranked: every skill, most relevant first (the caller ranks).
        context_window_tokens: the model's context window in tokens.

    Returns:
        Text whose estimated size is at most 2% of the window: descriptions
        (whole, or cut to 120 chars when that is what fits) for the leading
        skills in rank order until one no longer fits,
        the rest by name, and a "... and N more" tail if even the names do
        not fit. ``""`` when there are no skills.
    """
    if not ranked:
        return ""
    budget_chars = int(context_window_tokens * CATALOG_BUDGET_FRACTION) * CHARS_PER_TOKEN
    names = [s.name for s in ranked]
    dropped = 0
    while names and len(_render([], names, dropped)) > budget_chars:
        names.pop()
        dropped += 1
    if not names:
        short = f"{_SHORT_HEADER}{len(ranked)} skills; ask for them by name."
        return short[:budget_chars]
    full: list[str] = []
    rest = list(names)
    for skill in ranked[: len(names)]:
        candidate_rest = rest[1:]
        for max_chars in (None, SHORT_DESCRIPTION_CHARS):
            line = _full_line(skill, max_chars)
            if len(_render([*full, line], candidate_rest, dropped)) <= budget_chars:
                break
        else:
            break
        full.append(line)
        rest = candidate_rest
    return _render(full, rest, dropped)
