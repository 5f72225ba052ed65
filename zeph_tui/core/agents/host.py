"""The sub-agent host: starts, scopes, tracks and accounts child sessions.

One :class:`SubAgents` belongs to one parent session (the ``task`` tool of
:mod:`zeph_tui.core.tools.task_tool` calls :meth:`SubAgents.run`). A run:

1. resolves the agent (:func:`~.definition.discover_agents`, off the loop);
2. opens a child :class:`~zeph_tui.core.session.session.Session` through the
   :class:`ChildOpener` the runtime gave (the standard layer stack with the
   parent's approver, so permission requests reach the same person; the
   parent's scrubbed environment; the parent's provider unless the agent
   names another model), with the parent's tools minus ``task`` (no nesting)
   and a :class:`~.scope.ScopeLayer` first in its stack; its skills limited to the
   definition's ``skills`` (:mod:`.skill_scope`); its id starts with
   :data:`CHILD_SESSION_PREFIX`, so lists of sessions (resume, ACP
   ``session/list``) do not offer it as a conversation of its own;
3. runs one prompt turn, at most :attr:`SubAgents.max_concurrent` children at
   a time; the child's tool calls are forwarded to the parent's faces as tool
   calls of their own (id ``<task call id>/<child call id>``, title prefixed
   with the agent) and as progress lines appended to the task call's content;
4. adds the child's usage and cost to the parent's session and turn totals
   (also when cancelled), stores them and sends a ``UsageUpdate``;
5. returns the child's final answer, clipped to :data:`ANSWER_MAX_CHARS`,
   naming the child session (its full transcript is in SQLite).

Cancelling the parent's turn cancels the ``task`` call, which cancels the
child's turn (``Session.prompt`` cancels and awaits it): its tools are
cancelled in turn, ``bash`` kills its process group.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from zeph_tui.core.agents.definition import AgentDefinition, discover_agents
from zeph_tui.core.agents.scope import ScopeLayer
from zeph_tui.core.agents.skill_scope import scope_skills
from zeph_tui.core.errors import AgentError, ProviderError, ToolError
from zeph_tui.core.events import (
    AgentMessageChunk,
    Event,
    TextContent,
    ToolCall,
    ToolCallUpdate,
)
from zeph_tui.core.providers.base import TextPart, Usage
from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    from zeph_tui.core.ports import EventSink
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.session.options import SessionOptions
    from zeph_tui.core.session.session import PromptSection, Session

__all__ = [
    "ANSWER_MAX_CHARS",
    "CHILD_SESSION_PREFIX",
    "ChildOpener",
    "ChildRun",
    "SubAgents",
    "child_mode",
]

ANSWER_MAX_CHARS = 12_000
"""Characters of a child's final answer the parent's model gets (head and tail)."""
CHILD_SESSION_PREFIX = "sub_"
"""Child sessions' ids start with it (session lists leave them out, see SessionStore.list)."""
_MODE_RANK = {"plan": 0, "ask": 1, "accept-edits": 2, "bypass": 3}
_CLAUDE_ALIASES = frozenset({"inherit", "sonnet", "opus", "haiku"})
RunStatus = Literal["running", "completed", "failed", "cancelled"]


class ChildOpener(Protocol):
    """Opens a child session (the runtime's ``open_session`` with the parent's wiring)."""

    async def __call__(
        self,
        *,
        sink: EventSink,
        mode: str,
        provider: Provider,
        tools: Sequence[Tool],
        options: SessionOptions,
        session_id: str,
    ) -> Session: ...


class ProviderFactory(Protocol):
    """Builds the provider of an agent that names its own model."""

    def __call__(self, model: str) -> Provider: ...


@dataclass(slots=True)
class ChildRun:
    """One sub-agent run, for the faces and the tests.

    Attributes:
        run_id: the child session's id (its transcript in the store).
        agent: the agent's name.
        tool_call_id: the parent's ``task`` call.
        status: running | completed | failed | cancelled.
        started_s / ended_s: ``time.monotonic()`` at start and end (seconds).
        usage / cost_usd: the child's totals (tokens, USD).
        stop_reason: the child's ACP stop reason once it ended.
        session: the child session.
        scope: its scope layer (refused calls, first request time).
    """

    run_id: str
    agent: str
    tool_call_id: str
    status: RunStatus = "running"
    started_s: float = field(default_factory=time.monotonic)
    ended_s: float | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    stop_reason: str | None = None
    session: Session | None = None
    scope: ScopeLayer | None = None


