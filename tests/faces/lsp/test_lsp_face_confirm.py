"""How ``zeph-tui lsp`` shows the call sites before the edit, per client capability."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsprotocol import types

from tests.faces.lsp.face_client import FaceClient
from tests.paths import TESTS

SUMMARY = (
    "4 call sites in 4 files: shop/__init__.py: <module>; shop/cli.py: main; "
    "shop/pricing.py: Cart.add; shop/report.py: Report.render "
    "(and 2 imports: shop/__init__.py, shop/report.py)"
)


def _project(tmp_path: Path) -> Path:
    root = (tmp_path / "pyproj").resolve()
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    return root


async def test_change_annotations_need_confirmation(tmp_path: Path) -> None:
    face = FaceClient(_project(tmp_path), annotations=True)
    await face.start()
    try:
        uri = face.open(face.root / "shop/pricing.py")
        edit = await face.rename(uri, 3, 4, "grand_total")
        await face.wait_log("rename 'total' -> 'grand_total'")
    finally:
        await face.stop()
    assert face.requests == []  # the client asks, from the annotation
    note = edit.change_annotations["zeph.rename"]
    assert note.needs_confirmation is True
    assert note.label == "Rename total to grand_total"
    assert note.description == SUMMARY
    edits = [e for change in edit.document_changes for e in change.edits]
    assert edits and all(isinstance(e, types.AnnotatedTextEdit) for e in edits)
    assert {e.annotation_id for e in edits} == {"zeph.rename"}


async def test_cancel_changes_nothing_and_a_client_that_cannot_ask_gets_the_edit(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    face = FaceClient(root)
    await face.start()
    try:
        uri = face.open(root / "shop/pricing.py")
        face.answer = "Cancel"
        assert await face.rename(uri, 3, 4, "grand_total") is None
        assert face.requests == [f"Rename total to grand_total? {SUMMARY}"]
        assert face.messages[-1] == "rename of total cancelled: nothing changed"
    finally:
        await face.stop()
    mute = FaceClient(root, asks=False)  # answers showMessageRequest with an error
    await mute.start()
    try:
        uri = mute.open(root / "shop/pricing.py")
        edit = await mute.rename(uri, 3, 4, "grand_total")
        await mute.wait_log("rename 'total' -> 'grand_total'")
    finally:
        await mute.stop()
    assert len(edit.document_changes) == 4
    assert any(m.startswith("Renamed total to grand_total: 4 call sites") for m in mute.messages)


async def test_code_action_command_never_invents_a_name(tmp_path: Path) -> None:
    from zeph_tui.drivers.lsp_face.actions import COMMAND, NO_NAME

    root = _project(tmp_path)
    face = FaceClient(root)
    await face.start()
    try:
        uri = face.open(root / "shop/pricing.py")
        params = types.ExecuteCommandParams(COMMAND, [uri, {"line": 3, "character": 4}])
        result = await face.client.workspace_execute_command_async(params)
    finally:
        await face.stop()
    assert result["applied"] is False
    assert result["error"] == NO_NAME
    assert face.messages == [NO_NAME]
    assert face.requests == []
    assert "def total(items" in (root / "shop/pricing.py").read_text()
