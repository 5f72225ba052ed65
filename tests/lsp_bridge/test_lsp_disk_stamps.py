"""``sync_from_disk`` reads a file again only when its disk stamp or document version moved.

A fake server records every notification it gets: a second sync of files
nobody touched sends nothing; a change on disk of the same size, a deleted
file and an unsaved buffer that differs from the disk are still caught.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lsp_bridge import LspBridge
from tests.lsp_bridge.test_lsp_faults import fake


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "notifications.log"
    log.write_text("")
    monkeypatch.setenv("ZEPH_FAKE_RECORD", str(log))
    return log


def _sent(log: Path, start: int) -> list[str]:
    return [line for line in log.read_text().splitlines()[start:] if "barrier" not in line]


async def _barrier(bridge: LspBridge) -> None:
    """Returns once the server has handled (and recorded) everything sent before."""
    path = bridge.root / "barrier.py"
    await bridge.open_or_change(path, f"n = {os.urandom(4).hex()!r}\n")


async def test_untouched_files_are_not_sent_again(tmp_path: Path, record: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("y = 2\n")
    async with LspBridge(tmp_path, [fake("empty-first")], diagnostics_timeout_s=5) as bridge:
        await bridge.open_or_change(a, a.read_text(), save=False)
        mark = len(_sent(record, 0))
        assert await bridge.sync_from_disk([a, b]) == []
        await _barrier(bridge)
        first = _sent(record, mark)
        assert first == [f"workspace/didChangeWatchedFiles {b.as_uri()}"]  # a: same text
        mark += len(first)
        assert await bridge.sync_from_disk([a, b]) == []
        assert await bridge.sync_from_disk([b, a]) == []
        await _barrier(bridge)
        assert _sent(record, mark) == []


async def test_a_same_size_change_on_disk_is_sent(tmp_path: Path, record: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    async with LspBridge(tmp_path, [fake("empty-first")], diagnostics_timeout_s=5) as bridge:
        await bridge.open_or_change(a, a.read_text(), save=False)
        await bridge.sync_from_disk([a])
        mark = len(_sent(record, 0))
        stat = a.stat()
        a.write_text("x = 2\n")  # same size; a distinct stamp even on a coarse clock
        os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        reports = await bridge.sync_from_disk([a])
        assert [r.path for r in reports] == [a]
        assert f"textDocument/didChange {a.as_uri()}" in _sent(record, mark)
        a.unlink()
        mark = len(_sent(record, 0))
        await bridge.sync_from_disk([a])
        await _barrier(bridge)
        assert _sent(record, mark)[:2] == [
            f"workspace/didChangeWatchedFiles {a.as_uri()}",
            f"textDocument/didClose {a.as_uri()}",
        ]


async def test_a_buffer_sent_since_is_brought_back_to_the_disk(
    tmp_path: Path, record: Path
) -> None:
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    async with LspBridge(tmp_path, [fake("empty-first")], diagnostics_timeout_s=5) as bridge:
        await bridge.open_or_change(a, a.read_text(), save=False)
        await bridge.sync_from_disk([a])
        await bridge.open_or_change(a, "x = 1  # not saved\n", save=False)  # disk unchanged
        mark = len(_sent(record, 0))
        reports = await bridge.sync_from_disk([a])
        assert [r.path for r in reports] == [a]
        assert f"textDocument/didChange {a.as_uri()}" in _sent(record, mark)


async def test_sync_without_wait_sends_and_forgets_the_diagnostics(
    tmp_path: Path, record: Path
) -> None:
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    # declared quirky: the next wait does not depend on the bridge having learnt the quirk
    quirky = fake("empty-first", empty_first_publish=True)
    async with LspBridge(tmp_path, [quirky], diagnostics_timeout_s=5) as bridge:
        await bridge.open_or_change(a, a.read_text(), save=False)
        assert bridge.answered(a) == {"fake-empty-first"}
        a.write_text("x = 2\n")
        mark = len(_sent(record, 0))
        assert await bridge.sync_from_disk([a], wait=False) == []  # no report: not waited for
        await _barrier(bridge)
        assert _sent(record, mark) == [
            f"workspace/didChangeWatchedFiles {a.as_uri()}",
            f"textDocument/didChange {a.as_uri()}",
            f"textDocument/didSave {a.as_uri()}",
        ]
        assert bridge.answered(a) == frozenset()  # unknown until the next open_or_change
        report = await bridge.open_or_change(a, a.read_text(), save=False)
        assert bridge.answered(a) == {"fake-empty-first"}
        assert [d.message for d in report.current] == ["real diagnostic v3"]


async def test_disk_texts_are_exact_and_plan_the_same_edit(tmp_path: Path, record: Path) -> None:
    """The texts the last sync saw (CRLF kept) plan exactly what a fresh read plans."""
    from lsp_bridge.workspace_edit import StaleEditError, apply_planned_edit, plan_workspace_edit
    from tests.core.code.test_rename_rollback import _project, _rename_edit

    files = _project(tmp_path)
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"x = '\xff'\n")
    async with LspBridge(tmp_path, [fake("empty-first")], diagnostics_timeout_s=5) as bridge:
        await bridge.sync_from_disk([*files, bad])
        known = dict(bridge.disk_texts())
        assert known == files  # exact text; the undecodable file is left out
        edit = _rename_edit(files)
        assert plan_workspace_edit(edit, known) == plan_workspace_edit(edit)
        b = list(files)[1]
        b.write_bytes(b"from a import total\r\nprint(total(1))\r\n")
        await bridge.sync_from_disk(files)
        assert bridge.disk_texts()[b] == "from a import total\r\nprint(total(1))\r\n"
        assert bridge.disk_text(b) == "from a import total\r\nprint(total(1))\r\n"
        assert bridge.disk_text(bad) is None  # not exact UTF-8: the caller reads it
        b.write_text("print(1)\n")
        assert bridge.disk_text(b) is None  # the stamp moved: not the kept text
        with pytest.raises(StaleEditError):  # planned on the text the sync saw before
            await apply_planned_edit(plan_workspace_edit(edit, known))


async def test_observe_stamps_only_files_written_as_the_servers_have_them(
    tmp_path: Path, record: Path
) -> None:
    """After a rename the editor writes: observed files are fresh, others still re-sent."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    for path in (a, b):
        path.write_text("x = 1\n")
    async with LspBridge(tmp_path, [fake("empty-first")], diagnostics_timeout_s=5) as bridge:
        for path in (a, b):
            await bridge.open_or_change(path, "x = 1\n", save=False)
        await bridge.sync_from_disk([a, b])
        for path in (a, b):
            await bridge.open_or_change(path, "y = 1\n", save=True)  # the rename's new text
        a.write_text("y = 1\n")  # written as planned
        b.write_text("z = 1\n")  # written otherwise
        bridge.observe_disk([a, b])
        stat = a.stat()  # proof that a is not read again: other text at the same stamp
        a.write_text("q = 1\n")
        os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        await _barrier(bridge)
        mark = len(_sent(record, 0))
        await bridge.sync_from_disk([a, b], wait=False)
        assert bridge.disk_texts()[a] == "y = 1\n"
        await _barrier(bridge)
        assert f"textDocument/didChange {b.as_uri()}" in _sent(record, mark)
        assert not any(a.as_uri() in line for line in _sent(record, mark))
