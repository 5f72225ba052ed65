"""The pygls server of ``zeph-tui lsp``: rename with call sites as a code action.

Attach it to an editor next to the language's usual server. Features (LSP 3.17):

- ``textDocument/codeAction``: at an identifier, one action of kind
  ``refactor.rename`` titled ``Rename 'NAME' with call sites (zeph)``, whose
  command is ``zeph.renameWithCallSites``.
- ``workspace/executeCommand`` ``zeph.renameWithCallSites`` with arguments
  ``[uri, position, newName]`` (``position`` is the LSP ``{line, character}``,
  0-based, in the negotiated encoding). Without ``newName`` (the code action
  leaves it out) the face asks with ``window/showMessageRequest`` offering
  ``NAME_renamed`` or ``Cancel``; clients that cannot answer cancel.
  The real server behind (through :mod:`lsp_bridge`) computes the rename; the
  edit goes to the editor with ``workspace/applyEdit`` (whole-line edits, so
  any position encoding works), the call sites as a ``window/showMessage``
  summary and a ``window/logMessage`` list. The command returns
  ``{"applied": bool, "call_sites": [...], "files_changed": [...]}``.

Buffers with unsaved changes that the rename touches are refused (the
server behind reads the disk): save first. Resource operations (file
renames) are refused here; use ``zeph-tui rename``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lsp_bridge import LspBridge
from lsp_bridge.navigation import identifier_at, path_from_uri
from zeph_tui.core import RenamePlan, ZephError, plan_rename, render_call_sites
from zeph_tui.core.config import DIAGNOSTICS_TIMEOUT_S
from zeph_tui.drivers.lsp_face.edits import line_edits

__all__ = ["COMMAND", "ZephLanguageServer", "build_server"]

COMMAND = "zeph.renameWithCallSites"
KIND = "refactor.rename"  # CodeActionKind.RefactorRename (LSP 3.18), a plain string in 3.17

log = logging.getLogger(__name__)


class ZephLanguageServer(LanguageServer):
    """pygls server owning one :class:`~lsp_bridge.LspBridge` for the workspace.

    Args:
        workspace: fixed root, or ``None`` to take the client's root at initialize.
    """

    def __init__(self, workspace: Path | None, diagnostics_timeout_s: float) -> None:
        from zeph_tui import __version__

        super().__init__("zeph-tui", __version__)
        self.fixed_root = workspace
        self.diagnostics_timeout_s = diagnostics_timeout_s
        self._bridge: LspBridge | None = None

    def root(self) -> Path:
        if self.fixed_root is not None:
            return self.fixed_root
        root = self.workspace.root_path
        return Path(root).resolve() if root else Path.cwd()

    def bridge(self) -> LspBridge:
        """The bridge to the real servers, created on first use."""
        if self._bridge is None:
            self._bridge = LspBridge(self.root(), diagnostics_timeout_s=self.diagnostics_timeout_s)
        return self._bridge

    async def close_bridge(self) -> None:
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            await bridge.aclose()

    def point(self, uri: str, position: types.Position) -> tuple[Path, int, int, str]:
        """``(path, line, column, identifier)``: 1-based, column in code points."""
        doc = self.workspace.get_text_document(uri)
        lines = doc.lines
        server_pos = self.workspace.position_codec.position_from_client_units(lines, position)
        line_text = lines[server_pos.line].rstrip("\r\n") if server_pos.line < len(lines) else ""
        span = identifier_at(line_text, server_pos.character)
        name = line_text[span[0] : span[1]] if span else ""
        return path_from_uri(uri), server_pos.line + 1, server_pos.character + 1, name


def _code_actions(ls: ZephLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    if params.context.only and not any(KIND.startswith(k) for k in params.context.only):
        return []
    uri = params.text_document.uri
    start = params.range.start
    _path, _line, _col, name = ls.point(uri, start)
    if not name or name[0].isdigit():
        return []
    title = f"Rename '{name}' with call sites (zeph)"
    position = {"line": start.line, "character": start.character}
    command = types.Command(title=title, command=COMMAND, arguments=[uri, position])
    return [types.CodeAction(title, kind=KIND, command=command)]


async def _ask_name(ls: ZephLanguageServer, name: str, count: int) -> str | None:
    default = f"{name}_renamed"
    params = types.ShowMessageRequestParams(
        types.MessageType.Info,
        f"Rename '{name}' ({count} call site(s))? Pass newName as the 3rd argument "
        f"of {COMMAND} to choose the name.",
        [types.MessageActionItem(default), types.MessageActionItem("Cancel")],
    )
    try:
        answer = await ls.window_show_message_request_async(params)
    except Exception as exc:  # the client cannot show it
        log.info("showMessageRequest failed: %s", exc)
        return None
    return default if answer is not None and answer.title == default else None


def _refuse_unsaved(ls: ZephLanguageServer, plan: RenamePlan) -> str | None:
    if plan.edit.operations:
        return "the rename moves or creates files; run `zeph-tui rename` instead"
    for change in plan.edit.changes:
        doc = ls.workspace.text_documents.get(change.path.as_uri())
        if doc is not None and doc.source != change.old_text:
            return f"{change.path.name} has unsaved changes; save it and try again"
    return None


def _workspace_edit(ls: ZephLanguageServer, plan: RenamePlan) -> types.WorkspaceEdit:
    codec = ls.workspace.position_codec
    changes: list[types.TextDocumentEdit] = []
    for change in plan.edit.changes:
        uri = change.path.as_uri()
        doc = ls.workspace.text_documents.get(uri)
        version = doc.version if doc is not None else None
        edits = line_edits(change.old_text or "", change.new_text or "", codec.client_num_units)
        ident = types.OptionalVersionedTextDocumentIdentifier(uri, version)
        changes.append(types.TextDocumentEdit(ident, list(edits)))
    return types.WorkspaceEdit(document_changes=changes)


async def rename_with_call_sites(ls: ZephLanguageServer, *args: Any) -> dict[str, Any]:
    """``zeph.renameWithCallSites(uri, position, newName?)``; see the module docstring."""
    if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
        raise ValueError(f"{COMMAND} takes [uri, position, newName?]")
    uri, raw = args[0], args[1]
    position = types.Position(int(raw["line"]), int(raw["character"]))
    path, line, column, name = ls.point(uri, position)
    new_name = args[2] if len(args) > 2 and isinstance(args[2], str) and args[2] else None
    bridge = ls.bridge()
    try:
        plan = await plan_rename(bridge, path, line, column, new_name or f"{name}_renamed")
        if new_name is None:
            new_name = await _ask_name(ls, plan.old_name, len(plan.call_sites))
            if new_name is None:
                return {"applied": False, "call_sites": [], "files_changed": []}
            if new_name != plan.new_name:
                plan = await plan_rename(bridge, path, line, column, new_name)
    except ZephError as exc:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, str(exc)))
        return {"applied": False, "error": str(exc), "call_sites": [], "files_changed": []}
    refusal = _refuse_unsaved(ls, plan)
    if refusal is not None:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, refusal))
        return {"applied": False, "error": refusal, "call_sites": [], "files_changed": []}
    sites = render_call_sites(plan)
    ls.window_log_message(types.LogMessageParams(types.MessageType.Log, sites))
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(_workspace_edit(ls, plan), label=f"Rename {name}")
    )
    files = [str(p) for p in plan.files]
    if not result.applied:
        reason = result.failure_reason or "the editor did not apply the edit"
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Warning, reason))
        return {"applied": False, "error": reason, "call_sites": [], "files_changed": []}
    for change in plan.edit.changes:  # the server behind sees what the editor now has
        await bridge.open_or_change(change.path, change.new_text or "", save=False)
    summary = (
        f"Renamed {plan.old_name} to {plan.new_name}: {len(plan.call_sites)} call site(s) "
        f"in {len(plan.grouped())} file(s), {len(files)} file(s) edited (see the log)."
    )
    ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, summary))
    return {
        "applied": True,
        "call_sites": [s.to_json() for s in plan.call_sites],
        "files_changed": files,
    }


def build_server(
    workspace: Path | None, diagnostics_timeout_s: float = DIAGNOSTICS_TIMEOUT_S
) -> ZephLanguageServer:
    """The configured server (features registered), not started.

    ``diagnostics_timeout_s``: ``[lsp] diagnostics_timeout_s`` of the settings.
    """
    server = ZephLanguageServer(workspace, diagnostics_timeout_s)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[KIND])
    )(_code_actions)
    server.command(COMMAND)(rename_with_call_sites)

    @server.feature(types.SHUTDOWN)
    async def _shutdown(ls: ZephLanguageServer, params: Any) -> None:
        await ls.close_bridge()

    return server
