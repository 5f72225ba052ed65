"""Every refusal of the native rename, through ``zeph-tui lsp`` and a real LSP client.

Each answer is a JSON-RPC error (RequestFailed, -32803) whose message is the
exact line, also shown with ``window/showMessage``. Name checks happen before
any language server is asked (no Apply/Cancel question, no edit).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from lsp_bridge.navigation import path_from_uri
from lsp_bridge.workspace_edit import apply_text_edits
from tests.faces.lsp.face_client import FaceClient
from tests.paths import TESTS


@pytest.fixture
async def face(tmp_path: Path) -> AsyncIterator[FaceClient]:
    root = (tmp_path / "pyproj").resolve()
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    client = FaceClient(root)
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


async def _refused(call: object) -> str:
    with pytest.raises(JsonRpcException) as caught:
        await call  # type: ignore[misc]
    assert caught.value.code == -32803
    return str(caught.value.message)


def _pricing(face: FaceClient) -> str:
    return face.open(face.root / "shop/pricing.py")


async def test_prepare_refuses_a_keyword(face: FaceClient) -> None:
    uri = _pricing(face)
    message = await _refused(face.prepare(uri, 3, 1))  # on `def`
    assert message == "nothing to rename at shop/pricing.py:4:2: 'def' is a Python keyword"
    assert face.messages[-1] == message


async def test_prepare_refuses_the_space_after_def(face: FaceClient) -> None:
    uri = _pricing(face)
    message = await _refused(face.prepare(uri, 3, 3))  # `def| total`
    assert message == (
        "nothing to rename at shop/pricing.py:4:4: the cursor is not on an identifier"
    )


async def test_rename_refuses_keyword_new_name(face: FaceClient) -> None:
    uri = _pricing(face)
    message = await _refused(face.rename(uri, 3, 4, "class"))
    assert message == "'class' is a Python keyword, not a valid new name"
    assert face.requests == []  # never got as far as the Apply/Cancel question


async def test_rename_refuses_whitespace_in_new_name(face: FaceClient) -> None:
    uri = _pricing(face)
    message = await _refused(face.rename(uri, 3, 4, "a b"))
    assert message == "'a b' is not a valid Python identifier"


async def test_rename_refuses_non_identifier_new_name(face: FaceClient) -> None:
    uri = _pricing(face)
    message = await _refused(face.rename(uri, 3, 4, "1x"))
    assert message == "'1x' is not a valid Python identifier"


async def test_rename_accepts_a_unicode_identifier(face: FaceClient) -> None:
    uri = _pricing(face)
    placeholder = await face.prepare(uri, 3, 4)
    assert placeholder.placeholder == "total"
    face.answer = "Cancel"
    assert await face.rename(uri, 3, 4, "ñame_ok") is None  # asked, then cancelled
    assert face.requests[0].startswith("Rename total to ñame_ok? 4 call sites in 4 files: ")
    face.answer = "Apply"
    edit = await face.rename(uri, 3, 4, "ñame_ok")
    texts = [  # the files as the edit leaves them (the face passes the server's edits on)
        apply_text_edits(path_from_uri(change.text_document.uri).read_text(), change.edits)
        for change in edit.document_changes
    ]
    assert any("def ñame_ok(items: list[float]) -> float:" in t for t in texts)


async def test_prepare_refuses_a_stale_buffer(face: FaceClient) -> None:
    path = face.root / "shop/pricing.py"
    moved = "\n\n" + path.read_text()  # unsaved: the lines moved down by two
    uri = face.open(path, moved)
    message = await _refused(face.prepare(uri, 5, 4))
    assert message == "shop/pricing.py has unsaved changes: save the file first"
    assert await _refused(face.rename(uri, 5, 4, "grand_total")) == message


async def test_prepare_refuses_a_file_outside_the_workspace(face: FaceClient) -> None:
    outside = face.root.parent / "outside.py"
    outside.write_text("def total() -> int:\n    return 1\n")
    uri = face.open(outside)
    message = await _refused(face.prepare(uri, 0, 4))
    assert message == (
        f"{outside} is outside the workspace {face.root}; "
        "open the file from a workspace that contains it"
    )
