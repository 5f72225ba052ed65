"""Applies one frame of feed operations to the dashboard's widgets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zeph_tui.core.events import (
    CurrentModeUpdate,
    DiffContent,
    Event,
    Plan,
    SessionInfoUpdate,
    TextContent,
    ToolCall,
    ToolCallUpdate,
    UsageUpdate,
)
from zeph_tui.ui.feed import AgentText, FeedOp, ThoughtText, ToolOutput
from zeph_tui.ui.pane_feed import call_sites_from, diagnostics_from, skill_from
from zeph_tui.ui.widgets.call_sites_pane import CallSitesPane
from zeph_tui.ui.widgets.chat_log import ChatLog
from zeph_tui.ui.widgets.diagnostics_pane import DiagnosticsPane
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.skills_pane import SkillsPane
from zeph_tui.ui.widgets.status_bar import StatusBar
from zeph_tui.ui.widgets.tool_pane import ToolPane
from zeph_tui.ui.widgets.tool_panes import ToolPanes

__all__ = ["EventRenderer", "RenderTargets"]


@dataclass(slots=True)
class RenderTargets:
    """The widgets (and two callbacks) the renderer draws on.

    Attributes:
        set_title: shows a session title (``session_info_update``).
        find_archive: looks up a finished command's archive for its pane.
    """

    workspace: Path
    chat: ChatLog
    tool_panes: ToolPanes
    status: StatusBar
    plan: PlanPane
    diagnostics: DiagnosticsPane
    call_sites: CallSitesPane
    skills: SkillsPane
    set_title: Callable[[str], None]
    find_archive: Callable[[ToolPane, str], None]
    call_kinds: dict[str, str] = field(default_factory=dict)


class EventRenderer:
    """Maps feed operations onto the chat, tool panes, side panes and status bar.

    Side panes: the plan pane shows each :class:`Plan` event; the
    diagnostics, call-sites and skills (loaded) panes are fed from the
    structured extras of final tool results (:mod:`zeph_tui.ui.pane_feed`).

    Args:
        targets: the widgets to draw on.
    """

    def __init__(self, targets: RenderTargets) -> None:
        self.to = targets

    def apply(self, op: FeedOp) -> None:
        if isinstance(op, AgentText):
            self.to.chat.append_agent(op.text, op.message_id)
        elif isinstance(op, ThoughtText):
            self.to.chat.append_thought(op.text, op.message_id)
        elif isinstance(op, ToolOutput):
            pane = self.to.tool_panes.panes.get(op.tool_call_id)
            if pane is None:
                pane = self.to.tool_panes.add(op.tool_call_id, op.tool_call_id)
            pane.append(op.tail)
        else:
            self._event(op)

    def _event(self, event: Event) -> None:
        if isinstance(event, ToolCall):
            self._tool_call(event)
        elif isinstance(event, ToolCallUpdate):
            self._tool_update(event)
        elif isinstance(event, UsageUpdate):
            self.apply_usage(event)
        elif isinstance(event, Plan):
            self.to.plan.set_plan(event.entries)
        elif isinstance(event, CurrentModeUpdate):
            self.to.status.mode = event.mode_id
        elif isinstance(event, SessionInfoUpdate):
            self.to.set_title(event.title)

    def _tool_call(self, call: ToolCall) -> None:
        self.to.call_kinds[call.tool_call_id] = call.kind
        self.to.chat.add_tool(call)
        pane = self.to.tool_panes.add(call.tool_call_id, call.title)
        pane.status = call.status

    def _tool_update(self, update: ToolCallUpdate) -> None:
        block = self.to.chat.tool_blocks.get(update.tool_call_id)
        pane = self.to.tool_panes.panes.get(update.tool_call_id)
        if update.title is not None and pane is not None:
            pane.heading = update.title
        for item in update.content or ():
            if isinstance(item, DiffContent) and block is not None:
                block.add_diff(item)
            elif isinstance(item, TextContent) and pane is not None:
                pane.append_text(item.text)
        if update.status is not None:
            if block is not None:
                block.set_status(update.status)
            if pane is not None:
                pane.status = update.status
        if update.raw_output is not None:
            text = str(update.raw_output.get("text", ""))
            if block is not None:
                block.set_result(text)
            if pane is not None and update.status in ("completed", "failed"):
                failed = update.status == "failed"  # denied or broken: say why, even for bash
                if (
                    pane.total_bytes == 0
                    and text
                    and (failed or not self._streams(update.tool_call_id))
                ):
                    pane.append_text(text if text.endswith("\n") else text + "\n")
                if self.to.call_kinds.get(update.tool_call_id) == "execute":
                    self.to.find_archive(pane, text)
            if update.status in ("completed", "failed"):
                self._side_panes(update.raw_output)

    def _side_panes(self, raw_output: Mapping[str, Any]) -> None:
        """Feed the diagnostics, call-sites and skills panes from a final result."""
        to = self.to
        diagnostics = diagnostics_from(raw_output)
        if diagnostics:
            pane = to.diagnostics
            for path, items in diagnostics.items():
                pane.set_diagnostics(path, items)
        call_sites = call_sites_from(raw_output, to.workspace)
        if call_sites is not None:
            to.call_sites.set_call_sites(
                call_sites.symbol, call_sites.sites, new_name=call_sites.new_name
            )
        skill = skill_from(raw_output)
        if skill is not None:
            to.skills.mark_loaded(skill)

    def _streams(self, tool_call_id: str) -> bool:
        return self.to.call_kinds.get(tool_call_id) == "execute"

    def apply_usage(self, usage: UsageUpdate) -> None:
        status = self.to.status
        status.input_tokens = usage.input_tokens
        status.output_tokens = usage.output_tokens
        status.cost_usd = usage.cost_usd
        if usage.model:  # the model that answered last (a routed session changes it)
            status.model = usage.model
        status.context_percent = usage.fill_percent
