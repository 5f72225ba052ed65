"""Call sites of a renamed symbol, each saying what it is.

A reference found by the language server is classified with tree-sitter at
its position (the grammar's node types; any language the outline knows):

- ``definition``: the name of a function, method, class or type being defined;
- ``import``: inside an import statement (``import``/``from ... import``,
  ES ``import {..}``, Go ``import``, Rust ``use``); listed apart, never a call;
- ``call``: the callee of a call, plain (``f()``) or through an attribute
  (``mod.f()``, ``obj.f()``);
- ``reference``: any other use (a value passed around, ``__all__`` strings...).

Unknown languages and unparsable files give ``reference``. Each file's text
is parsed once for its kinds and scopes, and the last
:data:`FACTS_CACHE_SIZE` texts are kept, so a face can :func:`warm` the files
a rename changed (the next rename over them does not parse again, and
:func:`parsed` tells it so).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from zeph_tui.core.code._outline_grammar import parse
from zeph_tui.core.code.outline import Symbol, language_for_path, outline

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

__all__ = ["FACTS_CACHE_SIZE", "KINDS", "CallSite", "SiteKind", "call_sites", "parsed", "warm"]

#: files whose parse tree and scopes are kept, keyed by (text, language)
FACTS_CACHE_SIZE = 256

SiteKind = Literal["definition", "import", "call", "reference"]
KINDS: tuple[SiteKind, ...] = ("definition", "import", "call", "reference")

_IMPORTS = frozenset(
    {
        "import_statement",
        "import_from_statement",
        "future_import_statement",
        "import_declaration",
        "import_spec",
        "use_declaration",
        "preproc_include",
    }
)
_MEMBER = frozenset(
    {
        "attribute",
        "member_expression",
        "selector_expression",
        "field_expression",
        "scoped_identifier",
    }
)
_CALLS = frozenset({"call", "call_expression", "method_invocation"})
_SCOPES = frozenset({"function", "method", "class", "struct", "interface", "enum", "module"})


@dataclass(frozen=True, slots=True)
class CallSite:
    """One reference to the renamed symbol.

    Attributes:
        path: absolute file path.
        line, column: 1-based; column in code points.
        enclosing_symbol: qualified name of the enclosing function or class
            (``Class.method``), ``None`` at module level or unknown language.
        text: the source line, stripped.
        kind: ``definition | import | call | reference`` (module docstring).
    """

    path: Path
    line: int
    column: int
    enclosing_symbol: str | None
    text: str
    kind: SiteKind = "reference"

    def to_json(self) -> dict[str, Any]:
        """``{path, line, column, enclosing_symbol, text, kind}``."""
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "enclosing_symbol": self.enclosing_symbol,
            "text": self.text,
            "kind": self.kind,
        }


def _classify(node: Node) -> SiteKind:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type in _IMPORTS:
            return "import"
        ancestor = ancestor.parent
    parent = node.parent
    if parent is not None and (
        parent.child_by_field_name("name") == node
        or (
            parent.type == "function_declarator"
            and parent.child_by_field_name("declarator") == node
        )
    ):
        return "definition"
    callee = node
    if parent is not None and parent.type in _MEMBER and parent.named_children[-1:] == [node]:
        callee = parent
    up = callee.parent
    if up is not None and up.type in _CALLS and up.child_by_field_name("function") == callee:
        return "call"
    return "reference"


Facts: TypeAlias = "tuple[tuple[Symbol, ...], Tree | None]"

# (text, language) -> facts, least recently used first; warm() fills it from a thread
_FACTS: OrderedDict[tuple[str, str], Facts] = OrderedDict()
_FACTS_LOCK = threading.Lock()


@lru_cache(maxsize=4096)
def _language(path: Path) -> str | None:
    return language_for_path(path)


def _facts(source: str, language: str) -> Facts:
    """``(scopes, tree)`` of a file's text: one parse for the outline and the kinds, cached."""
    key = (source, language)
    with _FACTS_LOCK:
        found = _FACTS.get(key)
        if found is not None:
            _FACTS.move_to_end(key)
            return found
    scopes = tuple(x for x in outline(source, language) if x.kind in _SCOPES)
    try:
        grammar_tree = parse(source, language)  # the tree outline() just made (parse cache)
    except Exception:  # a broken grammar must not break a rename
        grammar_tree = None
    found = scopes, grammar_tree[2] if grammar_tree is not None else None
    with _FACTS_LOCK:
        _FACTS[key] = found
        while len(_FACTS) > FACTS_CACHE_SIZE:
            _FACTS.popitem(last=False)
    return found


def parsed(sources: Iterable[tuple[Path, str]]) -> bool:
    """Whether :func:`call_sites` over these ``(path, text)`` pairs would parse nothing.

    True when every text of a known language has its facts cached (e.g. by
    :func:`warm`): the call sites then take well under a millisecond per
    dozen files and can be built on the event loop, without a thread hop.
    """
    with _FACTS_LOCK:
        for path, source in sources:
            language = _language(path)
            if language and (source, language) not in _FACTS:
                return False
    return True


def warm(sources: Iterable[tuple[Path, str]]) -> None:
    """Parse and outline ``(path, text)`` pairs ahead of a rename (e.g. the files one changed).

    CPU-bound; run it in a thread. Unknown languages are skipped.
    """
    for path, source in sources:
        language = _language(path)
        if language:
            _facts(source, language)


def _kinds(lines: list[str], tree: Tree | None, points: list[tuple[int, int]]) -> list[SiteKind]:
    """The kind of each 1-based ``(line, column)`` (code points) of a file's ``lines``."""
    if tree is None:
        return ["reference"] * len(points)
    found: list[SiteKind] = []
    root = tree.root_node
    for line, column in points:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        byte = len(text[: column - 1].encode("utf-8", "surrogatepass"))
        node = root.descendant_for_point_range((line - 1, byte), (line - 1, byte))
        found.append(_classify(node) if node is not None else "reference")
    return found


def _scope(symbols: Sequence[Symbol], line: int) -> str | None:
    """The innermost scope around ``line`` (``outline.enclosing_symbol``, one outline per file)."""
    best: Symbol | None = None
    for symbol in symbols:
        if symbol.line_start <= line <= symbol.line_end and (
            best is None or symbol.line_start >= best.line_start
        ):
            best = symbol
    return best.qualname if best is not None else None


def call_sites(
    points: Iterable[tuple[Path, int, int]], sources: dict[Path, str]
) -> tuple[CallSite, ...]:
    """Build the call sites of ``(path, line, column)`` references (1-based, code points).

    Args:
        points: the server's references, any order.
        sources: known file texts by path; others are read from disk (and added).

    Returns:
        Call sites sorted by path then position.
    """
    by_file: dict[Path, list[tuple[int, int]]] = {}
    for path, line, column in points:
        by_file.setdefault(path, []).append((line, column))
    sites: list[CallSite] = []
    for path, spots in sorted(by_file.items()):
        source = sources.get(path)
        if source is None:
            try:
                source = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                source = ""
            sources[path] = source
        spots = sorted(set(spots))
        language = _language(path)
        scopes, tree = _facts(source, language) if language else ((), None)
        lines = source.splitlines()
        kinds = _kinds(lines, tree, spots)
        for (line, column), kind in zip(spots, kinds, strict=True):
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            sites.append(CallSite(path, line, column, _scope(scopes, line), text, kind))
    return tuple(sites)
