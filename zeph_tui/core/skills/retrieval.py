"""Ranking skills against a prompt with BM25, by SQLite FTS5.

Each skill is one row of an in-memory FTS5 table with three columns: its name
(hyphens read as spaces), its description and the headings of its body. The
table uses the tokenizer the memory store uses (``porter unicode61``: Unicode
word splitting, case folding, Porter stemming, so ``testing``, ``tests`` and
``tested`` meet), and ranks with FTS5's ``bm25()`` (Okapi BM25, ``k1 = 1.2``,
``b = 0.75``; https://sqlite.org/fts5.html#the_bm25_function) with the column
weights name 3, description 2, headings 1. A query is the prompt's words,
stop words dropped, OR'ed as quoted FTS5 strings, so no prompt text is read
as query syntax.

``sqlite3`` is already loaded by the store: an index costs no import, about
1 ms to build for a hundred skills and well under 1 ms per query.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence

from zeph_tui.core.skills.model import ScoredSkill, Skill

__all__ = ["SkillIndex", "query_terms"]

_WORD_RE = re.compile(r"\w+")
_STOPWORD_TEXT = """a about above after again all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own
    please same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours want need like make get let lets using use"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SCHEMA = "CREATE VIRTUAL TABLE skills USING fts5(name, description, headings, tokenize='porter unicode61')"
_WEIGHTS = "3.0, 2.0, 1.0"  # name, description, headings


def query_terms(text: str) -> list[str]:
    """The words of ``text`` a search looks for: lower-cased, stop words dropped, each once.

    Returns:
        Words in text order: ``"Fix the failing tests!"`` -> ``["fix", "failing", "tests"]``.
    """
    words = _WORD_RE.findall(text.lower())
    return list(dict.fromkeys(w for w in words if w not in _STOPWORDS))


class SkillIndex:
    """A BM25 index over a fixed list of skills (scoring: module doc).

    Args:
        skills: the skills to rank; the order breaks score ties.

    Safe to search from several threads (one lock around the connection).
    """

    def __init__(self, skills: Sequence[Skill]) -> None:
        self._skills = list(skills)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(_SCHEMA)
        self._db.executemany(
            "INSERT INTO skills (rowid, name, description, headings) VALUES (?, ?, ?, ?)",
            [
                (i, s.name.replace("-", " "), s.description, "\n".join(s.headings()))
                for i, s in enumerate(self._skills)
            ],
        )

    def __len__(self) -> int:
        return len(self._skills)

    def search(self, query: str, k: int = 5) -> list[ScoredSkill]:
        """Return up to ``k`` skills that match ``query``, best first.

        Args:
            query: free text (usually the user's prompt).
            k: maximum number of hits; ``k <= 0`` returns all matches.

        Returns:
            :class:`ScoredSkill` list sorted by descending BM25 score (the
            negated FTS5 ``bm25()``, > 0; ties keep index order); empty when
            no word of the query is in any skill.
        """
        terms = query_terms(query)
        if not terms or not self._skills:
            return []
        sql = (
            f"SELECT rowid, bm25(skills, {_WEIGHTS}) AS rank FROM skills WHERE skills MATCH ? "
            "ORDER BY rank, rowid LIMIT ?"
        )
        match = " OR ".join(f'"{term}"' for term in terms)
        with self._lock:
            rows = self._db.execute(sql, (match, k if k > 0 else -1)).fetchall()
        return [ScoredSkill(self._skills[i], -rank) for i, rank in rows if rank < 0]
