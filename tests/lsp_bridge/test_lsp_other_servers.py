"""LspBridge against real TypeScript, Go and C servers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lsp_bridge import LspBridge
from tests.paths import TESTS

FIXTURES = TESTS / "fixtures_lsp"


def copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


@pytest.mark.parametrize(
    ("project", "rel", "old", "new", "line", "server", "needle"),
    [
        (
            "tsproj",
            "src/main.ts",
            "new Square(2)",
            "new Square('2')",
            10,
            "typescript-language-server",
            "not assignable",
        ),
        ("goproj", "main.go", "Double(21)", 'Double("x")', 6, "gopls", "cannot use"),
        ("cproj", "main.c", "square(3)", "square(3, 4)", 6, "clangd", "Too many arguments"),
    ],
)
async def test_error_introduced_then_fixed(
    tmp_path: Path, project: str, rel: str, old: str, new: str, line: int, server: str, needle: str
) -> None:
    root = copy(tmp_path, project)
    path = root / rel
    good = path.read_text()
    async with LspBridge(tmp_path, diagnostics_timeout_s=60) as bridge:
        baseline = await bridge.open_or_change(path, good)
        assert baseline.errors == (), baseline.text
        report = await bridge.open_or_change(path, good.replace(old, new))
        errors = [d for d in report.new if d.severity == "error"]
        assert [(d.line, d.server) for d in errors] == [(line, server)], report.text
        assert needle in errors[0].message
        assert new in errors[0].source_line
        fixed = await bridge.open_or_change(path, good)
        assert fixed.new == ()
        assert [d.line for d in fixed.fixed] == [line], fixed.text
        assert fixed.pending == ()
        (status,) = bridge.status()
        assert status.root == root  # found from the project's marker file


async def test_typescript_references_across_files(tmp_path: Path) -> None:
    root = copy(tmp_path, "tsproj")
    async with LspBridge(root, diagnostics_timeout_s=60) as bridge:
        shapes = root / "src" / "shapes.ts"
        await bridge.open_or_change(shapes, shapes.read_text())  # lets tsserver load the project
        refs = await bridge.references(shapes, 5, 18)
        assert {(r.path.name, r.line) for r in refs} == {
            ("shapes.ts", 5),
            ("main.ts", 1),
            ("main.ts", 10),
        }


async def test_go_definition_across_files(tmp_path: Path) -> None:
    root = copy(tmp_path, "goproj")
    async with LspBridge(root, diagnostics_timeout_s=60) as bridge:
        found = await bridge.definition(root / "main.go", 6, 15)
        assert [(d.path.name, d.line, d.col) for d in found] == [("util.go", 4, 6)]
        hover = await bridge.hover(root / "main.go", 6, 15)
        assert hover is not None
        assert "func Double(n int) int" in hover.text


async def test_clangd_prepare_rename(tmp_path: Path) -> None:
    root = copy(tmp_path, "cproj")
    async with LspBridge(root, diagnostics_timeout_s=60) as bridge:
        target = await bridge.prepare_rename(root / "main.c", 6, 11)
        assert target.supported
        assert target.placeholder == "square"
