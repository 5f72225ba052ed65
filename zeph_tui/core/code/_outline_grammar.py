"""Tree-sitter grammars for :mod:`zeph_tui.core.code.outline`: compiled queries and a parse cache.

One :class:`Grammar` per language (its ``defs``, ``uses`` and ``binds``
queries from :mod:`._outline_langs`, compiled once; a pattern the installed
grammar rejects is dropped, not fatal) and one parser per thread. The last
:data:`TREE_CACHE_SIZE` parsed trees are kept, keyed by (language, source), so
an outline and an identifier scan of the same text parse it once.
tree-sitter is imported on the first parse.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from zeph_tui.core.code._outline_langs import LANGUAGES

if TYPE_CHECKING:
    from tree_sitter import Node, Query, Tree

__all__ = ["TREE_CACHE_SIZE", "Grammar", "captures", "grammar", "node_text", "parse"]

_log = logging.getLogger(__name__)

TREE_CACHE_SIZE = 8
"""Parsed trees kept (most recently used)."""


class Grammar:
    """A language's compiled queries and one parser per thread (parsers are not thread-safe)."""

    def __init__(self, name: str) -> None:
        from tree_sitter import Parser
        from tree_sitter_language_pack import get_language

        spec = LANGUAGES[name]
        self.language = get_language(name)  # type: ignore[arg-type]
        self._parser_class = Parser
        self._local = threading.local()
        self.defs = self._query(spec.defs)
        self.uses = self._query(spec.uses)
        self.binds = self._query(spec.binds)

    def parse(self, data: bytes) -> Tree:
        """Parse with this thread's parser; tree-sitter releases the GIL meanwhile."""
        parser = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = self._parser_class(self.language)
        tree: Tree = parser.parse(data)
        return tree

    def _query(self, patterns: Iterable[str]) -> Query | None:
        from tree_sitter import Query, QueryError

        patterns = tuple(patterns)
        try:
            return Query(self.language, "\n".join(patterns))
        except QueryError:
            kept = []
            for pattern in patterns:
                try:
                    Query(self.language, pattern)
                except QueryError as err:
                    _log.debug("dropping query pattern %r: %s", pattern, err)
                else:
                    kept.append(pattern)
            return Query(self.language, "\n".join(kept)) if kept else None


@cache
def grammar(language: str) -> Grammar | None:
    """The compiled grammar of ``language`` (cached); None when unknown or not installed."""
    if language not in LANGUAGES:
        return None
    try:
        return Grammar(language)
    except Exception:  # a missing grammar must not break callers
        _log.warning("tree-sitter grammar %r unavailable", language, exc_info=True)
        return None


_trees: OrderedDict[tuple[str, str], tuple[bytes, Tree]] = OrderedDict()
_trees_lock = threading.Lock()


def parse(source: str, language: str) -> tuple[Grammar, bytes, Tree] | None:
    """Parse ``source``; the last few trees are kept, keyed by (language, source)."""
    compiled = grammar(language)
    if compiled is None:
        return None
    key = (language, source)
    with _trees_lock:
        hit = _trees.get(key)
        if hit is not None:
            _trees.move_to_end(key)
            return compiled, hit[0], hit[1]
    data = source.encode("utf-8", "surrogatepass")
    tree = compiled.parse(data)
    with _trees_lock:
        _trees[key] = (data, tree)
        while len(_trees) > TREE_CACHE_SIZE:
            _trees.popitem(last=False)
    return compiled, data, tree


def captures(query: Query | None, node: Node, **limits: Any) -> dict[str, list[Node]]:
    """Capture name -> nodes of ``query`` under ``node``; ``points=(start, end)`` limits rows."""
    if query is None:
        return {}
    from tree_sitter import QueryCursor

    cursor = QueryCursor(query)
    if "points" in limits:
        cursor.set_point_range(*limits["points"])
    return cursor.captures(node)


def node_text(src: bytes, node: Node) -> str:
    """The UTF-8 source text of ``node`` (undecodable bytes replaced)."""
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")
