"""Call sites of a renamed symbol, each saying what it is.

A reference found by the language server is classified with tree-sitter at
its position (the grammar's node types; any language the outline knows):

- ``definition``: the name of a function, method, class or type being defined;
- ``import``: inside an import statement (``import``/``from ... import``,
  ES ``import {..}``, Go ``import``, Rust ``use``); listed apart, never a call;
- ``call``: the callee of a call, plain (``f()``) or through an attribute
  (``mod.f()``, ``obj.f()``);
- ``reference``: any other use (a value passed around, ``__all__`` strings...).

Unknown languages and unparsable files give ``reference``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zeph_tui.core.code.outline import Symbol, language_for_path, outline

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["KINDS", "CallSite", "SiteKind", "call_sites"]

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


def _kinds(source: str, language: str, points: list[tuple[int, int]]) -> list[SiteKind]:
    """The kind of each 1-based ``(line, column)`` (code points) of ``source``."""
    from tree_sitter_language_pack import get_parser

    try:
        tree = get_parser(language).parse(source.encode("utf-8", "surrogatepass"))  # type: ignore[arg-type]
    except Exception:  # a missing grammar must not break a rename
        return ["reference"] * len(points)
    lines = source.splitlines()
    found: list[SiteKind] = []
    for line, column in points:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        byte = len(text[: column - 1].encode("utf-8", "surrogatepass"))
        node = tree.root_node.descendant_for_point_range((line - 1, byte), (line - 1, byte))
        found.append(_classify(node) if node is not None else "reference")
    return found


def _scope(symbols: list[Symbol], line: int) -> str | None:
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
        language = language_for_path(path)
        kinds: list[SiteKind] = (
            _kinds(source, language, spots) if language else ["reference"] * len(spots)
        )
        lines = source.splitlines()
        scopes = [x for x in outline(source, language) if x.kind in _SCOPES] if language else []
        for (line, column), kind in zip(spots, kinds, strict=True):
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            sites.append(CallSite(path, line, column, _scope(scopes, line), text, kind))
    return tuple(sites)
