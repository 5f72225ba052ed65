"""``zeph-tui rename`` on a project full of errors reports only what the rename introduced.

The project (tests/fixtures_rename/errproj) has type errors, unresolved imports
and lint errors in touched and untouched files before any rename. The oracle
is independent of the bridge: the basedpyright command line run on the whole
project before and after; a rename keeps line numbers, so its new errors are
the (file, line, rule) triples present only after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.paths import REPO_ROOT, TESTS


def _project(tmp_path: Path) -> Path:
    root = (tmp_path / "errproj").resolve()
    shutil.copytree(TESTS / "fixtures_rename" / "errproj", root)
    return root


def _pyright_errors(root: Path) -> set[tuple[str, int, str]]:
    done = subprocess.run(
        ["basedpyright", "--outputjson", "."],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = json.loads(done.stdout)["generalDiagnostics"]
    return {
        (Path(d["file"]).relative_to(root).as_posix(), d["range"]["start"]["line"] + 1, d["rule"])
        for d in found
        if d["severity"] == "error"
    }


def _rename(root: Path, target: str, new_name: str) -> tuple[str, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "zeph_tui", "rename", target, new_name, "--yes", "--json",
         "-w", str(root)],
        cwd=REPO_ROOT, env=os.environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stderr, json.loads(done.stdout.splitlines()[-1])


def _errors_of(report: dict[str, Any], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(d["path"]).relative_to(root).as_posix(), d["line"], d["code"])
        for d in report["diagnostics"]["new"]
        if d["severity"] == "error" and d["source"] == "basedpyright"
    }


def test_clean_rename_in_a_broken_project_reports_zero_new(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _pyright_errors(root)
    assert len(before) >= 4  # the project really is broken before the rename
    human, report = _rename(root, "shop/pricing.py:4:5", "grand_total")
    assert report["applied"] is True
    assert "diagnostics: 0 new, 0 fixed" in human, human
    assert report["diagnostics"]["new"] == []
    assert _pyright_errors(root) == before


def test_breaking_rename_reports_exactly_what_it_broke(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _pyright_errors(root)
    # `total` -> `Cart` collides with the class Cart: its callers now call the class
    human, report = _rename(root, "shop/pricing.py:4:5", "Cart")
    introduced = _pyright_errors(root) - before
    assert introduced, "the oracle sees no new error: the fixture no longer breaks"
    assert _errors_of(report, root) == introduced
    new = report["diagnostics"]["new"]
    assert f"diagnostics: {len(new)} new," in human
    assert not _errors_of(report, root) & before  # nothing that was there before is called new
    assert len(new) < 10, new  # the 17 diagnostics that predate the rename are not listed
