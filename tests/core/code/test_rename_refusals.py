"""Name checks of the core rename flow happen before any language server starts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsp_bridge import LspBridge
from tests.paths import TESTS
from zeph_tui.core.code.rename import RenameError, plan_rename
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
