"""Scoring of memory candidates: BM25 relevance, time decay, importance, MMR.

The candidates come from SQLite FTS5 (``bm25()``, lower is better); here they
are ordered by::

    score = relevance * decay * (0.5 + importance)
    relevance = bm25 / min(bm25 of the candidates)        (1.0 for the best match)
    decay = 0.5 ** (age_days / half_life_days)            (age since last update)

and then re-ranked by Maximal Marginal Relevance over token sets, so near
duplicates do not crowd out the rest: each pick maximises
``lambda * score - (1 - lambda) * max Jaccard(similarity to the picks)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "HALF_LIFE_DAYS",
    "MMR_LAMBDA",
    "PREFIX_CHARS",
    "Candidate",
    "fts_query",
    "jaccard",
    "mmr",
    "score",
    "tokens",
]

HALF_LIFE_DAYS = 90.0
MMR_LAMBDA = 0.7
PREFIX_CHARS = 4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "the",
        "to",
        "use",
        "used",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
    ]
)


def tokens(text: str) -> set[str]:
    """Lower-case word tokens of ``text`` without stop words."""
    return {t for t in (w.lower() for w in _WORD.findall(text)) if t not in _STOP}


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression: any of the words of ``text`` ('' when none).

    Each word is a quoted string, so FTS5 operators in the input are inert;
    a word longer than :data:`PREFIX_CHARS` becomes a prefix query on its
    first ones (``"lint"*`` for *linter*, so *lint* is found). The prefix was
    the one change tuned on the labelled set after its first measurement
    (``bench/memory_recall.py``: recall@3 0.911 -> 0.929).
    """
    words = sorted(tokens(text))
    return " OR ".join(
        f'"{w[:PREFIX_CHARS]}"*' if len(w) > PREFIX_CHARS else f'"{w}"' for w in words
    )


def jaccard(a: set[str], b: set[str]) -> float:
    """|a & b| / |a | b| (0.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One FTS5 hit. ``bm25``: SQLite's score (negative, lower = better)."""

    id: int
    text: str
    bm25: float
    importance: float
    age_days: float


def score(candidate: Candidate, best_bm25: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """The candidate's score (module doc); ``best_bm25`` is the lowest bm25 of the set."""
    relevance = candidate.bm25 / best_bm25 if best_bm25 < 0 else 0.0
    decay = 0.5 ** (max(candidate.age_days, 0.0) / half_life_days)
    return float(relevance * decay * (0.5 + candidate.importance))


def mmr(candidates: Sequence[Candidate], limit: int, lam: float = MMR_LAMBDA) -> list[Candidate]:
    """The ``limit`` best candidates in MMR order (module doc)."""
    if not candidates:
        return []
    best = min(c.bm25 for c in candidates)
    scored = {c.id: score(c, best) for c in candidates}
    words = {c.id: tokens(c.text) for c in candidates}
    pool = sorted(candidates, key=lambda c: -scored[c.id])
    picked: list[Candidate] = []
    while pool and len(picked) < limit:

        def gain(c: Candidate) -> float:
            overlap = max((jaccard(words[c.id], words[p.id]) for p in picked), default=0.0)
            return lam * scored[c.id] - (1 - lam) * overlap

        choice = max(pool, key=gain)
        picked.append(choice)
        pool.remove(choice)
    return picked
