"""The implementation of every slash command, once, against :class:`CommandHost`.

Each function takes the host and the argument text (stripped) and returns the
reply text; a person's mistake raises :class:`CommandError` (or another
:class:`~zeph_tui.core.errors.ZephError`) whose message is the reply. The
registry (:mod:`zeph_tui.core.commands.registry`) names them.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from zeph_tui.core.commands.host import CommandError, CommandHost
from zeph_tui.core.errors import ZephError
from zeph_tui.core.events import SessionInfoUpdate, TextContent, ToolCall, ToolCallUpdate
from zeph_tui.core.text import plural

if TYPE_CHECKING:
    from pathlib import Path

    from lsp_bridge import DiagnosticItem, LspBridge
    from zeph_tui.core.code.intel import LspCodeIntel
    from zeph_tui.core.code.rename import RenameOutcome, RenamePlan
    from zeph_tui.core.providers.base import Provider
    from zeph_tui.core.runtime import Runtime
    from zeph_tui.core.session.session import Session

__all__ = [
    "clear",
    "compact",
    "diagnostics",
    "export",
    "git",
    "known_models",
    "memory",
    "mode",
    "model",
    "new",
    "plan",
    "quit_face",
    "rename",
    "sessions",
    "skills",
    "switch_model",
    "title",
    "undo",
]

_SUMMARY_MAX_CHARS = 4000
_FILES_SHOWN = 8


def known_models(provider_name: str) -> list[str]:
    """Model ids offered for ``provider_name`` (empty: any id is accepted)."""
    if provider_name != "anthropic":
        return []
    from zeph_tui.core.providers.pricing import PRICES

    return [name for name in PRICES if name.startswith("claude-")]


async def switch_model(session: Session, runtime: Runtime, model_id: str) -> Provider | None:
    """Give ``session`` a provider for ``model_id`` and store it; returns the old provider.

    Returns None when ``model_id`` is already the session's model.

    Raises:
        CommandError: an unknown model for the provider.
        ZephError: the provider cannot be built (e.g. a missing key).
    """
    current = session.provider
    if model_id == current.model:
        return None
    if current.name == "routing":  # the models are [routing]'s, chosen per call
        raise CommandError(
            "this session is routed: its models are set in config.toml [routing] "
            "(run with --provider NAME to use one model)"
        )
    allowed = known_models(current.name)
    if allowed and model_id not in allowed and not model_id.startswith("claude-"):
        raise CommandError(f"unknown model {model_id[:80]!r} for {current.name}")
    session.provider = runtime.build_provider(current.name, model_id)
    await runtime.store.sessions.update(
        session.id, provider=session.provider.name, model=session.provider.model
    )
    return current


async def model(host: CommandHost, argument: str) -> str:
    """``/model [ID]``: show the model, or switch this session to ``ID``."""
    provider = host.session.provider
    if not argument:
        return f"Model: {provider.model} ({provider.name})"
    old = await switch_model(host.session, host.runtime, argument)
    if old is not None:
        await host.provider_switched(old)
    return f"Model set to {host.session.provider.model}."


async def mode(host: CommandHost, argument: str) -> str:
    """``/mode [MODE]``: show the permission mode, or switch it (stored in SQLite)."""
    from zeph_tui.core.session.options import MODES

    session = host.session
    if not argument:
        return f"Mode: {session.mode} ({' | '.join(MODES)})"
    await session.set_mode(argument)  # ZephError names the valid modes
    await host.mode_changed()
    return f"Mode set to {session.mode}."


async def compact(host: CommandHost, argument: str) -> str:
    """``/compact``: summarise the conversation now; says what was folded."""
    session = host.session
    window = session.provider.context_window_tokens
    try:
        result = await session.compact()
    except ZephError as exc:
        raise CommandError(f"Compaction failed: {exc}") from exc
    if result.action == "none":
        return (
            "Nothing to compact yet: the conversation is too short to summarise "
            f"(about {result.tokens_before:,} of {window:,} tokens in context)."
        )
    summary = result.summary.strip()
    if len(summary) > _SUMMARY_MAX_CHARS:
        summary = summary[:_SUMMARY_MAX_CHARS] + " [...]"
    return (
        f"Compacted the conversation: {plural(result.summarised_messages, 'message')} folded "
        f"into a summary; context about {result.tokens_before:,} -> {result.tokens_after:,} of "
        f"{window:,} tokens. The earlier messages stay in the session store.\n\n"
        f"Summary:\n{summary}"
    )


async def clear(host: CommandHost, argument: str) -> str:
    """``/clear``: forget the conversation so far; same session, messages kept in the store."""
    session = host.session
    if session.busy:
        raise CommandError("A turn is running; cancel it first (Esc, or session/cancel).")
    store = host.runtime.store.sessions
    ids = await store.message_ids(session.id)
    await store.mark_compacted(ids)
    session.history.clear()
    session.context_tokens = 0
    await host.history_cleared()
    return f"Conversation cleared ({plural(len(ids), 'message')} hidden from the context)."


async def title(host: CommandHost, argument: str) -> str:
    """``/title TITLE``: retitle this session (SQLite, and ``session_info_update``)."""
    text = " ".join(argument.split())
    if not text:
        raise CommandError("Usage: /title TITLE")
    session = host.session
    session.title = text
    await host.runtime.store.sessions.update(session.id, title=text)
    await session.sink(SessionInfoUpdate(text))
    return f"Session title set to {text!r}."


async def skills(host: CommandHost, argument: str) -> str:
    """``/skills``: the skills of this workspace and the user's directory."""
    library = host.runtime.skill_library(host.session.workspace)
    await asyncio.to_thread(library.reload_if_changed)
    host.show_pane("skills")
    if not library.skills:
        return "No skills found."
    lines = [f"Skills ({len(library.skills)}):"]
    lines += [f"  {s.name} - {s.description}" for s in library.skills.values()]
    lines += [f"  (invalid) {p}" for p in library.problems]
    return "\n".join(lines)


