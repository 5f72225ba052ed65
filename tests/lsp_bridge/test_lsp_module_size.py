"""Every module of ``lsp_bridge`` and of the rename path stays under 500 lines (STYLE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
_MAX_LINES = 500
_PACKAGES = ("lsp_bridge", "zeph_tui/drivers/lsp_face", "zeph_tui/core/code")


@pytest.mark.parametrize("package", _PACKAGES)
def test_modules_are_under_500_lines(package: str) -> None:
    modules = sorted((_ROOT / package).glob("*.py"))
    assert modules, package
    long = {m.name: n for m in modules if (n := len(m.read_text().splitlines())) > _MAX_LINES}
    assert long == {}, f"modules over {_MAX_LINES} lines in {package}: {long}"