def child_mode(parent_mode: str, agent_mode: str | None) -> str:
    """The stricter of the parent's and the agent's permission modes."""
    if agent_mode is None:
        return parent_mode
    return min(parent_mode, agent_mode, key=lambda m: _MODE_RANK.get(m, 0))


@dataclass(eq=False)
class SubAgents:
    """The sub-agents of one parent session (see the module doc).

    Args:
        opener: opens child sessions with the parent's wiring.
        workspace / zeph_home: where agent definitions are searched.
        max_concurrent: children running at once; more wait their turn.
        provider_for: builds a provider for an agent's own ``model`` (None: always inherit).
        bundled_dir: override of the bundled agents folder (tests).
    """

    opener: ChildOpener
    _: dataclasses.KW_ONLY
    workspace: Path
    zeph_home: Path
    max_concurrent: int = 4
    provider_for: ProviderFactory | None = None
    bundled_dir: Path | None = None
    parent: Session | None = field(default=None, init=False)
    runs: list[ChildRun] = field(default_factory=list, init=False)
    _slots: asyncio.Semaphore = field(init=False, repr=False)
    _agents: dict[str, AgentDefinition] | None = field(default=None, init=False, repr=False)
    _providers: dict[str, Provider] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = asyncio.Semaphore(self.max_concurrent)

    def tools(self) -> list[Tool]:
        """The tools this host gives its parent session: ``task``."""
        from zeph_tui.core.tools.task_tool import TaskTool

        return [TaskTool(self)]

    def bind(self, parent: Session) -> None:
        """Attach the parent session (done once it exists)."""
        self.parent = parent

    def agents(self) -> dict[str, AgentDefinition]:
        """The agents by name (read on first use, then cached; see :meth:`reload`)."""
        if self._agents is None:
            self._agents, _ = discover_agents(
                self.workspace, self.zeph_home, bundled_dir=self.bundled_dir
            )
        return self._agents

    def reload(self) -> None:
        """Forget the cached definitions (they are read again on next use)."""
        self._agents = None

    def catalog(self) -> list[tuple[str, str]]:
        """``(name, description)`` of every agent, by name."""
        return sorted((a.name, a.description) for a in self.agents().values())

    def live(self) -> list[ChildRun]:
        """Runs whose child session still has a turn running."""
        return [r for r in self.runs if r.session is not None and r.session.busy]

    async def run(self, agent: str, prompt: str, ctx: ToolContext) -> ToolResult:
        """Run ``agent`` on ``prompt`` for the parent's call ``ctx.tool_call_id``.

        Raises:
            ToolError: unknown agent, or the child's provider failed.
            asyncio.CancelledError: the parent was cancelled (the child is cancelled first).
        """
        parent = self._parent()
        definitions = await asyncio.to_thread(self.agents)
        definition = definitions.get(agent)
        if definition is None:
            known = ", ".join(sorted(definitions)) or "none"
            raise ToolError(f"unknown agent {agent!r}; available agents: {known}")
        async with self._slots:
            return await self._run(parent, definition, prompt, ctx)

    def _parent(self) -> Session:
        if self.parent is None:
            raise AgentError("the sub-agent host is not bound to a session")
        return self.parent

    def _provider(self, parent: Session, definition: AgentDefinition) -> Provider:
        model = definition.model
        if model in _CLAUDE_ALIASES or self.provider_for is None or model == parent.provider.model:
            return parent.provider  # Claude Code's aliases: the parent's model
        if model not in self._providers:
            self._providers[model] = self.provider_for(model)
        return self._providers[model]

    async def _open(
        self,
        parent: Session,
        definition: AgentDefinition,
        run: ChildRun,
        ctx: ToolContext,
        prompt: str,
    ) -> Session:
        tools = [t for name, t in parent.tools.items() if name != "task"]
        allowed = definition.allowed_tools(t.name for t in tools)
        options = dataclasses.replace(
            parent.options,
            max_turn_requests=definition.max_turn_requests or parent.options.max_turn_requests,
        )
        child = await self.opener(
            sink=_ChildSink(run, ctx),
            mode=child_mode(parent.mode, definition.mode),
            provider=self._provider(parent, definition),
            tools=tools,
            options=options,
            session_id=f"{CHILD_SESSION_PREFIX}{uuid.uuid4().hex[:16]}",
        )
        run.scope = ScopeLayer(definition.name, allowed, call_prefix=f"{ctx.tool_call_id}/")
        child.layers.layers.insert(0, run.scope)
        child.prompt_sections.insert(0, _agent_section(definition))
        if definition.skills is not None:
            scope_skills(child, definition.skills, definition.name)
        child.title = f"{definition.name}: {' '.join(prompt.split())}"[:60]
        return child

    async def _run(
        self, parent: Session, definition: AgentDefinition, prompt: str, ctx: ToolContext
    ) -> ToolResult:
        run = ChildRun(f"pending_{uuid.uuid4().hex[:8]}", definition.name, ctx.tool_call_id)
        self.runs.append(run)
        try:
            child = await self._open(parent, definition, run, ctx, prompt)
            run.session, run.run_id = child, child.id
            await parent.store.sessions.update(child.id, title=child.title)
            run.stop_reason = await child.prompt([prompt])
            run.status = "completed"
        except asyncio.CancelledError:
            run.status = "cancelled"
            raise
        except ProviderError as exc:
            run.status = "failed"
            raise ToolError(f"sub-agent {definition.name} failed: {exc}") from exc
        except Exception:
            run.status = "failed"  # e.g. a StoreError opening the child: the call fails
            raise
        finally:
            run.ended_s = time.monotonic()
            if run.session is not None:
                run.usage, run.cost_usd = run.session.usage, run.session.cost_usd
            await _roll_up(parent, run)
        return _result(run, child)


