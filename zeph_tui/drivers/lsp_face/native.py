"""``textDocument/prepareRename`` and ``textDocument/rename`` on the LSP face (LSP 3.17 §rename).

Both go through the core flow every face uses, so the refusals are the same
words as in ``zeph-tui rename`` and the agent's tool.
``prepareRename`` answers from the local checks alone
(:func:`zeph_tui.core.code.rename.check_target`: workspace, saved buffer,
identifier, keyword, comment or string; no server round trip, so the
editor's prompt opens at once) and then sends the server's own
``prepareRename`` in the background
(:func:`~zeph_tui.core.code.rename_sync.prepare_ahead`, while the person
types the name); ``rename`` runs
:func:`~zeph_tui.core.code.rename.plan_rename`, which sends the server's
``rename`` (with its ``prepareRename`` unless the early one fits) and
refuses with the server's words when its prepare does. A refusal is a JSON-RPC error (code ``-32803`` RequestFailed) whose
message is that one line, also shown with ``window/showMessage``.

Before the edit the person sees the call sites:

- the client supports ``workspace.workspaceEdit.changeAnnotationSupport``:
  every edit is an ``AnnotatedTextEdit`` under one ``ChangeAnnotation`` with
  ``needsConfirmation: true``, labelled with the summary (the client asks);
- otherwise ``window/showMessageRequest`` with ``Apply`` / ``Cancel`` and
  the summary ``N call sites in M files: file: enclosing symbol, ...``;
  ``Cancel`` or a dismissed question answers ``null`` (nothing changes); a
  client that answers the request with an error gets the edit (the person
  typed the name in its rename prompt) and the list after.

After the reply: a ``window/showMessage`` summary and the full list of call
sites in ``window/logMessage``; then, :data:`SETTLE_S` later (the editor
writes its files first, without the servers re-analysing beside it), the
changed files' new texts are parsed in the background
(:func:`zeph_tui.core.code.call_sites.warm`) and sent to the servers. The
reply does not wait for diagnostics: the delta against the pre-rename
baseline follows later as another ``window/logMessage`` (and
``showMessage`` when something broke). Last, the changed files the editor
has written as planned are read once and stamped
(:meth:`lsp_bridge.LspBridge.observe_disk`, nothing sent): the next rename
over them finds their stamps fresh and reads nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from zeph_tui.core.code.call_sites import warm
from zeph_tui.core.code.rename import (
    RenamePlan,
    check_target,
    plan_rename,
    render_call_sites,
    summary_line,
)
from zeph_tui.core.code.rename_checks import RenameError, shown_path
from zeph_tui.core.code.rename_sync import prepare_ahead, rename_delta
from zeph_tui.drivers.lsp_face.edits import line_edits
from zeph_tui.drivers.lsp_face.server import ZephLanguageServer

__all__ = [
    "APPLY",
    "CANCEL",
    "RenameRefused",
    "ask",
    "confirmed",
    "register_native",
    "workspace_edit",
]

#: seconds between the reply and the diagnostics work (the editor applies the edit meanwhile)
SETTLE_S = 0.05
APPLY = "Apply"
CANCEL = "Cancel"
_ANNOTATION = "zeph.rename"

log = logging.getLogger(__name__)


class RenameRefused(JsonRpcException):
    """A refused rename: LSP ``RequestFailed`` with the refusal as its message."""

    CODE = -32803


def _refuse(ls: ZephLanguageServer, exc: Exception) -> RenameRefused:
    ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, str(exc)))
    return RenameRefused(str(exc))


def _annotations_supported(ls: ZephLanguageServer) -> bool:
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace is not None else None
    return edit is not None and edit.change_annotation_support is not None


def check_buffers(ls: ZephLanguageServer, plan: RenamePlan) -> None:
    """Refuse file operations and open buffers that differ from the disk the plan read.

    Raises:
        RenameError: ``<file> has unsaved changes: save the file first`` or
            the rename moves or creates files.
    """
    if plan.edit.operations:
        raise RenameError("the rename moves or creates files; run `zeph-tui rename` instead")
    for change in plan.edit.changes:
        text = ls.buffer_text(change.path.as_uri())
        if text is not None and text != change.old_text:
            shown = shown_path(change.path, plan.root)
            raise RenameError(f"{shown} has unsaved changes: save the file first")


def workspace_edit(
    ls: ZephLanguageServer, plan: RenamePlan, *, annotate: bool = False
) -> types.WorkspaceEdit:
    """The plan as ``TextDocumentEdit``s versioned with the editor's documents.

    The server's own text edits are passed on when the editor speaks its
    units (UTF-16, the default encoding): nothing is recomputed. Otherwise
    each file gets whole-line edits (:func:`~.edits.line_edits`), which any
    position encoding takes. With ``annotate`` every edit carries one
    ``ChangeAnnotation`` needing confirmation (LSP 3.16 §ChangeAnnotation),
    labelled with the summary.
    """
    passed = _server_edits(ls, plan)
    changes: list[types.TextDocumentEdit] = []
    for change in plan.edit.changes:
        uri = change.path.as_uri()
        doc = ls.workspace.text_documents.get(uri)
        version = doc.version if doc is not None else None
        edits: Sequence[types.TextEdit] | None = passed.get(uri) if passed is not None else None
        if edits is None:
            units = ls.workspace.position_codec.client_num_units
            edits = line_edits(change.old_text or "", change.new_text or "", units)
        out: list[types.TextEdit | types.AnnotatedTextEdit] = list(edits)
        if annotate:
            out = [types.AnnotatedTextEdit(_ANNOTATION, e.range, e.new_text) for e in edits]
        ident = types.OptionalVersionedTextDocumentIdentifier(uri, version)
        changes.append(types.TextDocumentEdit(ident, out))  # type: ignore[arg-type]
    if not annotate:
        return types.WorkspaceEdit(document_changes=changes)  # type: ignore[arg-type]
    note = types.ChangeAnnotation(
        label=f"Rename {plan.old_name} to {plan.new_name}",
        needs_confirmation=True,
        description=summary_line(plan),
    )
    return types.WorkspaceEdit(document_changes=changes, change_annotations={_ANNOTATION: note})  # type: ignore[arg-type]


def _server_edits(
    ls: ZephLanguageServer, plan: RenamePlan
) -> dict[str, Sequence[types.TextEdit]] | None:
    """The server's text edits by URI when they can go to the editor as they are, else ``None``.

    They can when the editor negotiated UTF-16 (the servers behind speak it)
    and the edit holds only plain text edits (no snippets, no file operations).
    """
    edit = plan.server_edit
    encoding = ls.workspace.position_codec.encoding
    if edit is None or encoding not in (None, types.PositionEncodingKind.Utf16):
        return None
    found: dict[str, Sequence[types.TextEdit]] = {}
    if edit.document_changes:
        for change in edit.document_changes:
            if not isinstance(change, types.TextDocumentEdit):
                return None
            if not all(type(e) is types.TextEdit for e in change.edits):
                return None
            found.setdefault(change.text_document.uri, [])
            found[change.text_document.uri] = [*found[change.text_document.uri], *change.edits]  # type: ignore[list-item]
    else:
        found = {uri: list(edits) for uri, edits in (edit.changes or {}).items()}
    return found


def ask(ls: ZephLanguageServer, plan: RenamePlan) -> asyncio.Future[Any]:
    """Send ``Apply`` / ``Cancel`` with the summary; the answer's future (see :func:`confirmed`).

    The request goes out at once, so the face builds the edit while the
    person (or the client) answers.
    """
    params = types.ShowMessageRequestParams(
        types.MessageType.Info,
        f"Rename {plan.old_name} to {plan.new_name}? {summary_line(plan)}",
        [types.MessageActionItem(APPLY), types.MessageActionItem(CANCEL)],
    )
    future: asyncio.Future[Any] = ls.protocol.send_request_async(
        types.WINDOW_SHOW_MESSAGE_REQUEST, params
    )
    return future


async def confirmed(answer: Awaitable[Any]) -> bool:
    """The person's answer to :func:`ask`.

    Returns:
        ``True`` for ``Apply``; ``False`` for ``Cancel`` or a dismissed
        question; ``True`` when the client answers the request with an error
        (it cannot show one, e.g. Helix): the person typed the new name in
        the editor's own rename prompt, and the list follows after the edit.
    """
    try:
        reply = await answer
    except JsonRpcException as exc:  # the client cannot show it
        log.info("showMessageRequest failed (%s): applying, list after", exc)
        return True
    return reply is not None and reply.title == APPLY


def after_reply(ls: ZephLanguageServer, plan: RenamePlan) -> None:
    """The summary and the full list (built and sent after the reply), then the diagnostics delta."""
    ls.owned(_after(ls, plan))


async def _after(ls: ZephLanguageServer, plan: RenamePlan) -> None:
    for _ in range(3):  # let the reply go out first (it is sent from a done-callback)
        await asyncio.sleep(0)
    summary = (
        f"Renamed {plan.old_name} to {plan.new_name}: {summary_line(plan)}; "
        f"{len(plan.files)} file(s) edited (full list in the log)."
    )
    ls.tell(types.MessageType.Info, summary, log_too=render_call_sites(plan))
    await asyncio.sleep(SETTLE_S)
    changed = [(c.path, c.new_text) for c in plan.edit.changes if c.new_text is not None]
    await asyncio.to_thread(warm, changed)  # the next rename over these files parses nothing
    bridge = ls.bridge()
    new, _fixed, texts = await rename_delta(bridge, plan.edit, (plan.old_name, plan.new_name))
    head = f"diagnostics after renaming {plan.old_name} to {plan.new_name}: {len(new)} new"
    errors = [d for d in new if d.severity == "error"]
    if errors:
        ls.tell(
            types.MessageType.Warning, f"{head} ({len(errors)} errors)", log_too="\n".join(texts)
        )
    else:
        ls.window_log_message(types.LogMessageParams(types.MessageType.Log, head))
    bridge.observe_disk([path for path, _ in changed])  # the next rename reads none of them


def _target_range(
    ls: ZephLanguageServer, uri: str, line: int, col: int, end_col: int
) -> types.Range:
    lines = ls.workspace.get_text_document(uri).lines
    rng = types.Range(types.Position(line - 1, col - 1), types.Position(line - 1, end_col - 1))
    return ls.workspace.position_codec.range_to_client_units(lines, rng)


def register_native(server: ZephLanguageServer) -> None:
    """Register ``prepareRename`` and ``rename`` (with ``prepareProvider``) on ``server``."""

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def _prepare(
        ls: ZephLanguageServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder:
        uri = params.text_document.uri
        path, line, column, _name = ls.point(uri, params.position)
        try:
            target = await check_target(
                ls.bridge(), path, line, column, buffer_text=ls.buffer_text(uri)
            )
        except RenameError as exc:
            raise _refuse(ls, exc) from exc
        where = target.location
        ls.owned(prepare_ahead(ls.bridge(), where.path, line, column))  # while the person types
        rng = _target_range(ls, uri, where.line, where.col, where.end_col)
        return types.PrepareRenamePlaceholder(rng, target.placeholder)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    async def _rename(
        ls: ZephLanguageServer, params: types.RenameParams
    ) -> types.WorkspaceEdit | None:
        uri = params.text_document.uri
        path, line, column, _name = ls.point(uri, params.position)
        try:
            plan = await plan_rename(
                ls.bridge(), path, line, column, params.new_name, buffer_text=ls.buffer_text(uri)
            )
            check_buffers(ls, plan)
        except RenameError as exc:
            raise _refuse(ls, exc) from exc
        annotate = _annotations_supported(ls)
        answer = None if annotate else ask(ls, plan)
        edit = workspace_edit(ls, plan, annotate=annotate)  # while the client answers
        if answer is not None and not await confirmed(answer):
            ls.tell(types.MessageType.Info, f"rename of {plan.old_name} cancelled: nothing changed")
            return None
        after_reply(ls, plan)
        return edit
