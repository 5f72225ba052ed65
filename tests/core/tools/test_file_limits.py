"""Large and odd files: edit refused with sizes, read streamed, grep and glob say what they skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zeph_tui.core.errors import ToolError
from zeph_tui.core.tools.base import ToolContext
from zeph_tui.core.tools.files import MAX_EDIT_BYTES, EditFile, ReadFile, WriteFile
from zeph_tui.core.tools.search import MAX_GREP_FILE_BYTES, Glob, Grep


def _big_text_file(path: Path, min_bytes: int) -> int:
    """Numbered lines until the file is larger than ``min_bytes``; returns the line count."""
    line_count = min_bytes // 20 + 1000
    with path.open("w") as f:
        f.writelines(f"line {n:012d} x\n" for n in range(1, line_count + 1))
    assert path.stat().st_size > min_bytes
    return line_count


async def test_edit_of_a_file_over_the_limit_is_refused_with_size_and_limit(
    ctx: ToolContext,
) -> None:
    big = ctx.workspace / "big.log"
    with big.open("wb") as f:  # sparse: 200 MiB on paper, nothing on disk
        f.truncate(200 * 1024 * 1024)
    with pytest.raises(ToolError) as err:
        await EditFile().run({"path": "big.log", "old_string": "a", "new_string": "b"}, ctx)
    message = str(err.value)
    assert "big.log is 200.0 MiB (209715200 bytes)" in message
    assert f"limit of 8.0 MiB ({MAX_EDIT_BYTES} bytes)" in message
    assert "sed" in message


async def test_read_of_a_large_file_streams_the_asked_lines(ctx: ToolContext) -> None:
    total = _big_text_file(ctx.workspace / "big.txt", MAX_EDIT_BYTES)
    result = await ReadFile().run({"path": "big.txt", "offset": 400_000, "limit": 2}, ctx)
    lines = result.text.splitlines()
    assert lines[0].endswith("\tline 000000400000 x")
    assert lines[1].endswith("\tline 000000400001 x")
    assert lines[2] == f"[lines 400000-400001 of {total}; read more with offset=400002]"


async def test_write_over_a_large_file_says_the_old_content_was_not_diffed(
    ctx: ToolContext,
) -> None:
    _big_text_file(ctx.workspace / "big.txt", MAX_EDIT_BYTES)
    result = await WriteFile().run({"path": "big.txt", "content": "small\n"}, ctx)
    assert "Wrote big.txt (6 bytes" in result.text
    assert "too large to diff" in result.text
    assert (ctx.workspace / "big.txt").read_text() == "small\n"


async def test_grep_names_each_skipped_file_and_why(ctx: ToolContext) -> None:
    ws = ctx.workspace
    (ws / "a.py").write_text("needle = 1\n")
    with (ws / "huge.log").open("wb") as f:
        f.truncate(MAX_GREP_FILE_BYTES + 1)
    (ws / "blob.bin").write_bytes(b"needle\0\1\2")
    os.symlink("loop", ws / "loop")
    result = await Grep().run({"pattern": "needle"}, ctx)
    text = result.text
    assert text.splitlines()[0] == "a.py:1: needle = 1"
    assert "[skipped 3:" in text
    assert f"huge.log: 2.0 MiB ({MAX_GREP_FILE_BYTES + 1} bytes) is over grep's" in text
    assert "blob.bin: binary" in text
    assert "loop: symlink loop" in text


async def test_grep_does_not_follow_a_file_symlink_out_of_the_workspace(
    ctx: ToolContext, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("needle outside\n")
    os.symlink(outside, ctx.workspace / "link.txt")
    result = await Grep().run({"pattern": "needle"}, ctx)
    assert "needle outside" not in result.text
    assert "link.txt: symlink to a file outside the workspace" in result.text


async def test_glob_walks_past_symlink_loops(ctx: ToolContext) -> None:
    ws = ctx.workspace
    (ws / "pkg" / "sub").mkdir(parents=True)
    (ws / "pkg" / "mod.py").write_text("")
    (ws / "pkg" / "sub" / "deep.py").write_text("")
    os.symlink("self", ws / "self")  # a link to itself
    os.symlink("b", ws / "a")  # a two-link loop
    os.symlink("a", ws / "b")
    os.symlink("..", ws / "pkg" / "sub" / "up")  # a folder loop
    os.symlink("missing", ws / "dangling")
    result = await Glob().run({"pattern": "**/*"}, ctx)
    listed = result.text.split("\n[skipped")[0].splitlines()
    assert sorted(listed) == ["pkg/mod.py", "pkg/sub/deep.py"]
    assert "self: symlink loop" in result.text
    assert "a: symlink loop" in result.text
    assert "b: symlink loop" in result.text
    assert "dangling: broken symlink" in result.text
