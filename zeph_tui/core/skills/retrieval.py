"""Ranking skills against a prompt with BM25.

Each skill becomes one document: its name (split on hyphens) and
description weighted up, plus the body's headings. Text is lower-cased,
split on non-alphanumerics, stop words dropped, and lightly stemmed by
suffix stripping (no extra dependency).

Scoring is Okapi BM25 in its Lucene form, the default of ``bm25s``
(``k1 = 1.5``, ``b = 0.75``, ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``,
term part ``tf / (tf + k1 * (1 - b + b * len / avg_len))``), computed over
plain dicts: a skills catalog is tens of short documents, and ``bm25s`` with
``numpy`` would cost an agent ~16 MB of RSS and ~0.3 s of import for them
for the rest of its life (the repo map, with thousands of documents, keeps
``bm25s``). ``tests/core/skills`` checks the scores against ``bm25s``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from zeph_tui.core.skills.model import ScoredSkill, Skill

__all__ = ["SkillIndex", "stem", "tokenize"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = """a about above after again all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own
    please same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours want need like make get let lets using use"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# (suffix, replacement), tried in order; the first that leaves a stem of >= 3 chars wins.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("ities", ""),
    ("ity", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ers", ""),
    ("er", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)
_K1 = 1.5
_B = 0.75
_NAME_WEIGHT = 3
_DESCRIPTION_WEIGHT = 2


def stem(word: str) -> str:
    """Light suffix-stripping stemmer: ``testing``/``tests``/``tested`` -> ``test``.

    Also undoubles a final consonant (``debugging`` -> ``debug``) and drops a
    final ``e`` (``rename``/``renaming`` -> ``renam``). Words under 4 chars
    and words ending in ``ss`` are kept as they are.
    """
    if len(word) < 4 or word.endswith("ss") or word.isdigit():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case, split on non-alphanumerics, drop stop words, stem.

    Returns:
        Tokens in text order (duplicates kept).
    """
    return [stem(w) for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS]


def _document(skill: Skill) -> list[str]:
    tokens = tokenize(skill.name.replace("-", " ")) * _NAME_WEIGHT
    tokens += tokenize(skill.description) * _DESCRIPTION_WEIGHT
    tokens += tokenize(" ".join(skill.headings()))
    return tokens


class SkillIndex:
    """A BM25 index over a fixed list of skills (scoring: module doc).

    Args:
        skills: the skills to rank; the order breaks score ties.
    """

    def __init__(self, skills: Sequence[Skill]) -> None:
        self._skills = list(skills)
        docs = [Counter(_document(s)) for s in self._skills]
        lengths = [sum(doc.values()) for doc in docs]
        avg = (sum(lengths) / len(lengths)) if lengths else 0.0
        self._norm = [_K1 * (1 - _B + _B * n / avg) if avg else _K1 for n in lengths]
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for token, tf in doc.items():
                self._postings.setdefault(token, []).append((i, tf))
        total = len(docs)
        self._idf = {
            token: math.log(1 + (total - len(hits) + 0.5) / (len(hits) + 0.5))
            for token, hits in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._skills)

    def scores(self, query: str) -> list[float]:
        """The BM25 score of every skill for ``query``, in index order (0.0: no match)."""
        out = [0.0] * len(self._skills)
        for token in dict.fromkeys(tokenize(query)):
            hits = self._postings.get(token)
            if hits:
                idf = self._idf[token]
                for i, tf in hits:
                    out[i] += idf * tf / (tf + self._norm[i])
        return out

    def search(self, query: str, k: int = 5) -> list[ScoredSkill]:
        """Return up to ``k`` skills with a positive score, best first.

        Args:
            query: free text (usually the user's prompt).
            k: maximum number of hits; ``k <= 0`` returns all matches.

        Returns:
            :class:`ScoredSkill` list sorted by descending BM25 score (ties
            keep index order); empty when nothing matches.
        """
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep order
        limit = len(order) if k <= 0 else min(k, len(order))
        hits: list[ScoredSkill] = []
        for i in order[:limit]:
            if scores[i] <= 0.0:
                break
            hits.append(ScoredSkill(self._skills[i], scores[i]))
        return hits
