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


def _tail(n_full: int, names: list[str], dropped: int) -> str:
    if not names and not dropped:
        return ""
    label = "Also available" if n_full else "Available"
    more = (f" and {dropped} more" if names else f"{dropped} more") if dropped else ""
    return f"{label}: {', '.join(names)}{more}\n"


def _tail_size(n_full: int, names_chars: int, n_names: int, dropped: int) -> int:
    """``len(_tail(...))`` without building it (names_chars: summed name lengths)."""
    if not n_names and not dropped:
        return 0
    size = len("Also available" if n_full else "Available") + 2 + 1
    size += names_chars + 2 * max(n_names - 1, 0)
    if dropped:
        size += len(f" and {dropped} more" if n_names else f"{dropped} more")
    return size


def fits_whole(skills: Sequence[Skill], context_window_tokens: int) -> bool:
    """Whether every skill's whole description fits the budget of ``context_window_tokens``.

    Then :func:`build_catalog` lists them all whatever their order, and no
    ranking (no BM25 index) is needed. Linear in the number of skills.
    """
    budget_chars = int(context_window_tokens * CATALOG_BUDGET_FRACTION) * CHARS_PER_TOKEN
    return len(_HEADER) + sum(len(_full_line(s, None)) for s in skills) <= budget_chars


def build_catalog(ranked: Sequence[Skill], context_window_tokens: int) -> str:
    """Render the catalog for a prompt.

    Args:
        ranked: every skill, most relevant first (the caller ranks).
        context_window_tokens: the model's context window in tokens.

    Returns:
        Text whose estimated size is at most 2% of the window: descriptions
        (whole, or cut to 120 chars when that is what fits) for the leading
        skills in rank order until one no longer fits, the rest by name, and
        an "and N more" tail if even the names do not fit. ``""`` when there
        are no skills. Runs in linear time in the number of skills.
    """
    if not ranked:
        return ""
    budget_chars = int(context_window_tokens * CATALOG_BUDGET_FRACTION) * CHARS_PER_TOKEN
    names = [s.name for s in ranked]
    names_chars = sum(map(len, names))
    dropped = 0
    while names and len(_HEADER) + _tail_size(0, names_chars, len(names), dropped) > budget_chars:
        names_chars -= len(names.pop())
        dropped += 1
    if not names:
        short = f"{_SHORT_HEADER}{len(ranked)} skills; ask for them by name."
        return short[:budget_chars]
    full: list[str] = []
    full_chars = 0
    for skill in ranked[: len(names)]:
        rest_chars = names_chars - len(skill.name)
        n_rest = len(names) - len(full) - 1
        for max_chars in (None, SHORT_DESCRIPTION_CHARS):
            line = _full_line(skill, max_chars)
            tail = _tail_size(len(full) + 1, rest_chars, n_rest, dropped)
            if len(_HEADER) + full_chars + len(line) + tail <= budget_chars:
                break
        else:
            break
        full.append(line)
        full_chars += len(line)
        names_chars = rest_chars
    rest = names[len(full) :]
    return _HEADER + "".join(full) + _tail(len(full), rest, dropped)
