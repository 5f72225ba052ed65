"""Tool protocol, per-call context and argument checking.

A tool is a class with a contract the model sees (``name``,
``description``, ``input_schema``: built-in tools read theirs from
``contracts.md``, see :mod:`.contracts`) and an async ``run``. Tools raise
:class:`~zeph_tui.core.errors.ToolError` subclasses for failures the model
should read; the session turns them into ``is_error`` tool results and the
turn goes on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from zeph_tui.core.errors import ToolInputError
from zeph_tui.core.events import Event, Location, ToolCallContent, ToolKind
from zeph_tui.core.providers.base import ToolSpec
from zeph_tui.core.text import parse_json_object

if TYPE_CHECKING:
    from zeph_tui.core.ports import ClientTerminal, WorkspaceFS
    from zeph_tui.core.safety.paths import WorkspaceRoots
    from zeph_tui.core.store.overflow import OverflowArchive

__all__ = [
    "CodeIntel",
    "Tool",
    "ToolContext",
    "ToolResult",
    "check_args",
    "parse_args",
]


class CodeIntel(Protocol):
    """Language-server feedback hooks (implemented over lsp_bridge)."""

    async def after_write(self, path: Path, old_text: str | None, new_text: str) -> str:
        """Sync the document and return the diagnostics delta as text ('' if none)."""
        ...

    async def after_read(self, path: Path, text: str, line_start: int, line_end: int) -> str:
        """Return hover info for symbols from other files used in the range ('' if none)."""
        ...

    async def files_changed(self, paths: list[Path]) -> None:
        """Files changed behind the servers' back (e.g. by bash)."""
        ...

    def payload(self, path: Path) -> dict[str, Any] | None:
        """Structured diagnostics of ``path`` after the last write (shape in code_intel.py)."""
        ...


@dataclass(slots=True)
class ToolContext:
    """What a running tool may use. One per tool call.

    Attributes:
        workspace: absolute workspace root.
        roots: confinement for every path argument.
        fs: text file access (local disk or the editor's buffers).
        archive: the SQLite overflow archive.
        emit: publishes events (live output as ToolCallUpdate).
        tool_call_id: id of this call.
        session_id: id of the session.
        env: environment for child processes (already scrubbed).
        terminal: client terminals when the face offers them.
        code_intel: language-server hooks, when enabled.
        model_copy_limit_bytes: budget of the model's copy of long output.
        redact: the session's secret redaction, text -> text (None = identity);
            tools that stream output redact it before emitting or archiving.
        emit_redacted: publishes an event whose text the tool already
            redacted (skips a second pass); None = use ``emit``.
    """

    workspace: Path
    roots: WorkspaceRoots
    fs: WorkspaceFS
    archive: OverflowArchive
    emit: Callable[[Event], Awaitable[None]]
    tool_call_id: str
    session_id: str
    env: Mapping[str, str] = field(default_factory=dict)
    terminal: ClientTerminal | None = None
    code_intel: CodeIntel | None = None
    model_copy_limit_bytes: int = 16 * 1024
    redact: Callable[[str], str] | None = None
    emit_redacted: Callable[[Event], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class ToolResult:
    """Outcome of a tool call.

    Attributes:
        text: what the model receives.
        content: final content for faces (e.g. a diff); live output was
            already streamed.
        locations: files touched.
        is_error: the model sees it as an error result.
        raw_extras: structured data merged into the final ToolCallUpdate's
            ``raw_output`` (e.g. ``diagnostics``, ``callSites``, ``skill``).
    """

    text: str
    content: tuple[ToolCallContent, ...] = ()
    locations: tuple[Location, ...] = ()
    is_error: bool = False
    raw_extras: Mapping[str, Any] = field(default_factory=dict)


class Tool(ABC):
    """Base class of every tool the model sees; names and params are a contract."""

    name: ClassVar[str]
    description: ClassVar[str]
    input_schema: ClassVar[dict[str, Any]]
    kind: ClassVar[ToolKind] = "other"
    read_only: ClassVar[bool] = True

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        kind: ToolKind | None = None,
        read_only: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """Declare a built-in tool in its class header: ``class Bash(Tool, name="bash")``.

        Args:
            name: the tool's name; ``description`` and ``input_schema`` are then
                read from its section of ``contracts.md`` (:mod:`.contracts`).
            kind: the ACP ``ToolKind`` faces show (default ``"other"``, or the base's).
            read_only: whether the permission layer may run it without asking.

        Raises:
            ToolContractError: ``name`` has no section in ``contracts.md``.
        """
        super().__init_subclass__(**kwargs)
        if kind is not None:
            cls.kind = kind
        if read_only is not None:
            cls.read_only = read_only
        if name is not None:
            from zeph_tui.core.tools.contracts import contract

            cls.name = name
            cls.description, cls.input_schema = contract(name)

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.input_schema)

    def title(self, args: Mapping[str, Any]) -> str:
        return self.name

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        """The path argument the permission policy scopes on, if any."""
        value = args.get("path")
        return value if isinstance(value, str) else None

    def target_command(self, args: Mapping[str, Any]) -> str | None:
        """The command the permission policy scopes on, if any."""
        return None

    @abstractmethod
    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        """Execute; raise ToolError for failures the model should read."""


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def parse_args(raw: str | Mapping[str, Any]) -> dict[str, Any]:
    """Parse tool arguments given as JSON text or an already-parsed mapping.

    Raises:
        ToolInputError: the text is not a JSON object.
    """
    if isinstance(raw, Mapping):
        return dict(raw)
    if not raw.strip():
        return {}
    try:
        return parse_json_object(raw)
    except ValueError as exc:
        raise ToolInputError(f"invalid JSON arguments: {exc}") from exc


def check_args(schema: Mapping[str, Any], args: Mapping[str, Any]) -> None:
    """Check required properties and top-level types against a tool's JSON Schema.

    Raises:
        ToolInputError: naming the first offending field.
    """
    props: Mapping[str, Any] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in args or args[name] is None:
            raise ToolInputError(f"missing required argument '{name}'")
    for name, value in args.items():
        if name not in props:
            if schema.get("additionalProperties", True) is False:
                raise ToolInputError(f"unknown argument '{name}'")
            continue
        expected = props[name].get("type")
        if value is None or expected is None:
            continue
        types = _JSON_TYPES.get(expected, (object,))
        bad_bool = isinstance(value, bool) and expected in ("integer", "number")
        if not isinstance(value, types) or bad_bool:
            raise ToolInputError(
                f"argument '{name}' must be {expected}, got {type(value).__name__}"
            )


def int_argument(args: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """The integer argument ``name`` (``default`` when absent or null), within ``low .. high``.

    Raises:
        ToolInputError: ``name: V is outside LOW .. HIGH``.
    """
    value = args.get(name)
    number = default if value is None else int(value)
    if not low <= number <= high:
        raise ToolInputError(f"{name}: {number} is outside {low} .. {high}")
    return number
