"""The ``refactor.rename`` code action and its ``zeph.renameWithCallSites`` command.

For clients that prefer a code action to their native rename:

- ``textDocument/codeAction`` at an identifier offers one action of kind
  ``refactor.rename`` titled ``Rename 'NAME' with call sites (zeph)`` whose
  command is ``zeph.renameWithCallSites`` with arguments ``[uri, position]``
  (``position`` is the LSP ``{line, character}``, 0-based, negotiated units).
- ``workspace/executeCommand`` ``zeph.renameWithCallSites`` with
  ``[uri, position, newName]``. The face never invents a name: without
  ``newName`` it answers with an error saying so. A client adds the name
  itself: in Neovim a ``vim.lsp.commands["zeph.renameWithCallSites"]``
  handler that prompts with ``vim.ui.input`` and sends the command with the
  name appended (README, "Neovim"); Helix users take the native path
  (``space r``), which prompts for the name.

The command plans with the same core flow as the native rename, asks
``Apply`` / ``Cancel`` with the call sites (``window/showMessageRequest``),
sends ``workspace/applyEdit`` and returns
``{"applied": bool, "call_sites": [...], "files_changed": [...], "error"?: str}``.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from zeph_tui.core.code.rename import plan_rename
from zeph_tui.core.code.rename_checks import RenameError
from zeph_tui.drivers.lsp_face.native import (
    after_reply,
    ask,
    check_buffers,
    confirmed,
    workspace_edit,
)
from zeph_tui.drivers.lsp_face.server import ZephLanguageServer

__all__ = ["COMMAND", "KIND", "NO_NAME", "register_actions", "rename_with_call_sites"]

COMMAND = "zeph.renameWithCallSites"
KIND = "refactor.rename"  # CodeActionKind.RefactorRename (LSP 3.18), a plain string in 3.17
NO_NAME = (
    f"{COMMAND} needs the new name as its 3rd argument; use your editor's rename "
    "(textDocument/rename) or a client-side command that prompts for it"
)


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


def _failed(ls: ZephLanguageServer, reason: str) -> dict[str, Any]:
    ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, reason))
    return {"applied": False, "error": reason, "call_sites": [], "files_changed": []}


async def rename_with_call_sites(ls: ZephLanguageServer, *args: Any) -> dict[str, Any]:
    """``zeph.renameWithCallSites(uri, position, newName)``; see the module docstring."""
    if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], dict):
        raise ValueError(f"{COMMAND} takes [uri, position, newName]")
    uri, raw = args[0], args[1]
    new_name = args[2] if len(args) > 2 and isinstance(args[2], str) and args[2] else None
    if new_name is None:
        return _failed(ls, NO_NAME)
    position = types.Position(int(raw["line"]), int(raw["character"]))
    path, line, column, _name = ls.point(uri, position)
    try:
        plan = await plan_rename(
            ls.bridge(), path, line, column, new_name, buffer_text=ls.buffer_text(uri)
        )
        check_buffers(ls, plan)
    except RenameError as exc:
        return _failed(ls, str(exc))
    if not await confirmed(ask(ls, plan)):
        return _failed(ls, f"rename of {plan.old_name} cancelled: nothing changed")
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(workspace_edit(ls, plan), label=f"Rename {plan.old_name}")
    )
    if not result.applied:
        return _failed(ls, result.failure_reason or "the editor did not apply the edit")
    after_reply(ls, plan)
    return {
        "applied": True,
        "call_sites": [s.to_json() for s in plan.call_sites],
        "files_changed": [str(p) for p in plan.files],
    }


def register_actions(server: ZephLanguageServer) -> None:
    """Register the code action and its command on ``server``."""
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[KIND])
    )(_code_actions)
    server.command(COMMAND)(rename_with_call_sites)
