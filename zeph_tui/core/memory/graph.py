"""Entities and relations extracted from remembered notes by rules, and recall expansion.

Extraction (:func:`extract`, no model call) finds, per memory:
  * entities: code in backticks, file paths (``src/app.py``), dotted or
    snake/Camel-case identifiers (``core.session``, ``open_store``,
    ``RoutingProvider``) and capitalised names (``Postgres``, ``Ada Lovelace``);
    each is keyed by its lower-cased text;
  * relations ``(subject, verb, object)``: two entities of one sentence joined
    by a known verb phrase (uses, depends on, calls, imports, runs, deploys
    with/to, is, replaces, ...); any other pair of entities of one memory is
    related by ``mentions``.

:class:`MemoryGraph` holds the entities of the visible memories and their
relations; :meth:`MemoryGraph.search` finds entities by name and
:meth:`MemoryGraph.expand` walks one or two hops from the entities of some
memories to the memories that mention their neighbours.
:func:`recall` combines the store's ranked search with that expansion.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zeph_tui.core.memory.store import Memory, MemoryStore

__all__ = ["Expanded", "MemoryGraph", "Relation", "extract", "recall"]

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


def extract(text: str) -> tuple[list[str], list[Relation]]:
    """Entity keys (lower-case, first-seen order) and relations of one memory text."""
    keys: list[str] = []
    relations: list[Relation] = []
    for sentence in _SENTENCE.split(text):
        found = _entities(sentence)
        for _, name in found:
            if name.lower() not in keys:
                keys.append(name.lower())
        for (s1, a), (s2, b) in itertools.pairwise(found):
            between = sentence[s1 + len(a) : s2]
            verb = _VERB.search(between)
            if verb and a.lower() != b.lower():
                relations.append(Relation(a.lower(), verb.group(1).lower(), b.lower()))
    typed = {(r.subject, r.object) for r in relations} | {(r.object, r.subject) for r in relations}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if (a, b) not in typed:
                relations.append(Relation(a, "mentions", b))
    return keys, relations


@dataclass(slots=True)
class MemoryGraph:
    """Entities of some memories, the memories mentioning each, and their relations."""

    mentions: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    entities_of: dict[int, list[str]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, memories: Iterable[Memory]) -> MemoryGraph:
        """Extract the entities and relations of ``memories``."""
        graph = cls()
        for memory in memories:
            keys, relations = extract(memory.text)
            graph.entities_of[memory.id] = keys
            for key in keys:
                graph.mentions[key].add(memory.id)
            for rel in relations:
                graph.relations.append(rel)
                graph.neighbours[rel.subject].add(rel.object)
                graph.neighbours[rel.object].add(rel.subject)
        return graph

    def search(self, query: str) -> list[str]:
        """Entity keys containing a word of ``query`` (or contained in it), most mentioned first."""
        words = [w for w in re.findall(r"[\w./-]+", query.lower()) if len(w) > 1]
        hits = [k for k in self.mentions if any(w in k or k in words for w in words)]
        return sorted(hits, key=lambda k: (-len(self.mentions[k]), k))

    def relations_of(self, key: str) -> list[Relation]:
        """Relations with ``key`` as subject or object (typed ones first)."""
        found = [r for r in self.relations if key in (r.subject, r.object)]
        return sorted(found, key=lambda r: r.verb == "mentions")

    def expand(self, seeds: Iterable[int], hops: int = 1) -> dict[int, int]:
        """Memories reached from the entities of ``seeds`` in ``hops`` (1 or 2) steps.

        A memory sharing an entity with a seed is at hop 1; one mentioning a
        neighbour (a related entity) of such an entity is at hop 2.

        Returns:
            ``{memory id: hop}`` without the seeds, nearest first.

        Raises:
            ValueError: ``hops`` is not 1 or 2.
        """
        if hops not in (1, 2):
            raise ValueError(f"hops must be 1 or 2, got {hops}")
        seed_ids = set(seeds)
        frontier = {k for i in seed_ids for k in self.entities_of.get(i, [])}
        reached: dict[int, int] = {}
        seen = set(frontier)
        for hop in range(1, hops + 1):
            for key in frontier:
                for memory_id in self.mentions.get(key, ()):
                    if memory_id not in seed_ids:
                        reached.setdefault(memory_id, hop)
            frontier = {n for k in frontier for n in self.neighbours.get(k, ())} - seen
            seen |= frontier
        return dict(sorted(reached.items(), key=lambda kv: (kv[1], kv[0])))


@dataclass(frozen=True, slots=True)
class Expanded:
    """A recall: the ranked hits, then memories found through their entities (with hop)."""

    hits: list[Memory]
    related: list[tuple[Memory, int]]
    entities: list[str]


async def recall(
    store: MemoryStore, query: str, *, project: str | None, limit: int = 5, hops: int = 1
) -> Expanded:
    """Search ``query``, then expand the hits one or two hops through the entity graph.

    The graph is built from the memories visible in ``project`` (at most the
    1000 most recent). Entities named in the query seed the expansion too.

    Raises:
        ValueError: ``hops`` is not 1 or 2.
    """
    hits = await store.search(query, project=project, limit=limit)
    visible = await store.list(project=project, limit=1000)
    graph = MemoryGraph.build(visible)
    by_id = {m.id: m for m in visible}
    named = graph.search(query)
    seeds = [m.id for m in hits] + [i for key in named for i in graph.mentions[key]]
    reached = graph.expand(seeds, hops)
    hit_ids = {m.id for m in hits}
    extra = [by_id[i] for key in named for i in sorted(graph.mentions[key]) if i not in hit_ids]
    related = [(m, 0) for m in dict.fromkeys(extra)]
    related += [(by_id[i], hop) for i, hop in reached.items() if i in by_id and i not in hit_ids]
    unique: dict[int, tuple[Memory, int]] = {}
    for memory, hop in related:
        unique.setdefault(memory.id, (memory, hop))
    entities = sorted({k for i in seeds for k in graph.entities_of.get(i, [])})
    return Expanded(hits, list(unique.values())[: limit * 2], entities)
