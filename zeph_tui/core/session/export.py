"""A session as Markdown: its messages, tool calls and diffs, for ``/export`` and ``zeph-tui export``.

One implementation for every face: the dashboard's and the ACP agent's
``/export [PATH]`` (through :func:`~zeph_tui.core.commands.builtin.export`)
and the headless ``zeph-tui export ID [-o PATH]`` all call
:func:`export_markdown`. The source is what the store keeps for replay (the
ACP ``session/update`` payloads of :mod:`zeph_tui.core.session.replay`):
user and agent messages, each tool call with its final status, its diffs
(as unified diffs) and the start of its result. Thoughts are left out, and
so are slash-command exchanges (``/model`` and its reply), which the ACP face
stores for ``session/load`` and the dashboard does not: every face exports
the same conversation.
Everything in the store was redacted before it was written, so the export
carries no secret the store does not.

Errors: :class:`ExportError` (a :class:`~zeph_tui.core.errors.ZephError`) for
an unknown session or a file that cannot be written.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ZephError
from zeph_tui.core.text import count_lines, plural
from zeph_tui.core.tools.files import unified_diff

if TYPE_CHECKING:
    from zeph_tui.core.store.sessions import SessionRecord, SessionStore

__all__ = ["ExportError", "Exported", "default_export_name", "export_markdown", "render_markdown"]

RESULT_MAX_LINES = 40
"""Lines of a tool result kept in the export (the full output stays in the overflow archive)."""

_ICONS = {"completed": "✓", "failed": "✗", "pending": "…", "in_progress": "●"}
_BACKTICKS = re.compile(r"`{3,}")
_COMMAND_LINE = re.compile(r"/[a-z][a-z_-]*(\s.*)?", re.DOTALL)


class ExportError(ZephError):
    """No such session, or the export file cannot be written (the message says which)."""


@dataclass(frozen=True, slots=True)
class Exported:
    """What :func:`export_markdown` wrote.

    Attributes:
        path: the Markdown file (absolute), or None when only the text was asked for.
        text: the Markdown.
        messages: user and agent messages in it.
        tool_calls: tool calls in it.
    """

    path: Path | None
    text: str
    messages: int
    tool_calls: int

    def summary(self, shown_path: str) -> str:
        """One line for a reply: ``Exported the session to X (3 messages, 1 tool call).``"""
        return (
            f"Exported the session to {shown_path} ({plural(self.messages, 'message')}, "
            f"{plural(self.tool_calls, 'tool call')})."
        )


def default_export_name(session_id: str) -> str:
    """``zeph-<session id>.md``: the file ``/export`` writes without a path."""
    return f"zeph-{session_id}.md"


def _fence(text: str, info: str = "") -> str:
    """``text`` in a code fence longer than any backtick run inside it."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def _text_of(payload: Mapping[str, Any]) -> str:
    content = payload.get("content")
    if isinstance(content, Mapping):
        return str(content.get("text") or "")
    return ""


def _shown_path(path: str, workspace: str) -> str:
    root = Path(workspace)
    target = Path(path)
    return str(target.relative_to(root)) if target.is_relative_to(root) else path


def _tool_call(payload: Mapping[str, Any], workspace: str) -> list[str]:
    status = str(payload.get("status") or "pending")
    title = str(payload.get("title") or payload.get("name") or "tool call")
    lines = [f"### {_ICONS.get(status, '?')} {title}", ""]
    meta = f"`{payload.get('name') or '?'}` · {status}"
    lines += [meta, ""]
    raw_input = payload.get("rawInput")
    if isinstance(raw_input, Mapping) and raw_input and payload.get("kind") == "execute":
        command = raw_input.get("command")
        if isinstance(command, str):
            lines += [_fence(f"$ {command}", "console"), ""]
    for item in payload.get("content") or ():
        if isinstance(item, Mapping) and item.get("type") == "diff":
            shown = _shown_path(str(item.get("path") or "?"), workspace)
            old, new = str(item.get("oldText") or ""), str(item.get("newText") or "")
            diff = unified_diff(old, new, shown)
            lines += [_fence(diff or f"(no change to {shown})", "diff"), ""]
    raw_output = payload.get("rawOutput")
    text = str(raw_output.get("text") or "") if isinstance(raw_output, Mapping) else ""
    if text.strip():
        kept = text.splitlines()[:RESULT_MAX_LINES]
        more = count_lines(text) - len(kept)
        body = "\n".join(kept) + (f"\n… {plural(more, 'more line')}" if more > 0 else "")
        lines += [_fence(body, "text"), ""]
    return lines


