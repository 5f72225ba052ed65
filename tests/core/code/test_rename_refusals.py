"""Name checks of the core rename flow happen before any language server starts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_bridge import LspBridge
from tests.paths import REPO_ROOT, TESTS
from zeph_tui.core.code.rename import RenameError, check_target, plan_rename
from zeph_tui.core.code.rename_checks import check_new_name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("class", "'class' is a Python keyword, not a valid new name"),
        ("a b", "'a b' is not a valid Python identifier"),
        ("1x", "'1x' is not a valid Python identifier"),
    ],
)
async def test_bad_python_names_refused_before_any_server(
    tmp_path: Path, name: str, message: str
) -> None:
    root = tmp_path / "pyproj"
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    async with LspBridge(root) as bridge:
        with pytest.raises(RenameError) as caught:
            await plan_rename(bridge, root / "shop/pricing.py", 4, 5, name)
        assert str(caught.value) == message
        assert [s for s in bridge.status() if s.state != "missing"] == []  # nothing started


def test_language_rules() -> None:
    check_new_name("ñame_ok", "python")
    check_new_name("grandTotal", "typescript")
    with pytest.raises(RenameError, match=r"^'a b' is not a valid name: it is empty or contains"):
        check_new_name("a b", "go")


@pytest.mark.parametrize(
    ("target", "name", "line"),
    [
        ("shop/pricing.py:4:5", "class", "'class' is a Python keyword, not a valid new name"),
        ("shop/pricing.py:4:1", "x", "nothing to rename at shop/pricing.py:4:1: "
         "'def' is a Python keyword"),
        ("shop/pricing.py:4", "x", "expected PATH:LINE:COL (1-based), got 'shop/pricing.py:4'"),
    ],
)  # fmt: skip
def test_cli_mistakes_exit_2_with_one_line(
    tmp_path: Path, target: str, name: str, line: str
) -> None:
    root = tmp_path / "pyproj"
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    done = subprocess.run(
        [sys.executable, "-m", "zeph_tui", "rename", target, name, "--yes", "-w", str(root)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"zeph-tui rename: {line}\n"
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (1, 5, "nothing to rename at shop/pricing.py:1:5: the cursor is in a string"),
        (4, 1, "nothing to rename at shop/pricing.py:4:1: 'def' is a Python keyword"),
        (4, 4, "nothing to rename at shop/pricing.py:4:4: the cursor is not on an identifier"),
    ],
)
async def test_local_target_checks_ask_no_server(
    tmp_path: Path, line: int, column: int, message: str
) -> None:
    root = tmp_path / "pyproj"
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    (root / "shop/pricing.py").write_text(
        (root / "shop/pricing.py").read_text() + "# total is summed here\n"
    )
    async with LspBridge(root) as bridge:
        with pytest.raises(RenameError) as caught:
            await check_target(bridge, root / "shop/pricing.py", line, column)
        assert str(caught.value) == message
        comment = len((root / "shop/pricing.py").read_text().splitlines())
        with pytest.raises(RenameError, match="the cursor is in a comment"):
            await check_target(bridge, root / "shop/pricing.py", comment, 3)
        # an f-string's interpolation is code: accepted, with the identifier's range
        target = await check_target(bridge, root / "shop/report.py", 9, 20)
        assert (target.placeholder, target.location.col, target.location.end_col) == (
            "total",
            19,
            24,
        )
        crlf = root / "shop/crlf.py"
        crlf.write_bytes(b"def total_crlf():\r\n    return 1\r\n")
        buffer = crlf.read_bytes().decode()  # an editor's buffer keeps the CRLF line ends
        target = await check_target(bridge, crlf, 1, 5, buffer_text=buffer)
        assert target.placeholder == "total_crlf"
        with pytest.raises(RenameError, match=r"^shop/crlf\.py has unsaved changes"):
            await check_target(bridge, crlf, 1, 5, buffer_text=buffer.replace("\r\n", "\n"))
        assert [s for s in bridge.status() if s.state != "missing"] == []  # nothing started
