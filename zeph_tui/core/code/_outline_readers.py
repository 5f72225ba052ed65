"""Outline readers: a captured definition node -> name, kind and one-line signature.

Each definition query capture of :mod:`._outline_langs` names a reader
(plain by default; ``pyassign``, ``jsvar``, ``gotype``, ``gomethod``,
``cfunc``, ``ctypedef``, ``rsimpl``, Go ``const``/``variable`` specs). A
reader returns :data:`Read`, or None to skip the node. Signatures are one
line, whitespace collapsed, the body left out, at most 240 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from zeph_tui.core.code._outline_grammar import node_text as _text

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["Read", "reader"]

_SIGNATURE_MAX_CHARS = 240
_NO_BODY_MAX_CHARS = 160

_WS = re.compile(r"\s+")
_AFTER_OPEN = re.compile(r"([(\[<]) ")
_BEFORE_CLOSE = re.compile(r",? ([)\]>])")


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


Read = tuple[str, str, str, str | None, bool]
"""(name, kind, signature, qualifier, is_declaration); ``qualifier`` names an owner
written in the definition itself (``Foo::bar`` in C++, a Go receiver)."""

_DECLARATOR_WRAPPERS = frozenset(
    {"pointer_declarator", "reference_declarator", "parenthesized_declarator"}
)
_JS_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)


def _read_plain(node: Node, src: bytes, kind: str) -> Read | None:
    name = node.child_by_field_name("name")
    if name is None:
        return None
    text = _text(src, name)
    if node.type == "macro_definition":
        return text, kind, f"macro_rules! {text}", None, False
    body_field = "value" if node.type == "preproc_function_def" else "body"
    return text, kind, _signature(src, node, body_field), None, False


def _read_pyassign(node: Node, src: bytes, _kind: str) -> Read | None:
    assignment = node if node.type == "assignment" else node.named_children[0]
    left = assignment.child_by_field_name("left")
    if left is None:
        return None
    name = _text(src, left)
    kind = "const" if name.isupper() else "variable"
    return name, kind, _signature(src, assignment, "<none>"), None, False


def _read_jsvar(node: Node, src: bytes, _kind: str) -> Read | None:
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


def _read_gotype(node: Node, src: bytes, _kind: str) -> Read | None:
    name_node = node.child_by_field_name("name")
    type_node = node.child_by_field_name("type")
    if name_node is None or type_node is None:
        return None
    name = _text(src, name_node)
    if type_node.type in ("struct_type", "interface_type"):
        kind = "struct" if type_node.type == "struct_type" else "interface"
        return name, kind, f"type {name} {kind}", None, False
    return name, "type", "type " + _signature(src, node, "<none>"), None, False


def _read_gospec(node: Node, src: bytes, kind: str) -> Read | None:
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


def _read_gomethod(node: Node, src: bytes, _kind: str) -> Read | None:
    name = node.child_by_field_name("name")
    receiver = node.child_by_field_name("receiver")
    if name is None:
        return None
    owner = _first_descendant(receiver, frozenset({"type_identifier"})) if receiver else None
    qualifier = _text(src, owner) if owner is not None else None
    return _text(src, name), "method", _signature(src, node), qualifier, False


def _read_cfunc(node: Node, src: bytes, _kind: str) -> Read | None:
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


def _read_ctypedef(node: Node, src: bytes, _kind: str) -> Read | None:
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


def _read_rsimpl(node: Node, src: bytes, _kind: str) -> Read | None:
    type_node = node.child_by_field_name("type")
    if type_node is None:
        return None
    if type_node.type == "generic_type":
        type_node = type_node.child_by_field_name("type") or type_node
    return _text(src, type_node), "impl", _signature(src, node), None, False


_READERS: dict[str, Callable[[Node, bytes, str], Read | None]] = {
    "pyassign": _read_pyassign,
    "jsvar": _read_jsvar,
    "gotype": _read_gotype,
    "gomethod": _read_gomethod,
    "cfunc": _read_cfunc,
    "ctypedef": _read_ctypedef,
    "rsimpl": _read_rsimpl,
}


def reader(capture: str, language: str) -> Callable[[Node, bytes, str], Read | None]:
    """The reader of a definition capture named ``capture`` in ``language``."""
    if language == "go" and capture in ("const", "variable"):
        return _read_gospec
    return _READERS.get(capture, _read_plain)
