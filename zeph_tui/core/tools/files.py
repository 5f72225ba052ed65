"""File tools: ``read_file``, ``write_file``, ``edit_file``.

Paths are relative to the workspace (absolute ones inside it accepted) and
confined by :class:`~zeph_tui.core.safety.paths.WorkspaceRoots`. Lines the
model sees are 1-based. Edits return a diff for faces and, when language
servers are enabled, the diagnostics delta appended to the result text.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from zeph_tui.core.errors import ToolError, ToolInputError
from zeph_tui.core.events import (
    DiffContent,
    Location,
    TextContent,
    ToolCallContent,
    ToolKind,
)
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["EditFile", "ReadFile", "WriteFile", "unified_diff"]

_DEFAULT_READ_LINES = 2000
_MAX_LINE_CHARS = 2000


def unified_diff(old: str, new: str, display_path: str, context_lines: int = 3) -> str:
    """A unified diff of two texts, ``a/`` and ``b/`` prefixed like git."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"a/{display_path}",
        f"b/{display_path}",
        n=context_lines,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


async def _read_existing(ctx: ToolContext, path: Path, shown: str) -> str:
    try:
        return await ctx.fs.read_text(path)
    except FileNotFoundError as exc:
        raise ToolError(f"file not found: {shown}") from exc
    except IsADirectoryError as exc:
        raise ToolError(f"{shown} is a directory; use glob to list it") from exc
    except UnicodeDecodeError as exc:
        raise ToolError(f"{shown} is not UTF-8 text (binary file?)") from exc


class ReadFile(Tool):
    name: ClassVar[str] = "read_file"
    description: ClassVar[str] = (
        "Read a text file from the workspace. Returns lines prefixed with their 1-based "
        "line numbers. Use offset (1-based first line) and limit (max lines) for large files."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path relative to the workspace."},
            "offset": {"type": "integer", "description": "1-based line to start at."},
            "limit": {"type": "integer", "description": "Maximum number of lines."},
        },
        "required": ["path"],
    }
    kind: ClassVar[ToolKind] = "read"

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Read {args.get('path', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path = ctx.roots.resolve_for_read(args["path"])
        shown = ctx.roots.display_path(path)
        text = await _read_existing(ctx, path, shown)
        offset = int(args.get("offset") or 1)
        limit = int(args.get("limit") or _DEFAULT_READ_LINES)
        if offset < 1 or limit < 1:
            raise ToolInputError("offset and limit must be >= 1")
        lines = text.splitlines()
        chosen = lines[offset - 1 : offset - 1 + limit]
        width = len(str(offset + len(chosen)))
        body = "\n".join(
            f"{n:>{width}}\t{line[:_MAX_LINE_CHARS]}" for n, line in enumerate(chosen, offset)
        )
        end = offset + len(chosen) - 1
        if not lines:
            body = "(empty file)"
        elif end < len(lines):
            body += f"\n[lines {offset}-{end} of {len(lines)}; read more with offset={end + 1}]"
        if ctx.code_intel is not None and chosen:
            hover = await ctx.code_intel.after_read(path, text, offset, end)
            if hover:
                body += "\n\n" + hover
        return ToolResult(body, locations=(Location(str(path), offset),))


class WriteFile(Tool):
    name: ClassVar[str] = "write_file"
    description: ClassVar[str] = (
        "Create or overwrite a text file in the workspace with the given content."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path relative to the workspace."},
            "content": {"type": "string", "description": "The complete new file content."},
        },
        "required": ["path", "content"],
    }
    kind: ClassVar[ToolKind] = "edit"
    read_only: ClassVar[bool] = False

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Write {args.get('path', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path = ctx.roots.resolve_for_write(args["path"])
        shown = ctx.roots.display_path(path)
        if path.is_dir():
            raise ToolError(f"{shown} is a directory")
        try:
            old: str | None = await ctx.fs.read_text(path)
        except (FileNotFoundError, UnicodeDecodeError):
            old = None
        new = args["content"]
        await ctx.fs.write_text(path, new)
        verb = "Created" if old is None else "Wrote"
        text = f"{verb} {shown} ({len(new.encode())} bytes, {new.count(chr(10)) + 1} lines)."
        return await _finish_edit(ctx, path, old, new, text)


class EditFile(Tool):
    name: ClassVar[str] = "edit_file"
    description: ClassVar[str] = (
        "Replace old_string with new_string in a file. old_string must match exactly "
        "(including indentation) and be unique unless replace_all is true."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path relative to the workspace."},
            "old_string": {"type": "string", "description": "Exact text to replace."},
            "new_string": {"type": "string", "description": "Replacement text."},
            "replace_all": {"type": "boolean", "description": "Replace every occurrence."},
        },
        "required": ["path", "old_string", "new_string"],
    }
    kind: ClassVar[ToolKind] = "edit"
    read_only: ClassVar[bool] = False

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Edit {args.get('path', '?')}"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path = ctx.roots.resolve_for_write(args["path"])
        shown = ctx.roots.display_path(path)
        old_text = await _read_existing(ctx, path, shown)
        needle, replacement = args["old_string"], args["new_string"]
        if needle == "":
            raise ToolInputError("old_string must not be empty; use write_file to create files")
        if needle == replacement:
            raise ToolInputError("old_string and new_string are identical; nothing to change")
        count = old_text.count(needle)
        if count == 0:
            raise ToolError(
                f"old_string not found in {shown}; read the file and copy the exact text "
                "(whitespace and indentation included)"
            )
        if count > 1 and not args.get("replace_all"):
            lines = [str(old_text[:i].count("\n") + 1) for i in _find_all(old_text, needle)]
            raise ToolError(
                f"old_string is ambiguous: {count} matches in {shown} (lines "
                f"{', '.join(lines[:10])}); add surrounding context or set replace_all=true"
            )
        new_text = old_text.replace(needle, replacement)
        await ctx.fs.write_text(path, new_text)
        first_line = old_text[: old_text.find(needle)].count("\n") + 1
        text = f"Edited {shown}: {count} replacement(s), first at line {first_line}."
        return await _finish_edit(ctx, path, old_text, new_text, text, line=first_line)


def _find_all(text: str, needle: str) -> list[int]:
    out, start = [], text.find(needle)
    while start != -1:
        out.append(start)
        start = text.find(needle, start + 1)
    return out


async def _finish_edit(
    ctx: ToolContext, path: Path, old: str | None, new: str, text: str, line: int | None = None
) -> ToolResult:
    """Diagnostics after a write: appended to the text, a TextContent for faces,
    and the structured set in ``raw_extras["diagnostics"]`` (shape in
    :mod:`zeph_tui.core.code.intel`).
    """
    content: tuple[ToolCallContent, ...] = (DiffContent(str(path), old, new),)
    extras: dict[str, Any] = {}
    if ctx.code_intel is not None:
        report = await ctx.code_intel.after_write(path, old, new)
        if report:
            text += "\n\n" + report
            content += (TextContent(report),)
            payload = ctx.code_intel.payload(path)
            if payload is not None:
                extras["diagnostics"] = payload
    return ToolResult(
        text, content=content, locations=(Location(str(path), line),), raw_extras=extras
    )
