"""File tools: ``read_file``, ``write_file``, ``edit_file``.

Paths are relative to the workspace (absolute ones inside it accepted) and
confined by :class:`~zeph_tui.core.safety.paths.WorkspaceRoots`. Lines the
model sees are 1-based. Edits return a diff for faces and, when language
servers are enabled, the diagnostics delta appended to the result text.

Memory is bounded by file size (see bench/large_files.py):

* ``edit_file`` refuses a file larger than :data:`MAX_EDIT_BYTES` (the message
  gives its size and the limit, and suggests ``bash`` with ``sed``): an edit
  holds the old and new text, a diff, and the events carrying both.
* ``read_file`` on a file larger than :data:`MAX_EDIT_BYTES` streams the lines
  asked for straight from disk (no hover prefetch), so memory does not grow with
  the file.
* ``write_file`` over a file larger than :data:`MAX_EDIT_BYTES` does not read the
  old content for the diff; the result says so.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from zeph_tui.core.errors import ToolError, ToolInputError
from zeph_tui.core.events import (
    DiffContent,
    Location,
    TextContent,
    ToolCallContent,
)
from zeph_tui.core.text import count_lines, plural
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["MAX_EDIT_BYTES", "EditFile", "ReadFile", "WriteFile", "unified_diff"]

MAX_EDIT_BYTES = 8 * 1024 * 1024
"""Largest file ``edit_file`` edits (and ``read_file`` / ``write_file`` load whole), in bytes."""

_DEFAULT_READ_LINES = 2000
_MAX_LINE_CHARS = 2000
_LINE_READ_BYTES = 4 * _MAX_LINE_CHARS  # UTF-8: at most 4 bytes a character


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


def _size_bytes(path: Path) -> int | None:
    """The file's size, or None when it does not exist or is not a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if not os.path.isdir(path) else None


def _mib(size_bytes: int) -> str:
    return f"{size_bytes / (1024 * 1024):.1f} MiB ({size_bytes} bytes)"


def _bounded_lines(f: BinaryIO) -> Iterator[bytes]:
    """Lines of a binary file, each cut at ``_LINE_READ_BYTES`` (the rest of it skipped)."""
    while chunk := f.readline(_LINE_READ_BYTES):
        if not chunk.endswith(b"\n"):
            while (more := f.readline(_LINE_READ_BYTES)) and not more.endswith(b"\n"):
                pass
        yield chunk


def _stream_lines(path: Path, offset: int, limit: int) -> tuple[list[str], int]:
    """Lines ``offset .. offset+limit-1`` (1-based) and the file's total line count.

    Reads the file once, one bounded line at a time: memory does not grow with the file.
    """
    with path.open("rb") as f:
        lines = _bounded_lines(f)
        chosen = [
            raw.decode("utf-8", "replace").rstrip("\r\n")
            for raw in itertools.islice(lines, offset - 1, offset - 1 + limit)
        ]
        total = offset - 1 + len(chosen) + sum(1 for _ in lines)
    return chosen, total


class _FileTool(Tool):
    """A tool on one workspace file, titled ``<verb> <path>``."""

    verb: ClassVar[str]

    def title(self, args: Mapping[str, Any]) -> str:
        return f"{self.verb} {args.get('path', '?')}"


class _WriteTool(_FileTool, kind="edit", read_only=False):
    """``write_file`` and ``edit_file``: they change the file at ``path``."""

    @staticmethod
    def _target(args: Mapping[str, Any], ctx: ToolContext) -> tuple[Path, str]:
        """The confined path to write and how the model is shown it."""
        path = ctx.roots.resolve_for_write(args["path"])
        return path, ctx.roots.display_path(path)


class ReadFile(_FileTool, name="read_file", kind="read"):
    verb: ClassVar[str] = "Read"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path = ctx.roots.resolve_for_read(args["path"])
        shown = ctx.roots.display_path(path)
        offset = int(args.get("offset") or 1)
        limit = int(args.get("limit") or _DEFAULT_READ_LINES)
        if offset < 1 or limit < 1:
            raise ToolInputError("offset and limit must be >= 1")
        size = _size_bytes(path)
        if size is not None and size > MAX_EDIT_BYTES:
            chosen, total = await asyncio.to_thread(_stream_lines, path, offset, limit)
            return ToolResult(
                _numbered(chosen, offset, total), locations=(Location(str(path), offset),)
            )
        text = await _read_existing(ctx, path, shown)
        lines = text.splitlines()
        chosen = lines[offset - 1 : offset - 1 + limit]
        body = _numbered(chosen, offset, len(lines))
        end = offset + len(chosen) - 1
        if ctx.code_intel is not None and chosen:
            hover = await ctx.code_intel.after_read(path, text, offset, end)
            if hover:
                body += "\n\n" + hover
        return ToolResult(body, locations=(Location(str(path), offset),))


def _numbered(chosen: list[str], offset: int, total: int) -> str:
    """Lines prefixed with their 1-based numbers, plus a notice when more follow."""
    if not total:
        return "(empty file)"
    width = len(str(offset + len(chosen)))
    body = "\n".join(
        f"{n:>{width}}\t{line[:_MAX_LINE_CHARS]}" for n, line in enumerate(chosen, offset)
    )
    end = offset + len(chosen) - 1
    if end < total:
        body += f"\n[lines {offset}-{end} of {total}; read more with offset={end + 1}]"
    return body


class WriteFile(_WriteTool, name="write_file"):
    verb: ClassVar[str] = "Write"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path, shown = self._target(args, ctx)
        if path.is_dir():
            raise ToolError(f"{shown} is a directory")
        size = _size_bytes(path)
        old: str | None = None
        if size is not None and size <= MAX_EDIT_BYTES:
            try:
                old = await ctx.fs.read_text(path)
            except (FileNotFoundError, UnicodeDecodeError):
                old = None
        new = args["content"]
        await ctx.fs.write_text(path, new)
        verb = "Created" if size is None else "Wrote"
        text = f"{verb} {shown} ({plural(len(new.encode()), 'byte')}, {plural(count_lines(new), 'line')})."
        if size is not None and size > MAX_EDIT_BYTES:
            text += f" The previous content ({_mib(size)}) was too large to diff."
        return await _finish_edit(ctx, path, old, new, text)


class EditFile(_WriteTool, name="edit_file"):
    verb: ClassVar[str] = "Edit"

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        path, shown = self._target(args, ctx)
        size = _size_bytes(path)
        if size is not None and size > MAX_EDIT_BYTES:
            raise ToolError(
                f"{shown} is {_mib(size)}, over edit_file's limit of {_mib(MAX_EDIT_BYTES)}; "
                "edit it with bash (e.g. sed -i) or split it"
            )
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
