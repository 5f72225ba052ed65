"""Session set-up rules and what the ACP face tells the person outside a turn.

- :func:`workspace_dir`: the rule for ``cwd`` and ``additionalDirectories``
  (spec: /session-setup): absolute, an existing directory, and neither the
  filesystem root, the home directory itself nor a directory holding it (the
  file tools may read and write anywhere under a workspace root).
- :func:`replay_payload`: a stored ``session/update`` made safe to replay on
  ``session/load``: client terminals do not outlive their turn, so ``terminal``
  tool content becomes text (Zed drops a whole update naming an unknown terminal).
- :func:`notice` / :func:`compaction_updates`: ``notice`` and
  ``compaction_update`` / ``compaction_summary_chunk`` updates, sent only when
  the client advertises ``session.notices`` / ``session.compaction``; a notice
  falls back to an agent message (RFD: session-notices, session-compaction).

Standard library and :mod:`acp` only.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import acp
from acp import RequestError

__all__ = [
    "TurnTicket",
    "compaction_updates",
    "notice",
    "replay_payload",
    "workspace_dir",
]


class TurnTicket:
    """One ``session/prompt`` of a session, from its arrival to its answer.

    Created before the handler's first ``await``, so a ``session/cancel``
    read after the prompt always finds it (even in the same write).

    Attributes:
        cancelled: a ``session/cancel`` arrived for this turn.
    """

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False


def _refusal(path: Path) -> str | None:
    if path == Path(path.anchor):
        return f"refusing the filesystem root {str(path)!r} as a workspace"
    home = Path(os.path.expanduser("~")).resolve()
    if path == home:
        return f"refusing the home directory {str(path)!r} as a workspace"
    if path in home.parents:
        return f"refusing {str(path)!r} as a workspace: it holds the home directory"
    return None


def workspace_dir(value: str, field: str) -> Path:
    """Check one workspace root given by the client and return it resolved.

    Args:
        value: the path as sent (``cwd`` or an ``additionalDirectories`` entry).
        field: the field name used in errors, e.g. ``"cwd"``.

    Raises:
        RequestError: ``-32602`` naming ``field``: relative, NUL byte, not a
            directory, or too broad (root, home, an ancestor of home).
    """
    if "\x00" in value:
        raise RequestError.invalid_params(f"{field}: contains a NUL character")
    path = Path(value)
    if not path.is_absolute():
        raise RequestError.invalid_params(f"{field}: must be an absolute path")
    try:
        resolved = path.resolve()
        is_dir = resolved.is_dir()
    except (OSError, RuntimeError, ValueError):
        is_dir = False
        resolved = path
    if not is_dir:
        raise RequestError.invalid_params(f"{field}: not a directory: {value[:200]}")
    problem = _refusal(resolved)
    if problem is not None:
        raise RequestError.invalid_params(
            f"{field}: {problem} (the file tools could read and write anything below it);"
            " open a project directory instead"
        )
    return resolved


def _output_text(raw_output: Any) -> dict[str, Any]:
    """A text ``ToolCallContent`` of the output the model saw (``rawOutput.text``)."""
    text = raw_output.get("text") if isinstance(raw_output, dict) else None
    shown = text if isinstance(text, str) and text else "(output not kept)"
    return {"type": "content", "content": {"type": "text", "text": shown}}


def _terminal_as_text(content: list[Any], raw_output: Any) -> list[Any]:
    return [
        _output_text(raw_output)
        if isinstance(item, dict) and item.get("type") == "terminal"
        else item
        for item in content
    ]


def replay_payload(update: dict[str, Any]) -> dict[str, Any]:
    """A stored update ready for replay: ``terminal`` content replaced by text.

    A command's output lived in a client terminal (or streamed as live chunks)
    that no longer exists, so a replayed ``execute`` tool call shows the output
    the model saw (``rawOutput.text``) as ``content`` instead.
    """
    content = update.get("content")
    if update.get("sessionUpdate") not in ("tool_call", "tool_call_update") or not isinstance(
        content, list
    ):
        return update
    has_terminal = any(isinstance(c, dict) and c.get("type") == "terminal" for c in content)
    show_output = update.get("kind") == "execute" and not content
    if not has_terminal and not show_output:
        return update
    replayed = copy.copy(update)
    raw_output = update.get("rawOutput")
    if show_output:
        replayed["content"] = [_output_text(raw_output)]
    else:
        replayed["content"] = _terminal_as_text(content, raw_output)
    return replayed


def notice(
    client: acp.Client, title: str, description: str | None = None, severity: str = "info"
) -> dict[str, Any]:
    """A ``notice`` update when the client advertises ``session.notices``, else an agent message."""
    if client.can("session", "notices"):
        update: dict[str, Any] = {"sessionUpdate": "notice", "severity": severity, "title": title}
        if description:
            update["description"] = description
        return update
    text = f"{title}: {description}" if description else title
    return {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": text}}


def compaction_updates(
    client: acp.Client, compaction_id: str, status: str, summary: str | None = None
) -> list[dict[str, Any]]:
    """``compaction_update`` (+ ``compaction_summary_chunk``) when ``session.compaction`` is advertised.

    Args:
        client: the client proxy (its capabilities decide).
        compaction_id: unique within the session.
        status: ``in_progress`` | ``completed`` | ``failed`` | ``cancelled``.
        summary: the retained summary text, if any.

    Returns:
        The updates to send, in order; ``[]`` when the client did not advertise support.
    """
    if not client.can("session", "compaction"):
        return []
    updates: list[dict[str, Any]] = []
    if summary:
        updates.append(
            {
                "sessionUpdate": "compaction_summary_chunk",
                "compactionId": compaction_id,
                "content": {"type": "text", "text": summary},
            }
        )
    updates.append(
        {"sessionUpdate": "compaction_update", "compactionId": compaction_id, "status": status}
    )
    return updates
