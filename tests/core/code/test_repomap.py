"""zeph_tui.core.code.repomap on a small made-up tree and on a real project (textual's source)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from zeph_tui.core.code.repomap import RepoMap, build_repo_map, estimate_tokens
from zeph_tui.core.errors import ZephError


def _write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        "app/models.py",
        """
        class Invoice:
            def total(self) -> int:
                return 0

        def parse_invoice(text: str) -> Invoice:
            return Invoice()
        """,
    )
    _write(
        tmp_path,
        "app/billing.py",
        """
        from app.models import Invoice, parse_invoice

        def charge(invoice: Invoice) -> None:
            parse_invoice("x")
        """,
    )
    _write(
        tmp_path,
        "app/reports.py",
        """
        from app.models import Invoice

        def monthly_report(items: list[Invoice]) -> str:
            return ""
        """,
    )
    _write(
        tmp_path, "web/client.ts", "export function fetchInvoice(id: number): Promise<void> {}\n"
    )
    _write(tmp_path, "notes.md", "# not source\n")
    _write(tmp_path, "node_modules/dep/index.js", "function vendored() {}\n")
    _write(tmp_path, ".venv/lib/site.py", "def venv_thing(): pass\n")
    _write(tmp_path, "app/__pycache__/models.py", "def cached_thing(): pass\n")
    _write(tmp_path, "generated/out.py", "def generated_thing(): pass\n")
    _write(tmp_path, ".gitignore", "generated/\n*.tmp.py\n")
    _write(tmp_path, "scratch.tmp.py", "def ignored_thing(): pass\n")
    _write(tmp_path, "app/.gitignore", "secret_*.py\n")
    _write(tmp_path, "app/secret_keys.py", "def nested_ignored_thing(): pass\n")
    _write(tmp_path, "blob.py", b"def binary_thing(): pass\n\x00\x01\x02")
    _write(tmp_path, "huge.py", "def huge_thing(): pass\n" + "#" * 1_100_000 + "\n")
    return tmp_path


def _paths(repo_map: RepoMap) -> list[str]:
    return [f.path.as_posix() for f in repo_map.files]


def test_small_repo_map_renders_and_skips(small_repo: Path) -> None:
    repo_map = build_repo_map(small_repo)
    assert sorted(_paths(repo_map)) == [
        "app/billing.py",
        "app/models.py",
        "app/reports.py",
        "web/client.ts",
    ]
    # models.py is referenced by both other Python files: PageRank puts it first.
    assert _paths(repo_map)[0] == "app/models.py"
    assert repo_map.text.startswith(
        "app/models.py:\n"
        "  class Invoice\n"
        "    def total(self) -> int\n"
        "  def parse_invoice(text: str) -> Invoice\n"
    )
    assert "web/client.ts:\n  function fetchInvoice(id: number): Promise<void>\n" in repo_map.text
    skipped_names = ("vendored", "venv_thing", "cached_thing", "generated_thing", "ignored_thing")
    for skipped in skipped_names:
        assert skipped not in repo_map.text
    assert "binary_thing" not in repo_map.text
    assert "huge_thing" not in repo_map.text
    assert repo_map.tokens == estimate_tokens(repo_map.text) <= repo_map.budget_tokens
    assert {s.symbol.name for s in repo_map.symbols} >= {"Invoice", "charge", "fetchInvoice"}


def test_task_and_focus_change_the_order(small_repo: Path) -> None:
    by_task = build_repo_map(small_repo, task="the monthly report is empty")
    assert _paths(by_task)[0] == "app/reports.py"
    assert by_task.files[0].task_score == 1.0
    by_name = build_repo_map(small_repo, task="fetchInvoice sends the wrong id")
    assert _paths(by_name)[0] == "web/client.ts"
    focused = build_repo_map(small_repo, focus_paths=[small_repo / "app/billing.py"])
    assert _paths(focused)[0] == "app/billing.py"
    relative = build_repo_map(small_repo, focus_paths=[Path("app/billing.py")])
    assert _paths(relative)[0] == "app/billing.py"


def test_budget_is_strict_and_tiny_budgets_work(small_repo: Path) -> None:
    full = build_repo_map(small_repo, budget_tokens=10_000)
    shown = 0
    for budget in (0, 1, 5, 12, 20, 40, full.tokens - 1, full.tokens):
        repo_map = build_repo_map(small_repo, budget_tokens=budget)
        assert repo_map.tokens <= budget
        assert len(repo_map.symbols) >= shown
        shown = len(repo_map.symbols)
    assert repo_map.text == full.text
    assert build_repo_map(small_repo, budget_tokens=0).text == ""
    # With a few tokens only file names fit, best first.
    names_only = build_repo_map(small_repo, budget_tokens=5)
    assert names_only.text == "app/models.py:\n"


def test_cache_sees_edits(small_repo: Path) -> None:
    before = build_repo_map(small_repo, budget_tokens=10_000)
    assert "refund" not in before.text
    target = small_repo / "app/billing.py"
    target.write_text(target.read_text() + "\ndef refund(amount: int) -> None:\n    pass\n")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = build_repo_map(small_repo, budget_tokens=10_000)
    assert "  def refund(amount: int) -> None\n" in after.text


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ZephError):
        build_repo_map(tmp_path / "missing")
    with pytest.raises(ZephError):
        build_repo_map(tmp_path, budget_tokens=-1)
    empty = build_repo_map(tmp_path)
    assert (empty.text, empty.files, empty.symbols) == ("", (), ())


@pytest.fixture(scope="module")
def textual_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.find_spec("textual")
    assert spec is not None
    assert spec.submodule_search_locations, "textual must be installed (it is a dependency)"
    source = Path(next(iter(spec.submodule_search_locations)))
    target = tmp_path_factory.mktemp("real") / "textual"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_real_project_within_budget(textual_copy: Path) -> None:
    for budget in (256, 1024, 4096):
        repo_map = build_repo_map(
            textual_copy, task="scrollbar thumb is drawn wrong while dragging", budget_tokens=budget
        )
        assert len(repo_map.files) > 200
        assert repo_map.tokens <= budget
        assert repo_map.tokens > budget * 0.8  # the budget is used, not wasted
        assert "scrollbar.py" in [f.path.as_posix() for f in repo_map.files[:3]]
        assert repo_map.text.startswith("scrollbar.py:\n")


def test_real_project_ranks_named_symbols_and_references(textual_copy: Path) -> None:
    repo_map = build_repo_map(
        textual_copy, task="DataTable cursor moves two rows", budget_tokens=2048
    )
    top = [f.path.as_posix() for f in repo_map.files[:3]]
    assert "widgets/_data_table.py" in top
    assert repo_map.symbols[0].symbol.name == "DataTable"
    plain = build_repo_map(textual_copy, budget_tokens=2048)
    # Without a task, the most referenced modules come first.
    central = {"app.py", "widget.py", "geometry.py", "dom.py", "message.py", "reactive.py"}
    assert {f.path.as_posix() for f in plain.files[:5]} & central
    assert plain.tokens <= 2048
