"""The audit layer: one JSON line per tool call in ``$ZEPH_HOME/audit.jsonl``.

Each line records when, which session, which tool with which (redacted)
arguments, whether it ran or was refused, the outcome and how long it took,
so a person can answer "what did the agent do in my repository?" without
opening the database. A runtime layer (DESIGN.md, "Runtime layers"):
added at start-up, the turn loop does not know it exists.

Line shape::

    {"ts": 1763771234.5, "session": "sess_…", "call": "toolu_…", "tool": "bash",
     "title": "Run `pytest -q`", "args": {...}, "ran": true, "is_error": false,
     "duration_ms": 812.4, "result_bytes": 5120}
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import StoreError
from zeph_tui.core.layers.base import Layer, ToolInvocation
from zeph_tui.core.safety.redact import Redactor
from zeph_tui.core.tools.base import ToolResult

__all__ = ["AuditLayer"]

_MAX_ARG_CHARS = 2000


class AuditLayer(Layer):
    """Appends a redacted JSON line per tool call (after it ran or was refused).

    Args:
        path: the JSONL file (parents created).
        redactor: secrets are removed from arguments and titles before writing.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self.redactor = redactor
        path.parent.mkdir(parents=True, exist_ok=True)

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        invocation.audit_start_s = time.monotonic()
        return None

    async def after_tool(self, invocation: ToolInvocation, result: ToolResult) -> ToolResult:
        start = invocation.audit_start_s
        line = {
            "ts": round(time.time(), 3),
            "session": invocation.session_id,
            "call": invocation.call.tool_call_id,
            "tool": invocation.call.name,
            "title": self.redactor.redact(invocation.call.title),
            "args": self._args(invocation.args),
            "ran": invocation.ran,
            "is_error": result.is_error,
            "duration_ms": round((time.monotonic() - start) * 1000, 1)
            if start is not None
            else None,
            "result_bytes": len(result.text.encode()),
        }
        try:
            with self.path.open("a", encoding="utf-8") as f:  # one short append: no thread hop
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:  # a full disk or read-only ZEPH_HOME: say so, as the store does
            raise StoreError(
                f"cannot append to the audit log {self.path} ({exc.strerror}): free some space "
                "or make ZEPH_HOME writable; data already committed is kept"
            ) from exc
        return result

    def _args(self, args: Any) -> Any:
        text = json.dumps(args, ensure_ascii=False, default=str)
        if len(text) > _MAX_ARG_CHARS:
            return {"_truncated": self.redactor.redact(text[:_MAX_ARG_CHARS])}
        redacted = self.redactor.redact(text)
        try:
            return json.loads(redacted)
        except json.JSONDecodeError:
            return {"_redacted": redacted}
