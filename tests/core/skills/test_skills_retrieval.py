"""Retrieval quality over the bundled skills, tokenisation, and catalog budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from zeph_tui.core.skills import SkillLibrary, build_catalog, estimate_tokens, tokenize
from zeph_tui.core.skills.retrieval import stem

# Queries phrased the way users ask, mostly avoiding the descriptions' exact wording.
QUERIES: list[tuple[str, str]] = [
    ("add unit tests for the config parser", "pytest-testing"),
    ("how do I use fixtures and parametrize in my tests", "pytest-testing"),
    ("run only the tests matching 'cache' with -k", "pytest-testing"),
    ("set up pytest for this repository and measure coverage", "pytest-testing"),
    ("test_login fails with an AssertionError, find out why", "debug-failing-test"),
    ("CI is red since yesterday, one test keeps failing", "debug-failing-test"),
    ("this test is flaky and sometimes hangs", "debug-failing-test"),
    ("commit my changes with a good message", "git-commit-and-pr"),
    ("open a pull request for this branch", "git-commit-and-pr"),
    ("write the PR description and push the branch", "git-commit-and-pr"),
    ("rename the function load_config to read_config everywhere", "safe-refactor-rename"),
    ("refactor this module without changing behaviour", "safe-refactor-rename"),
    ("move the Parser class to its own file and update all usages", "safe-refactor-rename"),
    ("review my diff before I merge", "review-diff"),
    ("can you check this patch for bugs and security issues", "review-diff"),
    ("give feedback on the changes in this branch", "review-diff"),
    ("update the README with install instructions", "write-docs"),
    ("add docstrings to the public functions", "write-docs"),
    ("document the new feature in the changelog", "write-docs"),
    ("publish this package to PyPI", "python-packaging"),
    ("add a console script entry point in pyproject.toml", "python-packaging"),
    ("the wheel does not include my data files", "python-packaging"),
    ("mypy reports incompatible types in assignment", "fix-type-errors"),
    ("fix the pyright errors about Optional", "fix-type-errors"),
    ("add type hints to this untyped module", "fix-type-errors"),
    ("this function is too slow, make it faster", "performance-profiling"),
    ("profile the script with cProfile and find the hot spot", "performance-profiling"),
    ("memory usage is too high when loading big files", "performance-profiling"),
]


@pytest.fixture(scope="module")
def bundled_lib(tmp_path_factory: pytest.TempPathFactory) -> SkillLibrary:
    root = tmp_path_factory.mktemp("retrieval")
    (root / "ws").mkdir()
    lib = SkillLibrary(root / "ws", root / "home")
    assert all(s.source == "bundled" for s in lib.skills.values())
    assert len(lib.skills) >= 9
    return lib


def test_retrieval_quality_on_bundled_skills(bundled_lib: SkillLibrary) -> None:
    assert len(QUERIES) >= 20
    top1 = top3 = 0
    misses: list[str] = []
    for query, expected in QUERIES:
        names = [hit.skill.name for hit in bundled_lib.search(query, k=3)]
        top1 += bool(names) and names[0] == expected
        top3 += expected in names
        if not names or names[0] != expected:
            misses.append(f"{query!r}: expected {expected}, got {names}")
    acc1, acc3 = top1 / len(QUERIES), top3 / len(QUERIES)
    print(f"\nskills retrieval: n={len(QUERIES)} top-1={acc1:.3f} top-3={acc3:.3f}")
    for miss in misses:
        print("  miss:", miss)
    assert acc3 >= 0.9, misses
    assert acc1 >= 0.7, misses


def test_search_shape(bundled_lib: SkillLibrary) -> None:
    hits = bundled_lib.search("rename a symbol with the language server", k=3)
    assert 1 <= len(hits) <= 3
    assert hits[0].skill.name == "safe-refactor-rename"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score > 0 for h in hits)
    assert bundled_lib.search("", k=3) == []
    assert bundled_lib.search("xylophone quasar", k=3) == []
    everything = bundled_lib.search("code", k=0)
    assert len(everything) >= 3


def test_tokenize_and_stem() -> None:
    assert tokenize("Running the TESTS, tested; testing!") == ["run", "test", "test", "test"]
    assert stem("debugging") == stem("debug") == "debug"
    assert stem("renaming") == stem("rename") == stem("renamed")
    assert stem("commits") == stem("committing") == "commit"
    assert stem("class") == "class"
    assert "the" not in tokenize("the parser")


def _assert_within(text: str, window: int) -> None:
    assert estimate_tokens(text) <= int(window * 0.02), (window, estimate_tokens(text))


@pytest.mark.parametrize("window", [1_000, 4_000, 8_000, 16_000, 32_000, 128_000, 200_000])
def test_catalog_budget_respected(bundled_lib: SkillLibrary, window: int) -> None:
    for query in ("rename a class", "", "write tests"):
        text = bundled_lib.catalog(query, window)
        _assert_within(text, window)
        assert text
    if window >= 4_000:
        assert "load_skill(name)" in bundled_lib.catalog("x", window)


def test_catalog_ranks_relevant_first(bundled_lib: SkillLibrary) -> None:
    text = bundled_lib.catalog("rename the method everywhere", 8_000)
    lines = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert lines[0].startswith("- safe-refactor-rename:")
    also = next(ln for ln in text.splitlines() if ln.startswith("Also available"))
    for name in bundled_lib.skills:
        assert name in text
    assert "safe-refactor-rename" not in also


def test_catalog_large_window_has_every_description(bundled_lib: SkillLibrary) -> None:
    text = bundled_lib.catalog("", 200_000)
    for skill in bundled_lib.skills.values():
        assert f"- {skill.name}: {skill.description}" in text
    assert "Also available" not in text


def test_catalog_many_skills_drops_names_with_count(tmp_path: Path) -> None:
    from zeph_tui.core.skills.model import Skill

    skills = [
        Skill(f"skill-number-{i:03d}", "d " * 50, "", tmp_path, "bundled", "0" * 64, trusted=True)
        for i in range(300)
    ]
    text = build_catalog(skills, 16_000)
    _assert_within(text, 16_000)
    assert "more" in text
    assert "skill-number-000" in text
    assert build_catalog([], 16_000) == ""


def test_catalog_marks_untrusted(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    folder = ws / ".claude" / "skills" / "local-thing"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: local-thing\ndescription: Local helper.\n---\nx\n")
    lib = SkillLibrary(ws, tmp_path / "home", bundled_dir=tmp_path / "none")
    assert "- local-thing [workspace, untrusted]: Local helper." in lib.catalog("", 100_000)


def test_heavy_imports_are_lazy(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import zeph_tui.core.skills, zeph_tui.core.tools.skill_tools, zeph_tui.cli.skills\n"
        "assert 'bm25s' not in sys.modules and 'numpy' not in sys.modules\n"
        "assert 'frontmatter' not in sys.modules and 'rapidfuzz' not in sys.modules\n"
        f"lib = zeph_tui.core.skills.SkillLibrary(Path({str(tmp_path)!r}), Path({str(tmp_path)!r}))\n"
        "lib.catalog('', 100_000)\n"
        "assert 'bm25s' not in sys.modules and 'numpy' not in sys.modules, 'no query, no index'\n"
        "assert lib.search('write tests')\n"
        "assert 'bm25s' not in sys.modules and 'numpy' not in sys.modules, 'ranked in Python'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_catalog_that_fits_whole_needs_no_index(tmp_path: Path) -> None:
    """Every description fits: name order, no BM25 index even with a query or a warm-up."""
    import sys

    from zeph_tui.core.skills.catalog import fits_whole

    before = set(sys.modules)
    lib = SkillLibrary(tmp_path, tmp_path)
    assert fits_whole(list(lib.skills.values()), 200_000)
    lib.warm(200_000)
    assert lib._index is None
    text = lib.catalog("rename the method everywhere", 200_000)
    assert text == lib.catalog("", 200_000)
    assert lib._index is None, "no ranking when everything fits"
    assert not fits_whole(list(lib.skills.values()), 8_000)
    lib.warm(8_000)
    assert lib._index is not None, "a catalog that does not fit is ranked"
    assert "bm25s" not in sys.modules or "bm25s" in before, "ranked without bm25s"


def test_scores_are_those_of_bm25s(bundled_lib: SkillLibrary) -> None:
    """The plain-Python BM25 gives bm25s's scores (its defaults: Lucene, k1=1.5, b=0.75)."""
    import bm25s

    from zeph_tui.core.skills.retrieval import SkillIndex, _document

    skills = list(bundled_lib.skills.values())
    index = SkillIndex(skills)
    reference = bm25s.BM25()
    reference.index([_document(s) for s in skills], show_progress=False)
    for query in ("write tests for the parser", "rename a method everywhere", "review my diff"):
        tokens = [t for t in dict.fromkeys(tokenize(query)) if t in reference.vocab_dict]
        assert tokens, query
        expected = [float(x) for x in reference.get_scores(tokens)]
        assert index.scores(query) == pytest.approx(expected, rel=1e-5), query
        assert any(expected), query
