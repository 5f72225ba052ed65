"""``ask_user``: the model asks the person a question mid-turn (ACP ``elicitation/create``).

Spec: https://agentclientprotocol.com/rfds/elicitation (form mode). Offered to
the model only when the client advertises ``elicitation.form``; the question
becomes a one-field form (a free-text answer, or a single choice when the
model gives ``choices``) scoped to the session and the tool call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import acp
from zeph_tui.core import ToolError
from zeph_tui.core.events import ToolKind
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

__all__ = ["AskUser"]


class AskUser(Tool):
    """Ask the person; the answer (or that they declined) is the tool result."""

    name: ClassVar[str] = "ask_user"
    description: ClassVar[str] = (
        "Ask the person a question and wait for the answer. Use it only for a decision"
        " or fact that needs them (not for anything you can find out yourself)."
        " Give `choices` when the answer is one of a few options."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "question": {"type": "string", "description": "One clear question."},
            "choices": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        },
        "required": ["question"],
    }
    kind: ClassVar[ToolKind] = "other"
    read_only: ClassVar[bool] = True

    def __init__(self, client: acp.Client) -> None:
        self._client = client

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Ask: {str(args.get('question', ''))[:80]}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        question = args.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ToolError("ask_user: question: expected a non-empty string")
        answer: dict[str, Any] = {"type": "string", "title": question[:200]}
        choices = args.get("choices")
        if isinstance(choices, list) and choices:
            answer["enum"] = [str(c) for c in choices[:20]]
        params = {
            "sessionId": ctx.session_id,
            "toolCallId": ctx.tool_call_id,
            "mode": "form",
            "message": question,
            "requestedSchema": {
                "type": "object",
                "properties": {"answer": answer},
                "required": ["answer"],
            },
        }
        try:
            result = await self._client.create_elicitation(params)
        except acp.AcpError as exc:
            raise ToolError(f"ask_user: the editor could not ask: {exc}") from exc
        action = result.get("action")
        content = result.get("content")
        if action == "accept" and isinstance(content, dict) and "answer" in content:
            return ToolResult(f"The person answered: {content['answer']}")
        if action == "decline":
            return ToolResult("The person declined to answer; go on without it or stop.")
        return ToolResult("The question was cancelled; no answer.", is_error=True)