async def memory(host: CommandHost, argument: str) -> str:
    """``/memory [list | search QUERY | show ID | forget ID]``: this project's long-term memories."""
    from zeph_tui.core.memory import MemoryStore
    from zeph_tui.core.memory.command import memory_reply

    store = MemoryStore(host.runtime.store.db)
    reply = await memory_reply(store, argument, project=str(host.session.workspace))
    host.show_pane("memory")  # after the reply's change (a forget), so the pane shows it
    return reply


async def undo(host: CommandHost, argument: str) -> str:
    """``/undo``: restore the working tree to this session's last checkpoint."""
    from zeph_tui.core.checkpoints import CheckpointError, undo_last

    session = host.session
    try:
        checkpoint, changed = await asyncio.to_thread(undo_last, session.workspace, session.id)
    except CheckpointError as exc:
        raise CommandError(f"Undo: {exc}") from exc
    await host.workspace_changed()
    files = ", ".join(changed[:_FILES_SHOWN]) + (" …" if len(changed) > _FILES_SHOWN else "")
    return (
        f"Undo: restored checkpoint {checkpoint.number} "
        f"({plural(len(changed), 'file')}: {files or '-'})."
    )


async def export(host: CommandHost, argument: str) -> str:
    """``/export [PATH]``: this session as Markdown (default ``zeph-<id>.md`` in the workspace).

    A relative ``PATH`` is taken from the workspace. The reply names the file
    relative to the workspace when it is inside it.
    """
    from pathlib import Path

    from zeph_tui.core.session.export import ExportError, default_export_name, export_markdown

    session = host.session
    target = Path(argument or default_export_name(session.id))
    try:
        done = await export_markdown(
            session.store.sessions, session.id, target, base=session.workspace
        )
    except ExportError as exc:
        raise CommandError(f"Export: {exc}") from exc
    assert done.path is not None
    root = session.workspace.resolve()
    shown = str(done.path.relative_to(root)) if done.path.is_relative_to(root) else str(done.path)
    return done.summary(shown)


async def plan(host: CommandHost, argument: str) -> str:
    """``/plan GOAL`` | ``/plan resume [ID]``: a task graph of sub-agents (:mod:`..agents.planner`).

    Node states stream as ACP ``plan`` updates (the dashboard's plan pane);
    the face's cancel stops the graph and its children; the reply is
    ``graph ID: STATUS (DONE/N tasks)``.
    """
    from zeph_tui.core.agents.planner import plan_command

    if argument.strip():
        host.show_pane("plan")
    return await plan_command(host.session, argument)


async def new(host: CommandHost, argument: str) -> str:
    """``/new``: open a new empty session in this workspace (face feature ``sessions``)."""
    session_id = await host.new_session()
    return f"New session {session_id}."


async def sessions(host: CommandHost, argument: str) -> str:
    """``/sessions``: list, resume or start sessions (face feature ``sessions``)."""
    await host.pick_session()
    return ""


async def git(host: CommandHost, argument: str) -> str:
    """``/git``: git status and diff of the working tree (face feature ``panes``)."""
    host.show_pane("git")
    return ""


async def quit_face(host: CommandHost, argument: str) -> str:
    """``/quit``: leave (face feature ``quit``)."""
    host.quit()
    return ""


