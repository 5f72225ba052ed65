"""Parsing, discovery, override order, reload and trust of SKILL.md skills."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zeph_tui.core.errors import SkillError
from zeph_tui.core.skills import (
    SkillLibrary,
    TrustStore,
    bundled_skills_dir,
    discover,
    parse_skill,
    skill_tool_grants,
)


def write_skill(
    root: Path,
    folder: str,
    front: str | None = None,
    body: str = "# Steps\nDo the thing.\n",
) -> Path:
    """Create ``root/folder/SKILL.md``; ``front`` is the YAML between the fences."""
    if front is None:
        front = f"name: {folder}\ndescription: Does {folder} things."
    path = root / folder
    path.mkdir(parents=True, exist_ok=True)
    (path / "SKILL.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path, Path]:
    bundled, home, ws = tmp_path / "bundled", tmp_path / "home", tmp_path / "ws"
    for d in (bundled, home, ws):
        d.mkdir()
    return bundled, home, ws


# -- parsing -------------------------------------------------------------------


def test_parse_valid_skill_with_all_fields(tmp_path: Path) -> None:
    folder = write_skill(
        tmp_path,
        "pdf-tools",
        "name: pdf-tools\ndescription: >\n  Extract text from PDFs.\n  Use for PDFs.\n"
        "license: MIT\ncompatibility: needs poppler\nallowed-tools: Bash(pdftotext:*) Read\n"
        "metadata:\n  author: me\n  version: '1.0'",
        body="\n# PDF\n\n## Extract\nrun it\n",
    )
    (folder / "scripts").mkdir()
    (folder / "scripts" / "extract.py").write_text("print(1)\n")
    (folder / "references" / "deep").mkdir(parents=True)
    (folder / "references" / "deep" / "spec.md").write_text("x")
    (folder / "notes.txt").write_text("not a resource")
    skill = parse_skill(folder, "user")
    assert skill.name == "pdf-tools"
    assert skill.description == "Extract text from PDFs. Use for PDFs."
    assert skill.license == "MIT"
    assert skill.compatibility == "needs poppler"
    assert skill.allowed_tools == ("Bash(pdftotext:*)", "Read")
    assert skill.metadata == {"author": "me", "version": "1.0"}
    assert skill.resources == ("scripts/extract.py", "references/deep/spec.md")
    assert skill.body.startswith("# PDF")
    assert skill.headings() == ["PDF", "Extract"]
    assert len(skill.sha256) == 64


def test_allowed_tools_as_yaml_list(tmp_path: Path) -> None:
    folder = write_skill(
        tmp_path, "lister", "name: lister\ndescription: d\nallowed-tools:\n  - Read\n  - Grep"
    )
    assert parse_skill(folder, "bundled").allowed_tools == ("Read", "Grep")


@pytest.mark.parametrize(
    ("folder", "front", "reason"),
    [
        ("no-name", "description: d", "missing 'name'"),
        ("mismatch", "name: other-name\ndescription: d", "does not match its folder"),
        ("bad-yaml", "name: bad-yaml\ndescription: [unclosed", "bad YAML"),
        ("no-desc", "name: no-desc", "missing 'description'"),
        ("empty-desc", "name: empty-desc\ndescription: '  '", "non-empty"),
        ("long-desc", "name: long-desc\ndescription: " + "x" * 1025, "limit is 1024"),
        ("Upper", "name: Upper\ndescription: d", "lowercase"),
        ("a--b", "name: a--b\ndescription: d", "single hyphens"),
        ("n" * 65, f"name: {'n' * 65}\ndescription: d", "limit is 64"),
        ("bad-tools", "name: bad-tools\ndescription: d\nallowed-tools: {a: 1}", "allowed-tools"),
        ("bad-meta", "name: bad-meta\ndescription: d\nmetadata: [1, 2]", "metadata"),
    ],
)
def test_invalid_skill_reports_reason(tmp_path: Path, folder: str, front: str, reason: str) -> None:
    path = write_skill(tmp_path, folder, front)
    with pytest.raises(SkillError, match=reason):
        parse_skill(path, "workspace")


def test_missing_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "plain"
    path.mkdir()
    (path / "SKILL.md").write_text("# just markdown\n")
    with pytest.raises(SkillError, match="front matter"):
        parse_skill(path, "user")


def test_discover_returns_problems_not_silence(tmp_path: Path) -> None:
    write_skill(tmp_path, "good")
    write_skill(tmp_path, "bad", "name: bad")
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / ".hidden").mkdir()
    skills, problems = discover([("user", tmp_path)])
    assert [s.name for s in skills] == ["good"]
    reasons = {
        p.path.parent.name if p.path.name == "SKILL.md" else p.path.name: p.reason for p in problems
    }
    assert set(reasons) == {"bad", "empty-folder"}
    assert "missing 'description'" in reasons["bad"]
    assert "no SKILL.md" in reasons["empty-folder"]


def test_bundled_skills_all_valid() -> None:
    root = bundled_skills_dir()
    assert root.is_dir(), root
    skills, problems = discover([("bundled", root)])
    assert problems == []
    names = {s.name for s in skills}
    assert {
        "pytest-testing",
        "debug-failing-test",
        "git-commit-and-pr",
        "safe-refactor-rename",
        "review-diff",
        "write-docs",
    } <= names
    for skill in skills:
        lines = skill.body.count("\n") + 1
        assert 30 <= lines <= 130, (skill.name, lines)


# -- override order ------------------------------------------------------------


def test_override_order_across_sources(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    for name in ("alpha", "beta", "gamma", "delta"):
        write_skill(bundled, name, f"name: {name}\ndescription: bundled {name}")
    write_skill(home / "skills", "beta", "name: beta\ndescription: user beta")
    write_skill(home / "skills", "gamma", "name: gamma\ndescription: user gamma")
    write_skill(ws / ".zeph/skills", "gamma", "name: gamma\ndescription: zeph gamma")
    write_skill(ws / ".agents/skills", "delta", "name: delta\ndescription: agents delta")
    write_skill(ws / ".claude/skills", "delta", "name: delta\ndescription: claude delta")
    write_skill(ws / ".claude/skills", "omega", "name: omega\ndescription: claude omega")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    got = {n: (s.description, s.source) for n, s in lib.skills.items()}
    assert got == {
        "alpha": ("bundled alpha", "bundled"),
        "beta": ("user beta", "user"),
        "gamma": ("zeph gamma", "workspace"),
        "delta": ("claude delta", "workspace"),
        "omega": ("claude omega", "workspace"),
    }
    assert list(lib.skills) == sorted(lib.skills)
    shadowed = sorted((s.name, s.description) for s in lib.shadowed)
    assert ("beta", "bundled beta") in shadowed
    assert ("delta", "agents delta") in shadowed
    assert len(shadowed) == 5


def test_library_collects_problems(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    write_skill(ws / ".claude/skills", "broken", "name: wrong\ndescription: d")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    assert lib.skills == {}
    assert len(lib.problems) == 1
    assert "does not match its folder" in lib.problems[0].reason


# -- reload --------------------------------------------------------------------


def test_reload_if_changed_picks_up_edits(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    root = ws / ".zeph/skills"
    write_skill(root, "one", "name: one\ndescription: first")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    assert lib.reload_if_changed() is False
    assert lib.search("first")[0].skill.name == "one"

    write_skill(root, "one", "name: one\ndescription: edited text, longer than before")
    assert lib.reload_if_changed() is True
    assert lib.get("one").description == "edited text, longer than before"
    assert lib.search("edited")[0].skill.name == "one"
    assert lib.reload_if_changed() is False

    write_skill(home / "skills", "two")  # a source folder that did not exist
    assert lib.reload_if_changed() is True
    assert set(lib.skills) == {"one", "two"}

    (root / "one" / "SKILL.md").unlink()
    assert lib.reload_if_changed() is True
    assert set(lib.skills) == {"two"}
    assert any("no SKILL.md" in p.reason for p in lib.problems)


def test_reload_notices_same_size_edit_by_mtime(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    folder = write_skill(ws / ".zeph/skills", "one", "name: one\ndescription: aaaa")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    skill_md = folder / "SKILL.md"
    before = skill_md.stat().st_mtime_ns
    write_skill(ws / ".zeph/skills", "one", "name: one\ndescription: bbbb")
    os.utime(skill_md, ns=(before + 5_000_000_000, before + 5_000_000_000))
    assert lib.reload_if_changed() is True
    assert lib.get("one").description == "bbbb"


# -- trust ---------------------------------------------------------------------

TOOLS_FRONT = "name: {n}\ndescription: d\nallowed-tools: Bash(git:*) Read"


def test_trust_by_source(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    write_skill(bundled, "b", TOOLS_FRONT.format(n="b"))
    write_skill(home / "skills", "u", TOOLS_FRONT.format(n="u"))
    write_skill(ws / ".agents/skills", "w", TOOLS_FRONT.format(n="w"))
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    assert lib.get("b").trusted
    assert lib.get("u").trusted
    assert skill_tool_grants(lib.get("b")) == {"Bash(git:*)", "Read"}
    assert skill_tool_grants(lib.get("u")) == {"Bash(git:*)", "Read"}
    assert lib.get("w").trusted is False
    assert skill_tool_grants(lib.get("w")) == frozenset()


def test_untrusted_workspace_skill_cannot_borrow_bundled_trust(
    dirs: tuple[Path, Path, Path],
) -> None:
    bundled, home, ws = dirs
    write_skill(bundled, "git", TOOLS_FRONT.format(n="git"))
    write_skill(ws / ".claude/skills", "git", "name: git\ndescription: d\nallowed-tools: Bash")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    assert lib.get("git").source == "workspace"
    assert skill_tool_grants(lib.get("git")) == frozenset()


def test_approval_by_hash_and_change_revokes(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    write_skill(ws / ".zeph/skills", "w", TOOLS_FRONT.format(n="w"))
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    approved = lib.approve("w")
    assert approved.trusted is True
    assert skill_tool_grants(approved) == {"Bash(git:*)", "Read"}

    data = json.loads((home / "trusted_skills.json").read_text())
    assert data["approved"][0]["sha256"] == approved.sha256
    assert data["approved"][0]["path"] == str(approved.skill_file)

    fresh = SkillLibrary(ws, home, bundled_dir=bundled)  # persisted
    assert fresh.get("w").trusted is True
    assert TrustStore(home).is_trusted(fresh.get("w")) is True

    write_skill(ws / ".zeph/skills", "w", TOOLS_FRONT.format(n="w") + " Write Edit")
    assert lib.reload_if_changed() is True
    assert lib.get("w").trusted is False
    assert skill_tool_grants(lib.get("w")) == frozenset()


def test_same_content_at_other_path_is_not_trusted(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    write_skill(ws / ".zeph/skills", "w", TOOLS_FRONT.format(n="w"))
    SkillLibrary(ws, home, bundled_dir=bundled).approve("w")
    other = ws.parent / "other-ws"
    write_skill(other / ".zeph/skills", "w", TOOLS_FRONT.format(n="w"))
    assert SkillLibrary(other, home, bundled_dir=bundled).get("w").trusted is False


def test_corrupt_trust_file_is_a_problem_not_a_crash(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    (home / "trusted_skills.json").write_text("{not json")
    write_skill(ws / ".zeph/skills", "w", TOOLS_FRONT.format(n="w"))
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    assert lib.get("w").trusted is False
    assert any("not valid JSON" in p.reason for p in lib.problems)
    with pytest.raises(SkillError, match="not valid JSON"):
        lib.approve("w")


def test_get_unknown_suggests(dirs: tuple[Path, Path, Path]) -> None:
    bundled, home, ws = dirs
    write_skill(bundled, "pytest-testing")
    write_skill(bundled, "write-docs")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    with pytest.raises(SkillError, match="did you mean: pytest-testing"):
        lib.get("pytest-test")
    write_skill(bundled, "performance-profiling")
    lib = SkillLibrary(ws, home, bundled_dir=bundled)
    with pytest.raises(SkillError, match="did you mean: performance-profiling"):
        lib.get("perf")
    with pytest.raises(SkillError, match=r"^unknown skill 'nope'$"):
        lib.get("nope")
    with pytest.raises(SkillError, match=r"^unknown skill 'zzzzzz'$"):
        lib.get("zzzzzz")
