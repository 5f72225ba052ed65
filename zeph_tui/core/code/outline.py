"""Tree-sitter code outlines: symbols, enclosing symbols and used identifiers.

Parses source text with the grammars of ``tree-sitter-language-pack`` and
reads definitions with tree-sitter queries (tables in ``_outline_langs``;
compiled queries and the parse cache in ``_outline_grammar``; the readers that
turn a captured node into a name, kind and signature in ``_outline_readers``).
tree-sitter is imported lazily, on the first parse, so importing this module
is cheap.

Conventions: lines are 1-based and inclusive; columns are 1-based and counted
in Unicode code points (not UTF-8 bytes, not UTF-16 units). Qualified names
join enclosing definitions with ``.`` in every language (``Class.method``,
``ns.Class.method`` for C++, ``Type.method`` for a Go receiver or a Rust
``impl``).

Nothing here raises on bad input: an unknown language gives ``[]`` or
``None``; source with syntax errors gives whatever tree-sitter recovered.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from zeph_tui.core.code._outline_grammar import Grammar, captures, node_text, parse
from zeph_tui.core.code._outline_langs import EXTENSIONS, IGNORED_NAMES, LANGUAGES
from zeph_tui.core.code._outline_readers import reader

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Symbol",
    "enclosing_symbol",
    "identifiers_in_range",
    "language_for_path",
    "outline",
]

_log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: frozenset[str] = frozenset(LANGUAGES)
"""Language names accepted by :func:`outline` and friends."""

_SCOPE_KINDS = frozenset({"function", "method", "class", "struct", "interface", "enum", "module"})
_CLASS_KINDS = frozenset({"class", "struct", "interface", "enum", "impl"})


@dataclass(frozen=True, slots=True)
class Symbol:
    """One definition found in a source file.

    Attributes:
        name: The bare name (``start``, not ``Server.start``).
        kind: One of ``function``, ``method``, ``class``, ``struct``,
            ``interface`` (also Rust traits), ``enum``, ``type``, ``const``,
            ``variable``, ``module`` (namespaces, Rust ``mod``) or ``macro``.
        line_start: First line, 1-based (a Python decorator's line if any).
        line_end: Last line, 1-based, inclusive.
        signature: One line, whitespace collapsed, body left out, at most 240
            characters, e.g. ``def foo(a: int, b=2) -> str`` or
            ``func (s *Server) Start(ctx context.Context) error``.
        parent: Qualified name of the enclosing definition (class, struct,
            Rust impl type, Go receiver type, or outer function for nested
            functions), or ``None`` at top level.
    """

    name: str
    kind: str
    line_start: int
    line_end: int
    signature: str
    parent: str | None = None

    @property
    def qualname(self) -> str:
        """``parent.name``, or ``name`` at top level."""
        return f"{self.parent}.{self.name}" if self.parent else self.name


def language_for_path(path: str | os.PathLike[str]) -> str | None:
    """Return the outline language for a file name by extension, or ``None``.

    Args:
        path: Any path; only the suffix (case-insensitive) is looked at.

    Returns:
        ``python``, ``javascript``, ``typescript``, ``tsx``, ``go``, ``c``
        (also ``.h``), ``cpp``, ``rust``, ``bash`` or ``java``; ``None`` when
        the extension is unknown.
    """
    return EXTENSIONS.get(PurePath(path).suffix.lower())


# --------------------------------------------------------------------------- outline


def _enclosing_scope(node: Node, scopes: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    ancestor = node.parent
    while ancestor is not None:
        scope = scopes.get(ancestor.id)
        if scope is not None:
            return scope
        ancestor = ancestor.parent
    return None


def _line_span(node: Node) -> tuple[int, int]:
    start = node.parent if node.parent and node.parent.type == "decorated_definition" else node
    end_row = node.end_point.row
    if node.end_point.column == 0 and end_row > node.start_point.row:
        end_row -= 1  # the node ends with its line's newline
    return start.start_point.row + 1, end_row + 1


def _collect(language: str, src: bytes, tree: Tree, grammar: Grammar) -> list[Symbol]:
    captured = captures(grammar.defs, tree.root_node)
    nodes = sorted(
        ((node, capture) for capture, found in captured.items() for node in found),
        key=lambda item: (item[0].start_byte, -item[0].end_byte),
    )
    scopes: dict[int, tuple[str, str]] = {}
    symbols: list[tuple[Symbol, bool]] = []
    for node, capture in nodes:
        if node.id in scopes:
            continue
        read = reader(capture, language)(node, src, capture)
        if read is None:
            continue
        name, kind, signature, qualifier, is_declaration = read
        enclosing = _enclosing_scope(node, scopes)
        if (
            enclosing is not None
            and kind in ("const", "variable")
            and enclosing[1]
            in (
                "function",
                "method",
            )
        ):
            continue
        parent = ".".join(p for p in (enclosing[0] if enclosing else None, qualifier) if p)
        if kind == "function" and enclosing is not None and enclosing[1] in _CLASS_KINDS:
            kind = "method"
        qualname = f"{parent}.{name}" if parent else name
        scopes[node.id] = (qualname, kind)
        if kind == "impl":
            continue
        line_start, line_end = _line_span(node)
        symbol = Symbol(name, kind, line_start, line_end, signature, parent or None)
        symbols.append((symbol, is_declaration))
    defined = {(s.qualname, s.kind) for s, is_declaration in symbols if not is_declaration}
    return [s for s, is_decl in symbols if not (is_decl and (s.qualname, s.kind) in defined)]


def outline(source: str, language: str) -> list[Symbol]:
    """List the definitions in ``source``, top-level and nested, in source order.

    Covers functions, methods, classes, structs, interfaces/traits, enums,
    type aliases, namespaces/modules, macros, and top-level constants and
    variables. A C/C++ prototype is listed only when the same file does not
    define the function.

    Args:
        source: The file's text.
        language: A name from :data:`SUPPORTED_LANGUAGES` (see
            :func:`language_for_path`).

    Returns:
        Symbols sorted by start position; ``[]`` for an unknown language or
        an unavailable grammar. Syntax errors give a partial list; this
        function never raises.
    """
    try:
        parsed = parse(source, language)
        if parsed is None:
            return []
        grammar, src, tree = parsed
        return _collect(language, src, tree, grammar)
    except Exception:  # promised: partial results, never an exception
        _log.warning("outline failed for a %s source", language, exc_info=True)
        return []


def enclosing_symbol(source: str, language: str, line: int) -> str | None:
    """Name the innermost function, method, class or namespace around a line.

    Args:
        source: The file's text.
        language: A name from :data:`SUPPORTED_LANGUAGES`.
        line: 1-based line number.

    Returns:
        The qualified name, e.g. ``Class.method``, ``outer.inner`` or
        ``function_name``; ``None`` at module level or for an unknown language.
    """
    best: Symbol | None = None
    for symbol in outline(source, language):
        if symbol.kind not in _SCOPE_KINDS or not symbol.line_start <= line <= symbol.line_end:
            continue
        if best is None or symbol.line_start >= best.line_start:
            best = symbol
    return best.qualname if best is not None else None


def identifiers_in_range(
    source: str, language: str, line_start: int, line_end: int
) -> list[tuple[str, int, int]]:
    """List identifiers used in a line range that are not defined in the same file.

    "Used" covers calls, attribute and field accesses, type annotations and
    imported names. "Defined in the file" covers every outline symbol plus
    locally bound names (parameters, assignment and loop targets, struct
    fields). Python builtins and Go predeclared identifiers are left out.

    Args:
        source: The file's text.
        language: A name from :data:`SUPPORTED_LANGUAGES`.
        line_start: First line, 1-based.
        line_end: Last line, 1-based, inclusive.

    Returns:
        ``(name, line, column)`` for the first use of each name, in source
        order; line and column are 1-based, the column in code points.
        ``[]`` for an unknown language; never raises.
    """
    try:
        parsed = parse(source, language)
        if parsed is None or line_end < line_start:
            return []
        grammar, src, tree = parsed
        ignored = {s.name for s in _collect(language, src, tree, grammar)}
        ignored |= IGNORED_NAMES.get(language, frozenset())
        for nodes in captures(grammar.binds, tree.root_node).values():
            ignored.update(node_text(src, node) for node in nodes)
        points = ((max(line_start - 1, 0), 0), (line_end, 0))
        used = captures(grammar.uses, tree.root_node, points=points)
        found: dict[str, tuple[str, int, int]] = {}
        for node in sorted((n for ns in used.values() for n in ns), key=lambda n: n.start_byte):
            name = node_text(src, node)
            row = node.start_point.row
            if name in ignored or name in found or not line_start <= row + 1 <= line_end:
                continue
            line_begin = node.start_byte - node.start_point.column
            column = len(src[line_begin : node.start_byte].decode("utf-8", "replace")) + 1
            found[name] = (name, row + 1, column)
        return list(found.values())
    except Exception:  # promised: partial results, never an exception
        _log.warning("identifiers_in_range failed for a %s source", language, exc_info=True)
        return []
