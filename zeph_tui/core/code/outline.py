"""Tree-sitter code outlines: symbols, enclosing symbols and used identifiers.

Parses source text with the grammars of ``tree-sitter-language-pack`` and
reads definitions with tree-sitter queries (tables in ``_outline_langs``).
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
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from zeph_tui.core.code._outline_langs import EXTENSIONS, IGNORED_NAMES, LANGUAGES

if TYPE_CHECKING:
    from tree_sitter import Node, Query, Tree

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
_SIGNATURE_MAX_CHARS = 240
_NO_BODY_MAX_CHARS = 160
_TREE_CACHE_SIZE = 8

_WS = re.compile(r"\s+")
_AFTER_OPEN = re.compile(r"([(\[<]) ")
_BEFORE_CLOSE = re.compile(r",? ([)\]>])")


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


# --------------------------------------------------------------------------- grammars


class _Grammar:
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
def _grammar(language: str) -> _Grammar | None:
    if language not in LANGUAGES:
        return None
    try:
        return _Grammar(language)
    except Exception:  # a missing grammar must not break callers
        _log.warning("tree-sitter grammar %r unavailable", language, exc_info=True)
        return None


_trees: OrderedDict[tuple[str, str], tuple[bytes, Tree]] = OrderedDict()
_trees_lock = threading.Lock()


def _parse(source: str, language: str) -> tuple[_Grammar, bytes, Tree] | None:
    """Parse ``source``; the last few trees are kept, keyed by (language, source)."""
    grammar = _grammar(language)
    if grammar is None:
        return None
    key = (language, source)
    with _trees_lock:
        hit = _trees.get(key)
        if hit is not None:
            _trees.move_to_end(key)
            return grammar, hit[0], hit[1]
    data = source.encode("utf-8", "surrogatepass")
    tree = grammar.parse(data)
    with _trees_lock:
        _trees[key] = (data, tree)
        while len(_trees) > _TREE_CACHE_SIZE:
            _trees.popitem(last=False)
    return grammar, data, tree


def _captures(query: Query | None, node: Node, **limits: Any) -> dict[str, list[Node]]:
    if query is None:
        return {}
    from tree_sitter import QueryCursor

    cursor = QueryCursor(query)
    if "points" in limits:
        cursor.set_point_range(*limits["points"])
    return cursor.captures(node)


# --------------------------------------------------------------------------- signatures


def _text(src: bytes, node: Node) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _one_line(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    text = _BEFORE_CLOSE.sub(r"\1", _AFTER_OPEN.sub(r"\1", text))
    text = text.rstrip(" {:;=").rstrip()
    if len(text) > _SIGNATURE_MAX_CHARS:
        text = text[: _SIGNATURE_MAX_CHARS - 1] + "…"
    return text


def _signature(src: bytes, node: Node, body_field: str = "body") -> str:
    """Text of ``node`` up to its body; without a body, the node (or its first line)."""
    body = node.child_by_field_name(body_field)
    if body is not None:
        return _one_line(src[node.start_byte : body.start_byte].decode("utf-8", "replace"))
    text = _text(src, node)
    flat = _one_line(text)
    if len(flat) > _NO_BODY_MAX_CHARS and "\n" in text:
        return _one_line(text.split("\n", 1)[0]) + " …"
    return flat


# --------------------------------------------------------------------------- readers

# A reader turns a captured node into (name, kind, signature, qualifier, is_declaration)
# or None to skip it. ``qualifier`` names an owner written in the definition itself
# (``Foo::bar`` in C++, a Go receiver).
_Read = tuple[str, str, str, str | None, bool]

_DECLARATOR_WRAPPERS = frozenset(
    {"pointer_declarator", "reference_declarator", "parenthesized_declarator"}
)
_JS_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)


def _read_plain(node: Node, src: bytes, kind: str) -> _Read | None:
    name = node.child_by_field_name("name")
    if name is None:
        return None
    text = _text(src, name)
    if node.type == "macro_definition":
        return text, kind, f"macro_rules! {text}", None, False
    body_field = "value" if node.type == "preproc_function_def" else "body"
    return text, kind, _signature(src, node, body_field), None, False


def _read_pyassign(node: Node, src: bytes, _kind: str) -> _Read | None:
    assignment = node if node.type == "assignment" else node.named_children[0]
    left = assignment.child_by_field_name("left")
    if left is None:
        return None
    name = _text(src, left)
    kind = "const" if name.isupper() else "variable"
    return name, kind, _signature(src, assignment, "<none>"), None, False


def _read_jsvar(node: Node, src: bytes, _kind: str) -> _Read | None:
    name_node = node.child_by_field_name("name")
    declaration = node.parent
    if name_node is None or name_node.type != "identifier" or declaration is None:
        return None
    keyword = _text(src, declaration).split(None, 1)[0]
    name = _text(src, name_node)
    value = node.child_by_field_name("value")
    if value is not None and value.type in _JS_FUNCTION_VALUES:
        body = value.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        signature = _one_line(f"{keyword} " + src[node.start_byte : end].decode("utf-8", "replace"))
        return name, "function", signature, None, False
    kind = "const" if keyword == "const" else "variable"
    return name, kind, _one_line(f"{keyword} {_signature(src, node, '<none>')}"), None, False


def _read_gotype(node: Node, src: bytes, _kind: str) -> _Read | None:
    name_node = node.child_by_field_name("name")
    type_node = node.child_by_field_name("type")
    if name_node is None or type_node is None:
        return None
    name = _text(src, name_node)
    if type_node.type in ("struct_type", "interface_type"):
        kind = "struct" if type_node.type == "struct_type" else "interface"
        return name, kind, f"type {name} {kind}", None, False
    return name, "type", "type " + _signature(src, node, "<none>"), None, False


def _read_gospec(node: Node, src: bytes, kind: str) -> _Read | None:
    read = _read_plain(node, src, kind)
    if read is None:
        return None
    keyword = "const" if kind == "const" else "var"
    return read[0], kind, f"{keyword} {read[2]}", None, False


def _first_descendant(node: Node, types: frozenset[str]) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in types:
            return current
        stack.extend(reversed(current.named_children))
    return None


def _read_gomethod(node: Node, src: bytes, _kind: str) -> _Read | None:
    name = node.child_by_field_name("name")
    receiver = node.child_by_field_name("receiver")
    if name is None:
        return None
    owner = _first_descendant(receiver, frozenset({"type_identifier"})) if receiver else None
    qualifier = _text(src, owner) if owner is not None else None
    return _text(src, name), "method", _signature(src, node), qualifier, False


def _read_cfunc(node: Node, src: bytes, _kind: str) -> _Read | None:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type == "compound_statement":
            return None  # a declaration inside a function body
        ancestor = ancestor.parent
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type in _DECLARATOR_WRAPPERS:
        declarator = declarator.child_by_field_name("declarator") or declarator.named_child(0)
    if declarator is None or declarator.type != "function_declarator":
        return None
    target = declarator.child_by_field_name("declarator")
    if target is None or target.type in _DECLARATOR_WRAPPERS:
        return None  # function pointer, not a function
    if target.type == "template_function":
        target = target.child_by_field_name("name") or target
    parts = _text(src, target).split("::")
    qualifier = ".".join(parts[:-1]) or None
    kind = "method" if qualifier else "function"
    is_declaration = node.type != "function_definition"
    return parts[-1], kind, _signature(src, node), qualifier, is_declaration


def _read_ctypedef(node: Node, src: bytes, _kind: str) -> _Read | None:
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "type_identifier":
        declarator = declarator.child_by_field_name("declarator") or declarator.named_child(0)
    if declarator is None:
        return None
    name = _text(src, declarator)
    type_node = node.child_by_field_name("type")
    body = type_node.child_by_field_name("body") if type_node is not None else None
    if body is not None:
        head = src[node.start_byte : body.start_byte].decode("utf-8", "replace")
        return name, "type", _one_line(f"{head.strip()} {{…}} {name}"), None, False
    return name, "type", _signature(src, node, "<none>"), None, False


def _read_rsimpl(node: Node, src: bytes, _kind: str) -> _Read | None:
    type_node = node.child_by_field_name("type")
    if type_node is None:
        return None
    if type_node.type == "generic_type":
        type_node = type_node.child_by_field_name("type") or type_node
    return _text(src, type_node), "impl", _signature(src, node), None, False


_READERS: dict[str, Callable[[Node, bytes, str], _Read | None]] = {
    "pyassign": _read_pyassign,
    "jsvar": _read_jsvar,
    "gotype": _read_gotype,
    "gomethod": _read_gomethod,
    "cfunc": _read_cfunc,
    "ctypedef": _read_ctypedef,
    "rsimpl": _read_rsimpl,
}


def _reader(capture: str, language: str) -> Callable[[Node, bytes, str], _Read | None]:
    if language == "go" and capture in ("const", "variable"):
        return _read_gospec
    return _READERS.get(capture, _read_plain)


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


def _collect(language: str, src: bytes, tree: Tree, grammar: _Grammar) -> list[Symbol]:
    captured = _captures(grammar.defs, tree.root_node)
    nodes = sorted(
        ((node, capture) for capture, found in captured.items() for node in found),
        key=lambda item: (item[0].start_byte, -item[0].end_byte),
    )
    scopes: dict[int, tuple[str, str]] = {}
    symbols: list[tuple[Symbol, bool]] = []
    for node, capture in nodes:
        if node.id in scopes:
            continue
        read = _reader(capture, language)(node, src, capture)
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
        parsed = _parse(source, language)
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
        parsed = _parse(source, language)
        if parsed is None or line_end < line_start:
            return []
        grammar, src, tree = parsed
        ignored = {s.name for s in _collect(language, src, tree, grammar)}
        ignored |= IGNORED_NAMES.get(language, frozenset())
        for nodes in _captures(grammar.binds, tree.root_node).values():
            ignored.update(_text(src, node) for node in nodes)
        points = ((max(line_start - 1, 0), 0), (line_end, 0))
        used = _captures(grammar.uses, tree.root_node, points=points)
        found: dict[str, tuple[str, int, int]] = {}
        for node in sorted((n for ns in used.values() for n in ns), key=lambda n: n.start_byte):
            name = _text(src, node)
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
