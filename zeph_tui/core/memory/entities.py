"""Entities and relations of a memory's text, found by rules (no model call).

Per memory:
  * entities: code in backticks, file paths (``src/app.py``), dotted or
    snake/Camel-case identifiers (``core.session``, ``open_store``,
    ``RoutingProvider``) and capitalised names (``Postgres``, ``Ada Lovelace``);
    each is keyed by its lower-cased text;
  * relations ``(subject, verb, object)``: two entities of one sentence joined
    by a known verb phrase (uses, depends on, calls, imports, runs, deploys
    with/to, is, replaces, ...); any other pair of entities of one memory is
    related by ``mentions``.

The graph kept of them in the database is :mod:`.graph`'s.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = ["Relation", "extract", "extract_named"]

_CODE = re.compile(r"`([^`\n]{2,60})`")
_PATH = re.compile(
    r"\b[\w.-]+(?:/[\w.-]+)+\.\w{1,6}\b|\b[\w-]+\.(?:py|rs|ts|js|toml|md|json|yaml|yml|go)\b"
)
_IDENT = re.compile(
    r"\b(?:[a-z]\w*\.[a-z_]\w*(?:\.\w+)*|[a-z]+_[a-z_0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z0-9]*|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+)\b"
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z0-9]+(?:\s+[A-Z][a-zA-Z0-9]+)*\b")
_VERBS = (
    "depends on",
    "deploys with",
    "deploys to",
    "runs on",
    "runs with",
    "talks to",
    "is built with",
    "uses",
    "calls",
    "imports",
    "runs",
    "replaces",
    "wraps",
    "owns",
    "stores",
    "is",
    "needs",
)
_VERB = re.compile(r"\s+(" + "|".join(re.escape(v) for v in _VERBS) + r")\s+", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_STOP_NAMES = {"the", "a", "an", "i", "we", "it", "this", "that", "use", "when", "always", "never"}


@dataclass(frozen=True, slots=True)
class Relation:
    """``subject --verb--> object`` between entity keys (lower-case names)."""

    subject: str
    verb: str
    object: str


def _entities(sentence: str) -> list[tuple[int, str]]:
    """``(offset, name)`` of each entity in ``sentence``, in order, without overlaps."""
    found: list[tuple[int, int, str]] = []
    for pattern in (_CODE, _PATH, _IDENT, _NAME):
        for m in pattern.finditer(sentence):
            start, end = m.span(1) if pattern is _CODE else m.span()
            if any(s < end and start < e for s, e, _ in found):
                continue
            name = sentence[start:end].strip()
            if pattern is _NAME:  # "The Billing" -> "Billing"
                words = name.split()
                while len(words) > 1 and words[0].lower() in _STOP_NAMES | _COMMON_OPENERS:
                    start += len(words.pop(0)) + 1
                name = " ".join(words)
            if name.lower() in _STOP_NAMES or len(name) < 2:
                continue
            if (
                pattern is _NAME
                and start == 0
                and " " not in name
                and name.lower() in _COMMON_OPENERS
            ):
                continue
            found.append((start, end, name))
    return [(s, n) for s, _, n in sorted(found)]


_COMMON_OPENERS = {"prefer", "please", "remember", "note", "run", "never", "always", "use", "our"}


def extract_named(text: str) -> tuple[dict[str, str], list[Relation]]:
    """``({key: name as first written}, relations)`` of one memory text.

    Keys are lower-case, in first-seen order. Typed relations come first, in
    text order; every other pair of entities gets a ``mentions`` relation.
    """
    names: dict[str, str] = {}
    relations: list[Relation] = []
    for sentence in _SENTENCE.split(text):
        found = _entities(sentence)
        for _, name in found:
            names.setdefault(name.lower(), name)
        for (s1, a), (s2, b) in itertools.pairwise(found):
            between = sentence[s1 + len(a) : s2]
            verb = _VERB.search(between)
            if verb and a.lower() != b.lower():
                relations.append(Relation(a.lower(), verb.group(1).lower(), b.lower()))
    typed = {(r.subject, r.object) for r in relations} | {(r.object, r.subject) for r in relations}
    keys = list(names)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if (a, b) not in typed:
                relations.append(Relation(a, "mentions", b))
    return names, relations


def extract(text: str) -> tuple[list[str], list[Relation]]:
    """Entity keys (lower-case, first-seen order) and relations of one memory text."""
    names, relations = extract_named(text)
    return list(names), relations
