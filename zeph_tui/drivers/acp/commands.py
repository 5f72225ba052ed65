"""Slash commands offered to ACP clients (``available_commands_update``).

Spec: https://agentclientprotocol.com/protocol/v1/slash-commands. A prompt whose
first text block starts with ``/<name>`` for a known name is handled here,
without a model call; the reply streams as ``agent_message_chunk`` and the turn
ends with ``end_turn``.

``/compact`` summarises the conversation now (:meth:`zeph_tui.core.session.session.
Session.compact`): the reply says what was folded and the context fill before
and after, then a ``usage_update`` follows it (the agent sends it after the
reply; when a summary was made the core has already sent one as well). ``/diagnostics [PATH]`` shows the current merged diagnostics of the
workspace's language servers (of PATH, analysed now if needed, or of every
file open in them), one ``path:line:col: severity [source/code] message`` per
item with its source line, as in the write tools' report; "No language server
has reported yet" before any server ran.

``/rename PATH:LINE:COL NEW_NAME`` renames through the language server
(:mod:`zeph_tui.core.code.rename`): a ``tool_call`` (kind ``edit``) with one
``locations`` entry per call site and a ``diff`` per file, then
``session/request_permission`` (skipped in bypass mode), then the edits are
written through ``fs/write_text_file`` when the client offers it (open
buffers follow) or to disk atomically, and a ``tool_call_update`` ends it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from acp import RequestError

if TYPE_CHECKING:
    from zeph_tui.drivers.acp.state import SessionState

__all__ = ["COMMANDS", "available_commands_update", "parse_command", "run_command"]

COMMANDS: tuple[tuple[str, str, str | None], ...] = (
    ("help", "Show the available commands", None),
    ("model", "Show or switch the model", "model id"),
    ("mode", "Show or switch the permission mode", "ask | code | plan | bypass"),
    (
        "compact",
        "Summarise the conversation now to free context (shows the fill before/after)",
        None,
    ),
    ("clear", "Forget the conversation so far", None),
    ("rename", "Rename a symbol and its call sites", "PATH:LINE:COL NEW_NAME"),
    (
        "diagnostics",
        "Current language-server diagnostics of a file, or of every open file",
        "path (optional)",
    ),
    ("skills", "List the available skills", None),
)
"""``(name, description, input hint or None)``."""

_NAMES = frozenset(name for name, _d, _h in COMMANDS)
_SUMMARY_MAX_CHARS = 4000


def available_commands_update() -> dict[str, Any]:
    """The ``available_commands_update`` payload (``$defs/AvailableCommandsUpdate``)."""
    commands: list[dict[str, Any]] = []
    for name, description, hint in COMMANDS:
        item: dict[str, Any] = {"name": name, "description": description}
        if hint:
            item["input"] = {"hint": hint}
        commands.append(item)
    return {"sessionUpdate": "available_commands_update", "availableCommands": commands}


def parse_command(prompt: list[dict[str, Any]]) -> tuple[str, str] | None:
    """``(name, argument)`` when the first text block is ``/<known name> [argument]``."""
    first = next((b for b in prompt if b.get("type") == "text"), None)
    if first is None:
        return None
    text = str(first.get("text", "")).strip()
    if not text.startswith("/"):
        return None
    name, _, argument = text[1:].partition(" ")
    return (name, argument.strip()) if name in _NAMES else None


def _help() -> str:
    lines = ["Commands:"]
    for name, description, hint in COMMANDS:
        suffix = f" {hint}" if hint else ""
        lines.append(f"  /{name}{suffix} - {description}")
    return "\n".join(lines)


def _skills(state: SessionState) -> str:
    from zeph_tui.core.skills import SkillLibrary

    library = SkillLibrary(state.cwd, state.runtime.home)
    if not library.skills:
        return "No skills found."
    lines = [f"Skills ({len(library.skills)}):"]
    lines += [f"  {s.name} - {s.description}" for s in library.skills.values()]
    lines += [f"  (invalid) {p}" for p in library.problems]
    return "\n".join(lines)


async def _rename(state: SessionState, argument: str) -> str:
    """``/rename PATH:LINE:COL NEW_NAME``; returns the reply (errors as text)."""
    import uuid

    from zeph_tui.core import (
        LocalFS,
        PermissionRequest,
        ZephError,
        apply_rename,
        parse_target,
        plan_rename,
        render_call_sites,
    )
    from zeph_tui.core.events import TextContent, ToolCall, ToolCallUpdate
    from zeph_tui.drivers.acp.ports import AcpApprover

    target, _, new_name = argument.partition(" ")
    if not target or not new_name.strip():
        return "Usage: /rename PATH:LINE:COL NEW_NAME"
    call_id = f"rename_{uuid.uuid4().hex[:12]}"
    try:
        path, line, column = parse_target(target)
        bridge = await state.runtime.code_intel(state.cwd).bridge()
        plan = await plan_rename(bridge, state.cwd / path, line, column, new_name.strip())
    except ZephError as exc:
        return f"Rename failed: {exc}"
    except Exception as exc:  # lsp_bridge errors (not ZephError) and OS errors
        return f"Rename failed: {type(exc).__name__}: {exc}"
    sites = render_call_sites(plan)
    call = ToolCall(
        call_id, f"Rename {plan.old_name} to {plan.new_name}", "edit", "pending",
        plan.locations(), {"target": target, "new_name": plan.new_name}, "rename_symbol",
        (TextContent(sites), *plan.previews()),
    )  # fmt: skip
    await state.sink(call)
    if state.session.mode != "bypass":
        request = PermissionRequest(call, "rename_symbol", "/rename edits files", plan.previews())
        approver = AcpApprover(state.sink.client, state.session.id)
        if await approver.request_permission(request) not in ("allow_once", "allow_always"):
            await state.sink(ToolCallUpdate(call_id, status="failed"))
            return f"Rename not applied.\n{sites}"
    fs = state.session.fs
    writer = None if fs is None or isinstance(fs, LocalFS) else fs.write_text
    try:
        outcome = await apply_rename(bridge, plan, writer=writer)
    except ZephError as exc:
        await state.sink(ToolCallUpdate(call_id, status="failed", content=(TextContent(str(exc)),)))
        return f"Rename failed: {exc}"
    summary = (
        f"Renamed {plan.old_name} to {plan.new_name} in {len(outcome.files_changed)} file(s); "
        f"diagnostics: {len(outcome.new)} new, {len(outcome.fixed)} fixed."
    )
    await state.sink(
        ToolCallUpdate(call_id, status="completed", content=(TextContent(summary),),
                       raw_output={"files_changed": [str(p) for p in outcome.files_changed]})
    )  # fmt: skip
    details = [d.render(state.cwd) for d in outcome.new]
    return "\n".join([summary, sites, *details])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


async def _compact(state: SessionState) -> str:
    """``/compact``: summarise now; returns what was done (errors as text)."""
    from zeph_tui.core import ZephError

    session = state.session
    window = session.provider.context_window_tokens
    try:
        result = await session.compact()
    except ZephError as exc:
        return f"Compaction failed: {exc}"
    if result.action == "none":
        return (
            "Nothing to compact yet: the conversation is too short to summarise "
            f"(about {result.tokens_before:,} of {window:,} tokens in context)."
        )
    summary = result.summary.strip()
    if len(summary) > _SUMMARY_MAX_CHARS:
        summary = summary[:_SUMMARY_MAX_CHARS] + " [...]"
    return (
        f"Compacted the conversation: {_plural(result.summarised_messages, 'message')} folded "
        f"into a summary; context about {result.tokens_before:,} -> {result.tokens_after:,} of "
        f"{window:,} tokens. The earlier messages stay in the session store.\n\n"
        f"Summary:\n{summary}"
    )


async def _diagnostics(state: SessionState, argument: str) -> str:
    """``/diagnostics [PATH]``: the current merged diagnostics; returns the reply text."""
    from zeph_tui.core import ToolError
    from zeph_tui.core.code.intel import CodeIntelError
    from zeph_tui.core.code.render import render_diagnostics

    session = state.session
    if session.code_intel is None:
        return "Language servers are off for this session ([lsp] enabled = false)."
    intel = state.runtime.code_intel(session.workspace)
    path = None
    shown = "the open files"
    try:
        if argument:
            path = session.roots.resolve_for_read(argument)
            shown = session.roots.display_path(path)
            if not path.is_file():
                return f"Diagnostics: file not found: {shown}"
        bridge = await intel.bridge()
        if path is not None and not intel.handles(path):
            return f"No language server handles {shown}."
        items = await intel.diagnostics(path)
    except (ToolError, CodeIntelError) as exc:
        return f"Diagnostics failed: {exc}"
    status = bridge.status()
    notes = [f"no diagnostics from {s.name}: {s.detail}" for s in status if s.state == "missing"]
    notes += [f"diagnostics pending from {s.name} (starting)" for s in status
              if s.state == "starting"]  # fmt: skip
    text = render_diagnostics(items, intel.workspace)
    if not text:
        if path is None and not any(s.state in ("running", "crashed") for s in status):
            text = (
                "No language server has reported yet: servers start when a file is read, "
                "written or edited in this session (or try /diagnostics PATH)."
            )
        else:
            text = f"No diagnostics in {shown}."
    return "\n".join([text, *notes])


async def run_command(state: SessionState, name: str, argument: str) -> str:
    """Run one slash command and return the reply text.

    Raises:
        RequestError: ``-32602`` for a bad argument (unknown mode or model).
    """
    if name == "help":
        return _help()
    if name == "mode":
        if not argument:
            return f"Mode: {state.acp_mode} (ask | code | plan | bypass)"
        try:
            await state.set_mode(argument)
        except RequestError as exc:
            return exc.message.removeprefix("Invalid params: modeId: ")
        return f"Mode set to {state.acp_mode}."
    if name == "model":
        provider = state.session.provider
        if not argument:
            return f"Model: {provider.model} ({provider.name})"
        try:
            await state.set_model(argument)
        except RequestError as exc:
            return exc.message.removeprefix("Invalid params: value: ")
        return f"Model set to {state.session.provider.model}."
    if name == "clear":
        count = await state.clear()
        return f"Conversation cleared ({count} messages hidden from the context)."
    if name == "skills":
        return _skills(state)
    if name == "rename":
        return await _rename(state, argument)
    if name == "compact":
        return await _compact(state)
    if name == "diagnostics":
        return await _diagnostics(state, argument)
    raise RequestError.invalid_params(f"prompt[0].text: unknown command /{name[:40]}")