def render_markdown(record: SessionRecord, payloads: Iterable[Mapping[str, Any]]) -> Exported:
    """The Markdown of one session from its stored replay payloads.

    Args:
        record: the session's row (title, workspace, model, usage).
        payloads: its ``session/update`` payloads, oldest first.

    Returns:
        An :class:`Exported` with ``path=None``.
    """
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created_at))
    out = [
        f"# {record.title or 'Session ' + record.id}",
        "",
        f"- session: `{record.id}`",
        f"- workspace: `{record.cwd}`",
        f"- model: {record.provider or '?'} / {record.model or '?'}",
        f"- started: {created}",
        f"- usage: {record.input_tokens} input tokens, {record.output_tokens} output tokens, "
        f"${record.cost_usd:.4f}",
        "",
    ]
    messages = calls = 0
    listed = list(payloads)
    skip: set[int] = set()
    for i, payload in enumerate(listed[:-1]):
        pair = (payload.get("sessionUpdate"), listed[i + 1].get("sessionUpdate"))
        command = _COMMAND_LINE.fullmatch(_text_of(payload).strip())
        if pair == ("user_message_chunk", "agent_message_chunk") and command:
            skip.update((i, i + 1))
    for i, payload in enumerate(listed):
        kind = payload.get("sessionUpdate")
        if i in skip:
            continue
        if kind in ("user_message_chunk", "agent_message_chunk"):
            text = _text_of(payload)
            if text.strip():
                messages += 1
                who = "User" if kind == "user_message_chunk" else "Assistant"
                out += [f"## {who}", "", text.strip(), ""]
        elif kind == "tool_call":
            calls += 1
            out += _tool_call(payload, record.cwd)
        elif kind == "plan":
            entries = [e for e in payload.get("entries") or () if isinstance(e, Mapping)]
            out += ["### Plan", ""]
            out += [
                f"- [{'x' if e.get('status') == 'completed' else ' '}] {e.get('content', '')}"
                for e in entries
            ]
            out.append("")
    return Exported(None, "\n".join(out).rstrip("\n") + "\n", messages, calls)


async def export_markdown(
    sessions: SessionStore, session_id: str, path: Path | None = None, *, base: Path | None = None
) -> Exported:
    """Render session ``session_id`` as Markdown and, given ``path``, write it there.

    Args:
        sessions: the store's sessions (``runtime.store.sessions``).
        session_id: the session to export.
        path: the file to write (its directory must exist; an existing file
            is replaced; ``~`` expands); None returns the text only.
        base: the directory a relative ``path`` is taken from (default: the
            current directory).

    Returns:
        What was written (``path`` resolved).

    Raises:
        ExportError: no session ``session_id``, or ``path`` cannot be written.
        StoreError: SQLite failed.
    """
    record = await sessions.get(session_id)
    if record is None:
        raise ExportError(f"no session {session_id!r} (zeph-tui lists them on F2 / /sessions)")
    payloads = [p async for p in sessions.replay(session_id)]
    exported = render_markdown(record, payloads)
    if path is None:
        return exported
    target = await asyncio.to_thread(_write, path, base, exported.text)
    return Exported(target, exported.text, exported.messages, exported.tool_calls)


def _write(path: Path, base: Path | None, text: str) -> Path:
    """Write ``text`` to ``path`` (blocking); returns the resolved path. Raises ExportError."""
    target = path.expanduser()
    target = (base / target if base is not None else target).resolve()  # absolute stays
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {path}: directory {target.parent} does not exist")
    if target.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return target
