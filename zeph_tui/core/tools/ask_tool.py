"""``ask_user``: the model asks the person a question mid-turn, through the face's :class:`Asker`.

One tool for every face; the face decides how the question reaches the person
(:class:`~zeph_tui.core.ports.Asker`): the dashboard opens a modal, the ACP
agent sends ``elicitation/create`` in form mode when the client supports it
(spec: https://agentclientprotocol.com/rfds/elicitation), and ``zeph-tui run``
says it cannot ask. The question becomes a one-field form (a free-text
answer, or a single choice when the model gives ``choices``) scoped to the
session and the tool call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ToolError
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    from zeph_tui.core.ports import Asker

__all__ = ["AskUser", "question_form"]

MAX_CHOICES = 20


def question_form(question: str, choices: object = None) -> dict[str, Any]:
    """The ACP ``ElicitationSchema`` of one question: a required ``answer`` field.

    ``choices`` (a non-empty list) makes it a single choice (``enum``, at most
    :data:`MAX_CHOICES`); otherwise it is free text.
    """
    answer: dict[str, Any] = {"type": "string", "title": question[:200]}
    if isinstance(choices, list) and choices:
        answer["enum"] = [str(c) for c in choices[:MAX_CHOICES]]
    return {"type": "object", "properties": {"answer": answer}, "required": ["answer"]}


class AskUser(Tool, name="ask_user", kind="think", read_only=True):
    """Ask the person; the answer (or that they declined) is the tool result.

    Args:
        asker: the face's way to the person; it raises :class:`ToolError` when
            nobody can be asked (the model reads why).
    """

    # "think" as update_plan and remember: no side effect, so no mode (ask, plan)
    # puts a permission prompt in front of a question to the same person

    def __init__(self, asker: Asker) -> None:
        self._asker = asker

    def title(self, args: Mapping[str, Any]) -> str:
        return f"Ask: {str(args.get('question', ''))[:80]}"

    def target_path(self, args: Mapping[str, Any]) -> str | None:
        return None

    async def run(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
        from zeph_tui.core.ports import Elicitation

        question = args.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ToolError("ask_user: question: expected a non-empty string")
        request = Elicitation(
            message=question,
            requested_schema=question_form(question, args.get("choices")),
            session_id=ctx.session_id,
            tool_call_id=ctx.tool_call_id,
        )
        answer = await self._asker.elicit(request)
        content = answer.content or {}
        if answer.action == "accept" and "answer" in content:
            return ToolResult(f"The person answered: {content['answer']}")
        if answer.action == "decline":
            return ToolResult("The person declined to answer; go on without it or stop.")
        return ToolResult("The question was cancelled; no answer.", is_error=True)
