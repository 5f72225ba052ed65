"""Architecture contracts (DESIGN.md "Dependency rules") and lean start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.heavy_modules import heavy_in
from tests.paths import REPO_ROOT

REPO = REPO_ROOT


def test_import_contracts_hold() -> None:
    """import-linter: core is headless; acp and lsp_bridge know nothing of zeph_tui; no cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "kept, 0 broken" in proc.stdout


def test_version_loads_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from zeph_tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as e:\n    assert e.code in (0, None)\n"
        "print('MODULES=' + ','.join(sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "zeph-tui 0.1.0" in proc.stdout
    modules = proc.stdout.rsplit("MODULES=", 1)[1].strip().split(",")
    assert heavy_in(modules) == []
    assert "asyncio" not in modules, "no command's parser imports asyncio (about 25 ms)"


def test_console_script_version() -> None:
    script = Path(sys.executable).with_name("zeph-tui")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "zeph-tui 0.1.0"


def test_core_does_not_import_textual_at_runtime() -> None:
    """Importing the whole headless core (session, tools, store) pulls in no UI code."""
    code = (
        "import sys, zeph_tui.core.session.session, zeph_tui.core.runtime, zeph_tui.core.tools\n"
        "from zeph_tui.core.tools import default_tools; default_tools()\n"
        "print('UI=' + ','.join(m for m in ('textual', 'rich', 'acp', 'zeph_tui.ui')"
        " if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.rsplit("UI=", 1)[1].strip() == ""


MAX_MODULE_LINES = 500


def test_no_module_over_500_lines() -> None:
    """Issue "One core, obvious rooms": no source module over 500 lines (tests excluded)."""
    packages = ("zeph_tui", "acp", "lsp_bridge")
    too_long = {
        str(path.relative_to(REPO)): count
        for package in packages
        for path in sorted((REPO / package).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
