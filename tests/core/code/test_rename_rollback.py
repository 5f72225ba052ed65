"""Atomic WorkspaceEdit application: all files or none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_bridge.workspace_edit import (
    StaleEditError,
    WorkspaceEditError,
    apply_planned_edit,
    plan_workspace_edit,
)


def _edit(path: Path, line: int, start: int, end: int, text: str) -> types.TextEdit:
    rng = types.Range(types.Position(line, start), types.Position(line, end))
    return types.TextEdit(rng, text)


def _project(tmp_path: Path) -> dict[Path, str]:
    files = {
        tmp_path / "a.py": "def total():\n    return 1\n",
        tmp_path / "b.py": "from a import total\r\nprint(total())\r\n",
        tmp_path / "c.py": "# 😀 total\nx = total\n",
    }
    for path, text in files.items():
        path.write_bytes(text.encode())
    return files


def _rename_edit(files: dict[Path, str]) -> types.WorkspaceEdit:
    a, b, c = files
    return types.WorkspaceEdit(
        changes={
            a.as_uri(): [_edit(a, 0, 4, 9, "grand")],
            b.as_uri(): [_edit(b, 0, 14, 19, "grand"), _edit(b, 1, 6, 11, "grand")],
            # after the emoji (2 UTF-16 units): "# 😀 total" -> total at UTF-16 5..10
            c.as_uri(): [_edit(c, 0, 5, 10, "grand"), _edit(c, 1, 4, 9, "grand")],
        }
    )


def _snapshot(files: dict[Path, str]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in files}


async def test_applies_all_files_with_utf16_and_crlf(tmp_path: Path) -> None:
    files = _project(tmp_path)
    plan = plan_workspace_edit(_rename_edit(files))
    assert len(plan.changes) == 3
    applied = await apply_planned_edit(plan)
    assert set(applied.written) == set(files)
    a, b, c = files
    assert a.read_text() == "def grand():\n    return 1\n"
    assert b.read_bytes() == b"from a import grand\r\nprint(grand())\r\n"
    assert c.read_text(encoding="utf-8") == "# 😀 grand\nx = grand\n"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".zeph-tmp")]


async def test_read_only_file_mid_apply_rolls_back(tmp_path: Path) -> None:
    files = _project(tmp_path)
    before = _snapshot(files)
    plan = plan_workspace_edit(_rename_edit(files))
    last = plan.changes[-1].path
    seen: list[Path] = []

    def make_last_read_only(path: Path) -> None:
        seen.append(path)
        if len(seen) == 2:  # the first file is already written by now
            os.chmod(last, 0o444)

    with pytest.raises(WorkspaceEditError, match="read-only"):
        await apply_planned_edit(plan, before_replace=make_last_read_only)
    assert len(seen) == 3
    assert _snapshot(files) == before
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".zeph-tmp")]


async def test_file_changed_underneath_mid_apply_rolls_back(tmp_path: Path) -> None:
    files = _project(tmp_path)
    plan = plan_workspace_edit(_rename_edit(files))
    last = plan.changes[-1].path

    def someone_edits(path: Path) -> None:
        if path == plan.changes[1].path:
            last.write_text("# edited in the editor\n")

    with pytest.raises(StaleEditError):
        await apply_planned_edit(plan, before_replace=someone_edits)
    expected = {**_snapshot(files), last: b"# edited in the editor\n"}
    for path in files:
        if path != last:
            expected[path] = files[path].encode()
    assert _snapshot(files) == expected  # the others restored, the user's edit kept


async def test_stale_before_apply_writes_nothing(tmp_path: Path) -> None:
    files = _project(tmp_path)
    plan = plan_workspace_edit(_rename_edit(files))
    first = next(iter(files))
    first.write_text("def total():\n    return 2\n")
    snapshot = _snapshot(files)
    with pytest.raises(StaleEditError):
        await apply_planned_edit(plan)
    assert _snapshot(files) == snapshot


async def test_resource_operations_and_rollback(tmp_path: Path) -> None:
    files = _project(tmp_path)
    a, b, c = files
    moved = tmp_path / "pkg" / "grand.py"
    new_file = tmp_path / "new.py"
    edit = types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                types.OptionalVersionedTextDocumentIdentifier(a.as_uri(), None),
                [_edit(a, 0, 4, 9, "grand")],
            ),
            types.RenameFile(old_uri=a.as_uri(), new_uri=moved.as_uri()),
            types.CreateFile(uri=new_file.as_uri()),
            types.DeleteFile(uri=c.as_uri()),
            types.TextDocumentEdit(
                types.OptionalVersionedTextDocumentIdentifier(b.as_uri(), None),
                [_edit(b, 0, 5, 6, "pkg.grand")],
            ),
        ]
    )
    plan = plan_workspace_edit(edit)
    assert len(plan.operations) == 3
    before = _snapshot(files)
    os.chmod(b, 0o444)
    with pytest.raises(WorkspaceEditError):
        await apply_planned_edit(plan)
    assert _snapshot(files) == before
    assert not moved.exists() and not new_file.exists() and not moved.parent.exists()
    os.chmod(b, 0o644)
    await apply_planned_edit(plan)
    assert not a.exists() and not c.exists()
    assert moved.read_text() == "def grand():\n    return 1\n"
    assert new_file.read_text() == ""
    assert b.read_bytes().startswith(b"from pkg.grand import total")


def test_overlapping_edits_refused(tmp_path: Path) -> None:
    files = _project(tmp_path)
    a = next(iter(files))
    edit = types.WorkspaceEdit(
        changes={a.as_uri(): [_edit(a, 0, 0, 6, "x"), _edit(a, 0, 4, 9, "y")]}
    )
    with pytest.raises(WorkspaceEditError, match="overlapping"):
        plan_workspace_edit(edit)
