"""Per-language tables for :mod:`zeph_tui.core.code.outline`: extensions and tree-sitter queries.

Three queries per language, written against the grammars bundled by
``tree-sitter-language-pack`` 0.13:

- ``defs``: definition nodes. The capture name says how the node is read
  (see ``_outline_readers.reader``): plain kinds (``function``, ``class``,
  ``struct``...) read the ``name`` field; ``cfunc``, ``ctypedef``, ``gotype``,
  ``gomethod``, ``jsvar``, ``pyassign`` and ``rsimpl`` need special handling.
- ``uses``: identifier nodes that may name something defined elsewhere.
- ``binds``: identifiers that bind a local name (parameters, assignments,
  loop targets, struct fields), excluded from "used" identifiers.

Patterns are compiled one by one when the whole query fails, so a node type
missing from one grammar version drops only its own pattern.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

__all__ = ["EXTENSIONS", "IGNORED_NAMES", "LANGUAGES", "LangSpec"]


@dataclass(frozen=True, slots=True)
class LangSpec:
    """Queries for one language; each is a list of independent patterns."""

    defs: tuple[str, ...]
    uses: tuple[str, ...]
    binds: tuple[str, ...]


EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".hh": "cpp",
    ".hpp": "cpp",
    ".hxx": "cpp",
    ".rs": "rust",
    ".sh": "bash",
    ".bash": "bash",
    ".java": "java",
}

_PYTHON = LangSpec(
    defs=(
        "(function_definition name: (identifier)) @function",
        "(class_definition name: (identifier)) @class",
        "(module (expression_statement (assignment left: (identifier))) @pyassign)",
        "(module (assignment left: (identifier)) @pyassign)",
    ),
    uses=("(identifier) @id",),
    binds=(
        "(parameters (identifier) @b)",
        "(lambda_parameters (identifier) @b)",
        "(default_parameter name: (identifier) @b)",
        "(typed_parameter (identifier) @b)",
        "(typed_default_parameter name: (identifier) @b)",
        "(list_splat_pattern (identifier) @b)",
        "(dictionary_splat_pattern (identifier) @b)",
        "(assignment left: (identifier) @b)",
        "(assignment left: (pattern_list (identifier) @b))",
        "(assignment left: (tuple_pattern (identifier) @b))",
        "(for_statement left: (identifier) @b)",
        "(for_statement left: (pattern_list (identifier) @b))",
        "(for_in_clause left: (identifier) @b)",
        "(for_in_clause left: (pattern_list (identifier) @b))",
        "(as_pattern alias: (as_pattern_target (identifier) @b))",
        "(named_expression name: (identifier) @b)",
    ),
)

_JS_DEFS = (
    "(function_declaration name: (_)) @function",
    "(generator_function_declaration name: (_)) @function",
    "(class_declaration name: (_)) @class",
    "(class_body (method_definition name: (_)) @function)",
    "(program (lexical_declaration (variable_declarator) @jsvar))",
    "(program (variable_declaration (variable_declarator) @jsvar))",
    "(program (export_statement (lexical_declaration (variable_declarator) @jsvar)))",
    "(program (export_statement (variable_declaration (variable_declarator) @jsvar)))",
)
_TS_DEFS = (
    *_JS_DEFS,
    "(abstract_class_declaration name: (_)) @class",
    "(interface_declaration name: (_)) @interface",
    "(type_alias_declaration name: (_)) @type",
    "(enum_declaration name: (_)) @enum",
    "(interface_body (method_signature name: (_)) @function)",
    "(class_body (abstract_method_signature name: (_)) @function)",
    "(function_signature name: (_)) @function",
    "(internal_module name: (identifier)) @module",
)
_JS_USES = (
    "(identifier) @id",
    "(property_identifier) @id",
    "(type_identifier) @id",
    "(shorthand_property_identifier) @id",
)
_JS_BINDS = (
    "(formal_parameters (identifier) @b)",
    "(required_parameter pattern: (identifier) @b)",
    "(optional_parameter pattern: (identifier) @b)",
    "(assignment_pattern left: (identifier) @b)",
    "(variable_declarator name: (identifier) @b)",
    "(arrow_function parameter: (identifier) @b)",
    "(shorthand_property_identifier_pattern) @b",
    "(catch_clause parameter: (identifier) @b)",
    "(for_in_statement left: (identifier) @b)",
    "(type_parameter name: (type_identifier) @b)",
    "(public_field_definition name: (property_identifier) @b)",
    "(field_definition property: (property_identifier) @b)",
)
_JAVASCRIPT = LangSpec(defs=_JS_DEFS, uses=_JS_USES, binds=_JS_BINDS)
_TYPESCRIPT = LangSpec(defs=_TS_DEFS, uses=_JS_USES, binds=_JS_BINDS)

_TYPED_USES = ("(identifier) @id", "(field_identifier) @id", "(type_identifier) @id")
"""Uses in grammars with their own node kinds for field and type names (Go, C, C++, Rust)."""

_GO = LangSpec(
    defs=(
        "(function_declaration name: (identifier)) @function",
        "(method_declaration name: (field_identifier)) @gomethod",
        "(type_spec name: (type_identifier)) @gotype",
        "(type_alias name: (type_identifier)) @gotype",
        "(method_elem name: (field_identifier)) @function",
        "(method_spec name: (field_identifier)) @function",
        "(source_file (const_declaration (const_spec) @const))",
        "(source_file (var_declaration (var_spec) @variable))",
        "(source_file (var_declaration (var_spec_list (var_spec) @variable)))",
    ),
    uses=(*_TYPED_USES, "(package_identifier) @id"),
    binds=(
        "(package_clause (package_identifier) @b)",
        "(parameter_declaration name: (identifier) @b)",
        "(variadic_parameter_declaration name: (identifier) @b)",
        "(short_var_declaration left: (expression_list (identifier) @b))",
        "(var_spec name: (identifier) @b)",
        "(const_spec name: (identifier) @b)",
        "(range_clause left: (expression_list (identifier) @b))",
        "(type_parameter_declaration name: (identifier) @b)",
        "(field_declaration name: (field_identifier) @b)",
        "(method_elem name: (field_identifier) @b)",
        "(method_spec name: (field_identifier) @b)",
    ),
)

_C_DEFS = (
    "(function_definition declarator: (_)) @cfunc",
    "(declaration declarator: (_)) @cfunc",
    "(struct_specifier name: (_) body: (_)) @struct",
    "(union_specifier name: (_) body: (_)) @struct",
    "(enum_specifier name: (_) body: (_)) @enum",
    "(type_definition declarator: (_)) @ctypedef",
    "(preproc_def name: (identifier) value: (_)) @macro",
    "(preproc_function_def name: (identifier)) @macro",
)
_C_USES = (*_TYPED_USES, "(namespace_identifier) @id")
_C_BINDS = (
    "(parameter_declaration declarator: (identifier) @b)",
    "(parameter_declaration declarator: (pointer_declarator declarator: (identifier) @b))",
    "(parameter_declaration declarator: (reference_declarator (identifier) @b))",
    "(init_declarator declarator: (identifier) @b)",
    "(init_declarator declarator: (pointer_declarator declarator: (identifier) @b))",
    "(declaration declarator: (identifier) @b)",
    "(field_declaration declarator: (field_identifier) @b)",
    "(field_declaration declarator: (pointer_declarator declarator: (field_identifier) @b))",
    "(enumerator name: (identifier) @b)",
)
_C = LangSpec(defs=_C_DEFS, uses=_C_USES, binds=_C_BINDS)
_CPP = LangSpec(
    defs=(
        *_C_DEFS,
        "(class_specifier name: (_) body: (_)) @class",
        "(field_declaration_list (field_declaration declarator: (_)) @cfunc)",
        "(namespace_definition name: (_)) @module",
    ),
    uses=_C_USES,
    binds=_C_BINDS,
)

_RUST = LangSpec(
    defs=(
        "(function_item name: (identifier)) @function",
        "(function_signature_item name: (identifier)) @function",
        "(struct_item name: (type_identifier)) @struct",
        "(union_item name: (type_identifier)) @struct",
        "(enum_item name: (type_identifier)) @enum",
        "(trait_item name: (type_identifier)) @interface",
        "(type_item name: (type_identifier)) @type",
        "(const_item name: (identifier)) @const",
        "(static_item name: (identifier)) @variable",
        "(mod_item name: (identifier)) @module",
        "(macro_definition name: (identifier)) @macro",
        "(impl_item type: (_)) @rsimpl",
    ),
    uses=_TYPED_USES,
    binds=(
        "(parameter pattern: (identifier) @b)",
        "(let_declaration pattern: (identifier) @b)",
        "(closure_parameters (identifier) @b)",
        "(tuple_pattern (identifier) @b)",
        "(for_expression pattern: (identifier) @b)",
        "(field_declaration name: (field_identifier) @b)",
        "(enum_variant name: (identifier) @b)",
        "(type_parameters (type_identifier) @b)",
    ),
)

_BASH = LangSpec(
    defs=(
        "(function_definition name: (word)) @function",
        "(program (variable_assignment name: (variable_name)) @variable)",
    ),
    uses=("(command_name (word) @id)",),
    binds=("(variable_assignment name: (variable_name) @b)",),
)

_JAVA = LangSpec(
    defs=(
        "(class_declaration name: (identifier)) @class",
        "(record_declaration name: (identifier)) @class",
        "(interface_declaration name: (identifier)) @interface",
        "(annotation_type_declaration name: (identifier)) @interface",
        "(enum_declaration name: (identifier)) @enum",
        "(method_declaration name: (identifier)) @function",
        "(constructor_declaration name: (identifier)) @function",
    ),
    uses=("(identifier) @id", "(type_identifier) @id"),
    binds=(
        "(formal_parameter name: (identifier) @b)",
        "(variable_declarator name: (identifier) @b)",
        "(catch_formal_parameter name: (identifier) @b)",
        "(enhanced_for_statement name: (identifier) @b)",
        "(lambda_expression parameters: (identifier) @b)",
        "(inferred_parameters (identifier) @b)",
    ),
)

LANGUAGES: dict[str, LangSpec] = {
    "python": _PYTHON,
    "javascript": _JAVASCRIPT,
    "typescript": _TYPESCRIPT,
    "tsx": _TYPESCRIPT,
    "go": _GO,
    "c": _C,
    "cpp": _CPP,
    "rust": _RUST,
    "bash": _BASH,
    "java": _JAVA,
}

_GO_PREDECLARED = frozenset(
    """any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32
    int64 rune string uint uint8 uint16 uint32 uint64 uintptr append cap clear close complex
    copy delete imag len make max min new panic print println real recover""".split()  # noqa: SIM905
)

IGNORED_NAMES: dict[str, frozenset[str]] = {
    "python": frozenset(dir(builtins)) | {"self", "cls"},
    "go": _GO_PREDECLARED,
}
"""Names never reported as used identifiers: builtins and predeclared identifiers."""
