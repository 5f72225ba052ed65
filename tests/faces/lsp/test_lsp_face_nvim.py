"""Neovim (headless, 0.7.2) as a real LSP client of ``zeph-tui lsp`` renaming across files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_nvim_code_action_renames_files_on_disk(tmp_path: Path) -> None:
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
    }
    script = FIXTURES / "nvim" / "rename.lua"
    done = subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-c", f"luafile {script}"],
        cwd=root, env=env, capture_output=True, text=True, timeout=80,
    )  # fmt: skip
    assert out.exists(), done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert result["code"] == 0, result
    assert result["kind"] == "refactor.rename"
    assert result["title"] == "Rename 'total' with call sites (zeph)"
    assert result["result"]["applied"] is True, result
    sites = {
        (Path(s["path"]).name, s["line"], s.get("enclosing_symbol"))  # nulls dropped by lua
        for s in result["result"]["call_sites"]
    }
    assert ("report.py", 9, "Report.render") in sites
    assert result["stopped"] is True
    # nvim applied workspace/applyEdit to its buffers and :wall wrote them
    report = (root / "shop/report.py").read_text()
    assert "{grand_total(cart.items)} {cart.total} {self.total()}" in report
    assert "    def total(self) -> str:" in report
    assert "pricing.grand_total([1.0, 2.0])" in (root / "shop/cli.py").read_text()
    assert "from shop.pricing import grand_total" in (root / "shop/__init__.py").read_text()
    assert "        self.total = grand_total(self.items)" in (root / "shop/pricing.py").read_text()
    check = subprocess.run(
        [sys.executable, "-c", "import shop.cli, shop.report; print(shop.cli.main())"],
        cwd=root, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert _servers_of(root) == []  # the face and the servers behind it are gone
