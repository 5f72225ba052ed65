"""Neovim (headless, 0.7.2) as a real LSP client of ``zeph-tui lsp`` renaming across files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.paths import REPO_ROOT, TESTS

FIXTURES = TESTS / "fixtures_rename"
REPO = REPO_ROOT
NVIM = shutil.which("nvim") or "/usr/bin/nvim"


def _servers_of(root: Path) -> list[str]:
    """Command lines of live processes that mention ``root`` (language servers, the face)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(root) in cmdline or cwd.startswith(str(root)):
            found.append(cmdline)
    return found


def _nvim(tmp_path: Path, script: str, **extra: str) -> tuple[Path, dict[str, Any], str]:
    """Copy pyproj, run ``script`` in headless nvim; ``(root, result, output)``."""
    root = (tmp_path / "pyproj").resolve()
    shutil.copytree(FIXTURES / "pyproj", root)
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "ZEPH_PY": sys.executable,
        "ZEPH_ROOT": str(root),
        "ZEPH_FILE": "shop/pricing.py",
        "ZEPH_LINE": "3",  # def total(...): 0-based line 3, character 4
        "ZEPH_CHAR": "4",
        "ZEPH_NEW": "grand_total",
        "ZEPH_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),  # nvim's lsp.log goes here
        **extra,
    }
    done = subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-c", f"luafile {FIXTURES / 'nvim' / script}"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.exists(), done.stdout + done.stderr
    return root, json.loads(out.read_text()), done.stdout + done.stderr


def _assert_renamed(root: Path) -> None:
    """``total`` (the function) renamed in every file; ``self.total`` and ``Report.total`` kept."""
    report = (root / "shop/report.py").read_text()
    assert "{grand_total(cart.items)} {cart.total} {self.total()}" in report
    assert "    def total(self) -> str:" in report
    assert "pricing.grand_total([1.0, 2.0])" in (root / "shop/cli.py").read_text()
    assert "from shop.pricing import grand_total" in (root / "shop/__init__.py").read_text()
    pricing = (root / "shop/pricing.py").read_text()
    assert "def grand_total(items: list[float]) -> float:" in pricing
    assert "        self.total = grand_total(self.items)" in pricing
    check = subprocess.run(
        [sys.executable, "-c", "import shop.cli, shop.report; print(shop.cli.main())"],
        cwd=root, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr


def _readme_setup(tmp_path: Path) -> Path:
    """The README's Neovim block (after ``<!-- nvim-setup -->``) as a file."""
    readme = (REPO / "README.md").read_text()
    block = readme.split("<!-- nvim-setup -->\n```lua\n", 1)[1].split("```", 1)[0]
    setup = tmp_path / "zeph_setup.lua"
    setup.write_text(block)
    return setup


def test_nvim_native_rename_confirms_with_call_sites(tmp_path: Path) -> None:
    # cursor on `total` in `def total(...)`: 0-based line 3, character 4; the client is
    # started by the README's setup with `zeph-tui` found on PATH
    path = f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    setup = str(_readme_setup(tmp_path))
    root, result, output = _nvim(tmp_path, "native.lua", ZEPH_SETUP=setup, PATH=path)
    assert result["code"] == 0, (result, output)
    assert result.get("rename_error") is None, result
    assert result["warm"] is True, result["logs"]
    assert result["requests"] == [
        {
            "message": "Rename total to grand_total? 4 call sites in 4 files: "
            "shop/__init__.py: <module>; shop/cli.py: main; shop/pricing.py: Cart.add; "
            "shop/report.py: Report.render (and 2 imports: shop/__init__.py, shop/report.py)",
            "actions": [{"title": "Apply"}, {"title": "Cancel"}],
        }
    ], result["requests"]
    assert result["summary_seen"] is True, result["messages"]
    assert result["diagnostics_seen"] is True, result["logs"]
    full_list = next(m for m in result["logs"] if m.startswith("rename 'total'"))
    assert "imports:\n  shop/__init__.py:\n    1:26 | from shop.pricing import total" in full_list
    assert "definition:\n  shop/pricing.py:\n    4:5 in total | def total" in full_list
    _assert_renamed(root)
    assert result["stopped"] is True
    assert _servers_of(root) == []
    print(f"\nnvim vim.lsp.buf.rename reply (prepareRename + rename): {result['reply_ms']:.0f} ms")


def test_nvim_code_action_renames_files_on_disk(tmp_path: Path) -> None:
    root, result, output = _nvim(tmp_path, "rename.lua")
    assert result["code"] == 0, (result, output)
    assert result["kind"] == "refactor.rename"
    assert result["title"] == "Rename 'total' with call sites (zeph)"
    assert result["result"]["applied"] is True, result
    sites = {
        (Path(s["path"]).name, s["line"], s.get("enclosing_symbol"))  # nulls dropped by lua
        for s in result["result"]["call_sites"]
    }
    assert ("report.py", 9, "Report.render") in sites
    assert result["stopped"] is True
    assert result["confirmation"].startswith(
        "Rename total to grand_total? 4 call sites in 4 files: "
    )
    # nvim applied workspace/applyEdit to its buffers and :wall wrote them
    _assert_renamed(root)
    assert _servers_of(root) == []  # the face and the servers behind it are gone