async def rename(host: CommandHost, argument: str) -> str:
    """``/rename PATH:LINE:COL NEW_NAME``: rename a symbol through the language server.

    Flow (:mod:`zeph_tui.core.code.rename`): a ``tool_call`` (kind ``edit``)
    with one ``locations`` entry per call site and a ``diff`` per file, then a
    permission request (skipped in bypass mode), then a git checkpoint of the
    session (so ``/undo`` restores the files in every face), then the edits are
    written through the session's workspace fs (the editor's buffers over ACP)
    or to disk atomically, and a ``tool_call_update`` ends it. Line and column
    are 1-based.
    """
    from zeph_tui.core.code.rename import render_call_sites

    session = host.session
    target, _, new_name = argument.partition(" ")
    if not target or not new_name.strip():
        raise CommandError("Usage: /rename PATH:LINE:COL NEW_NAME")
    bridge, plan = await _plan(host, target, new_name.strip())
    sites = render_call_sites(plan)
    call_id = f"rename_{uuid.uuid4().hex[:12]}"
    call = ToolCall(
        call_id, f"Rename {plan.old_name} to {plan.new_name}", "edit", "pending",
        plan.locations(), {"target": target, "new_name": plan.new_name}, "rename_symbol",
        (TextContent(sites), *plan.previews()),
    )  # fmt: skip
    await session.sink(call)
    if not await _allowed(host, call, plan):
        await session.sink(ToolCallUpdate(call_id, status="failed"))
        return f"Rename not applied.\n{sites}"
    outcome = await _apply(host, call_id, bridge, plan)
    summary = (
        f"Renamed {plan.old_name} to {plan.new_name} in "
        f"{len(outcome.files_changed)} file(s); "
        f"diagnostics: {len(outcome.new)} new, {len(outcome.fixed)} fixed."
        + (" /undo restores the files." if outcome.checkpoint else "")
    )
    await session.sink(
        ToolCallUpdate(call_id, status="completed", content=(TextContent(summary),),
                       raw_output={"files_changed": [str(p) for p in outcome.files_changed]})
    )  # fmt: skip
    await host.workspace_changed()
    details = [d.render(session.workspace) for d in outcome.new]
    return "\n".join([summary, sites, *details])


async def _plan(host: CommandHost, target: str, new_name: str) -> tuple[LspBridge, RenamePlan]:
    from zeph_tui.core.code.rename import parse_target, plan_rename

    workspace = host.session.workspace
    try:
        path, line, column = parse_target(target)
        bridge = await host.runtime.code_intel(workspace).bridge()
        return bridge, await plan_rename(bridge, workspace / path, line, column, new_name)
    except ZephError as exc:
        raise CommandError(f"Rename failed: {exc}") from exc
    except Exception as exc:  # lsp_bridge errors (not ZephError) and OS errors
        raise CommandError(f"Rename failed: {type(exc).__name__}: {exc}") from exc


async def _allowed(host: CommandHost, call: ToolCall, plan: RenamePlan) -> bool:
    from zeph_tui.core.ports import PermissionRequest

    if host.session.mode == "bypass":
        return True
    request = PermissionRequest(call, "rename_symbol", "/rename edits files", plan.previews())
    return await host.approver.request_permission(request) in ("allow_once", "allow_always")


async def _apply(
    host: CommandHost, call_id: str, bridge: LspBridge, plan: RenamePlan
) -> RenameOutcome:
    from zeph_tui.core.code.rename import apply_rename
    from zeph_tui.core.ports import LocalFS

    session = host.session
    fs = session.fs
    writer = None if isinstance(fs, LocalFS) else fs.write_text
    try:
        return await apply_rename(bridge, plan, writer=writer, checkpoint_session=session.id)
    except ZephError as exc:
        failed = ToolCallUpdate(call_id, status="failed", content=(TextContent(str(exc)),))
        await session.sink(failed)
        raise CommandError(f"Rename failed: {exc}") from exc


async def diagnostics(host: CommandHost, argument: str) -> str:
    """``/diagnostics [PATH]``: the current merged diagnostics of PATH or of every open file.

    One ``path:line:col: severity [source/code] message`` per item with its
    source line; "No language server has reported yet" before any server ran.
    """
    from zeph_tui.core.code.render import render_diagnostics

    session = host.session
    host.show_pane("diagnostics")
    if session.code_intel is None:
        return "Language servers are off for this session ([lsp] enabled = false)."
    try:
        found = await _diagnostics_of(host, argument)
    except ZephError as exc:  # ToolError (outside the roots), CodeIntelError
        raise CommandError(f"Diagnostics failed: {exc}") from exc
    if isinstance(found, str):
        return found
    intel, bridge, items, shown, path = found
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


async def _diagnostics_of(
    host: CommandHost, argument: str
) -> str | tuple[LspCodeIntel, LspBridge, list[DiagnosticItem], str, Path | None]:
    """The diagnostics ``/diagnostics`` shows, or the reply when there are none to ask for."""
    session = host.session
    intel = host.runtime.code_intel(session.workspace)
    path = None
    shown = "the open files"
    if argument:
        path = session.roots.resolve_for_read(argument)
        shown = session.roots.display_path(path)
        if not path.is_file():
            return f"Diagnostics: file not found: {shown}"
    bridge = await intel.bridge()
    if path is not None and not intel.handles(path):
        return f"No language server handles {shown}."
    items = await intel.diagnostics(path)
    return intel, bridge, items, shown, path
