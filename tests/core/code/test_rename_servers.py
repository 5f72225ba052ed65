"""Rename with call sites against real servers (basedpyright, gopls, clangd, tsserver).

Each project has a function ``total`` (``Total`` in Go) used across files and,
with the same name, an attribute and a method that must stay untouched; after
the rename the project still imports / builds / type-checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_bridge import LspBridge
from tests.paths import REPO_ROOT, TESTS
from zeph_tui.core.code.rename import RenameError, apply_rename, plan_rename

FIXTURES = TESTS / "fixtures_rename"
REPO = REPO_ROOT


def copy_project(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    if name == "cproj":  # clangd's cross-file rename uses its index, fed by this
        entries = [
            {
                "directory": str(root),
                "file": str(root / f),
                "arguments": ["cc", "-std=c11", "-I.", "-c", f],
            }
            for f in ("pricing.c", "main.c")
        ]
        (root / "compile_commands.json").write_text(json.dumps(entries))
    return root


def check_builds(name: str, root: Path) -> None:
    commands = {
        "pyproj": [
            sys.executable,
            "-c",
            "import shop, shop.report, shop.cli; print(shop.cli.main())",
        ],
        "goproj": ["go", "build", "./..."],
        "cproj": [
            "cc",
            "-fsyntax-only",
            "-Werror=implicit-function-declaration",
            "pricing.c",
            "main.c",
        ],
        "tsproj": ["tsc", "--noEmit", "-p", "."],
    }
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOCACHE": str(root.parent / ".gocache")}
    done = subprocess.run(
        commands[name], cwd=root, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


CASES = [
    # project, file, line, col, new name, (file, expected line after) pairs, untouched snippets
    ("pyproj", "shop/pricing.py", 4, 5, "grand_total",
     {"shop/pricing.py": "self.total = grand_total(self.items)",
      "shop/report.py": "{grand_total(cart.items)} {cart.total} {self.total()}",
      "shop/cli.py": "pricing.grand_total([1.0, 2.0])",
      "shop/__init__.py": "from shop.pricing import grand_total"},
     {"shop/report.py": "    def total(self) -> str:", "shop/pricing.py": "        self.total = 0.0"}),
    ("goproj", "shop/pricing.go", 4, 6, "GrandTotal",
     {"shop/pricing.go": "c.Total = GrandTotal(c.Items)",
      "shop/report.go": "fmt.Sprint(GrandTotal(c.Items), c.Total, r.Total())",
      "main.go": "shop.GrandTotal([]float64{1, 2})"},
     {"shop/report.go": "func (r Report) Total() string", "shop/pricing.go": "\tTotal float64"}),
    ("cproj", "pricing.c", 3, 8, "grand_total",
     {"pricing.c": "c->total = grand_total(c->items, c->count);",
      "pricing.h": "double grand_total(const double *items, int count);",
      "main.c": "grand_total(c.items, c.count), c.total"},
     {"pricing.h": "    double total;"}),
    ("tsproj", "src/pricing.ts", 1, 17, "grandTotal",
     {"src/pricing.ts": "this.total = grandTotal(this.items);",
      "src/report.ts": "${grandTotal(cart.items)} ${cart.total} ${this.total()}",
      "src/main.ts": "pricing.grandTotal([1, 2])"},
     {"src/report.ts": "  total(): string {", "src/pricing.ts": "  total = 0;"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "rel", "line", "col", "new_name", "renamed", "untouched"),
    CASES,
    ids=[c[0] for c in CASES],
)
async def test_rename_across_files(
    tmp_path: Path,
    name: str,
    rel: str,
    line: int,
    col: int,
    new_name: str,
    renamed: dict[str, str],
    untouched: dict[str, str],
) -> None:
    root = copy_project(tmp_path, name)
    check_builds(name, root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    # typescript-language-server does not republish unchanged (empty) diagnostics, so a
    # write waits the whole timeout for it: keep it short.
    async with LspBridge(root, diagnostics_timeout_s=6) as bridge:
        if name == "cproj":
            # clangd renames across files from its index; its background index may still
            # be building on a cold start, its dynamic index covers open files at once.
            await bridge.open_or_change(root / "main.c", (root / "main.c").read_text())
        plan = await plan_rename(bridge, root / rel, line, col, new_name)
        assert plan.old_name in ("total", "Total")
        sites = {(s.path.relative_to(root).as_posix(), s.enclosing_symbol) for s in plan.call_sites}
        assert {path for path, _ in sites} >= set(renamed) - {rel, "pricing.h"}
        assert all(s.text for s in plan.call_sites)
        assert {p.relative_to(root).as_posix() for p in plan.files} == set(renamed)
        assert {p: p.read_bytes() for p in before} == before  # planning wrote nothing
        outcome = await apply_rename(bridge, plan)
    assert sorted(outcome.files_changed) == sorted(root / r for r in renamed)
    for path, snippet in renamed.items():
        assert snippet in (root / path).read_text(), path
    for path, snippet in untouched.items():
        assert snippet in (root / path).read_text(), path
    errors = [d for d in outcome.new if d.severity == "error"]
    assert errors == [], [d.render() for d in errors]
    check_builds(name, root)


async def test_enclosing_symbols_and_refusals(tmp_path: Path) -> None:
    root = copy_project(tmp_path, "pyproj")
    async with LspBridge(root, diagnostics_timeout_s=20) as bridge:
        plan = await plan_rename(bridge, root / "shop/pricing.py", 4, 5, "grand_total")
        scopes = {(s.path.name, s.line): s.enclosing_symbol for s in plan.call_sites}
        assert scopes[("pricing.py", 15)] == "Cart.add"
        assert scopes[("report.py", 9)] == "Report.render"
        assert scopes[("cli.py", 5)] == "main"
        assert scopes[("report.py", 1)] is None
        with pytest.raises(RenameError, match="is not a valid Python identifier"):
            await plan_rename(bridge, root / "shop/pricing.py", 4, 5, "grand total")
        with pytest.raises(RenameError):
            await plan_rename(bridge, root / "shop/pricing.py", 1, 1, "x")  # the docstring


def _cli(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zeph_tui", "rename", *args, "-w", str(root)],
        cwd=REPO, input=stdin, capture_output=True, text=True, timeout=90,
    )  # fmt: skip


def test_cli_dry_run_refusal_and_json(tmp_path: Path) -> None:
    root = copy_project(tmp_path, "pyproj")
    original = (root / "shop/report.py").read_text()
    dry = _cli(root, "shop/pricing.py:4:5", "grand_total", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout.strip().splitlines()[-1])
    assert report["applied"] is False
    assert {"path", "line", "column", "enclosing_symbol", "text"} <= set(report["call_sites"][0])
    assert (root / "shop/report.py").read_text() == original
    refused = _cli(root, "shop/pricing.py:4:5", "grand_total", stdin="")  # EOF means no
    assert refused.returncode == 2
    assert "Apply? [y/N]" in refused.stdout
    assert (root / "shop/report.py").read_text() == original
    applied = _cli(root, "shop/pricing.py:4:5", "grand_total", "--json", stdin="y\n")
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout.strip().splitlines()[-1])
    assert report["applied"] is True
    assert sorted(report["files_changed"]) == sorted(
        str(root / "shop" / f) for f in ("__init__.py", "cli.py", "pricing.py", "report.py")
    )
    assert report["diagnostics"] == {"new": [], "fixed": []}
    assert "grand_total(cart.items)" in (root / "shop/report.py").read_text()