async def _roll_up(parent: Session, run: ChildRun) -> None:
    """Add the child's usage and cost to the parent's session and turn totals."""
    if run.usage == Usage() and not run.cost_usd:
        return
    # a cancelled child: the totals are stored with the parent's next model call
    await parent.add_spend(run.usage, run.cost_usd, store=run.status != "cancelled")


def _final_text(child: Session) -> str:
    for message in reversed(child.history):
        if message.role == "assistant":
            text = "".join(p.text for p in message.parts if isinstance(p, TextPart)).strip()
            if text:
                return text
    return ""


def _result(run: ChildRun, child: Session) -> ToolResult:
    answer = _final_text(child) or "(the sub-agent gave no answer)"
    if len(answer) > ANSWER_MAX_CHARS:
        half = ANSWER_MAX_CHARS // 2
        cut = len(answer) - 2 * half
        answer = (
            f"{answer[:half]}\n[... {cut} characters, see the transcript ...]\n{answer[-half:]}"
        )
    note = f"[sub-agent {run.agent} ended: {run.stop_reason}; transcript: session {run.run_id}]"
    refused = run.scope.refused if run.scope else []
    return ToolResult(
        f"{answer}\n\n{note}",
        content=(TextContent(answer),),
        is_error=run.stop_reason not in ("end_turn", None),
        raw_extras={
            "subagent": {
                "agent": run.agent,
                "sessionId": run.run_id,
                "stopReason": run.stop_reason,
                "inputTokens": run.usage.input_tokens,
                "outputTokens": run.usage.output_tokens,
                "costUsd": run.cost_usd,
                "refusedTools": refused,
            }
        },
    )


def _agent_section(definition: AgentDefinition) -> PromptSection:
    text = (
        f"You are the sub-agent '{definition.name}', started by another agent for one job. "
        "Your final message is all it will see: make it complete and self-contained.\n\n"
        f"{definition.prompt}"
    )

    async def section(session: Session, user_text: str) -> str:
        return text

    return section


class _ChildSink:
    """Forwards a child's events to the parent's faces (see the module doc)."""

    def __init__(self, run: ChildRun, ctx: ToolContext) -> None:
        self.run = run
        self.ctx = ctx

    def _id(self, child_call_id: str) -> str:
        return f"{self.ctx.tool_call_id}/{child_call_id}"

    async def __call__(self, event: Event) -> None:
        agent, emit = self.run.agent, self.ctx.emit
        if isinstance(event, ToolCall):
            await emit(
                dataclasses.replace(
                    event,
                    tool_call_id=self._id(event.tool_call_id),
                    title=f"{agent}: {event.title}",
                )
            )
            line = TextContent(f"{agent} → {event.title}\n")
            await emit(ToolCallUpdate(self.ctx.tool_call_id, content=(line,)))
        elif isinstance(event, ToolCallUpdate):
            await emit(dataclasses.replace(event, tool_call_id=self._id(event.tool_call_id)))
        elif isinstance(event, AgentMessageChunk):
            return  # the final answer is the task's result
        # usage, title, mode and plan updates of the child stay with the child
