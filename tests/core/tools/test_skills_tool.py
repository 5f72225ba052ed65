"""The load_skill tool with a real ToolContext (SQLite archive, local fs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zeph_tui.core.errors import ToolError, ToolInputError
from zeph_tui.core.skills import SkillLibrary
from zeph_tui.core.tools.base import ToolContext
from zeph_tui.core.tools.skill_tools import BODY_LIMIT_BYTES, LoadSkill


def _lib(ctx: ToolContext, tmp_path: Path) -> SkillLibrary:
    return SkillLibrary(ctx.workspace, tmp_path / "home")


async def test_load_bundled_skill_body_and_resources(ctx: ToolContext, tmp_path: Path) -> None:
    tool = LoadSkill(_lib(ctx, tmp_path))
    assert tool.kind == "read"
    assert tool.read_only is True
    assert tool.spec().name == "load_skill"
    result = await tool.run({"name": "performance-profiling"}, ctx)
    assert result.is_error is False
    assert '<skill name="performance-profiling" source="bundled"' in result.text
    assert "# Performance profiling and optimisation" in result.text
    assert "- scripts/profile_top.py" in result.text
    assert "untrusted" not in result.text
    assert result.locations[0].path.endswith("performance-profiling/SKILL.md")


async def test_untrusted_workspace_skill_is_marked(ctx: ToolContext, tmp_path: Path) -> None:
    folder = ctx.workspace / ".agents" / "skills" / "deploy-app"
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "logo.png").write_bytes(b"\x89PNG")
    (folder / "SKILL.md").write_text(
        "---\nname: deploy-app\ndescription: Deploy.\nallowed-tools: Bash\n---\n# Deploy\nsteps\n"
    )
    result = await LoadSkill(_lib(ctx, tmp_path)).run({"name": "deploy-app"}, ctx)
    assert "# Deploy\nsteps" in result.text
    assert "untrusted workspace skill" in result.text
    assert "- assets/logo.png" in result.text


async def test_body_is_capped_with_notice(ctx: ToolContext, tmp_path: Path) -> None:
    folder = ctx.workspace / ".zeph" / "skills" / "huge"
    folder.mkdir(parents=True)
    body = "é" * BODY_LIMIT_BYTES  # 2 bytes each: twice the cap
    (folder / "SKILL.md").write_text(f"---\nname: huge\ndescription: Big.\n---\n{body}\n")
    result = await LoadSkill(_lib(ctx, tmp_path)).run({"name": "huge"}, ctx)
    assert f"truncated: {BODY_LIMIT_BYTES} of {2 * BODY_LIMIT_BYTES} bytes shown" in result.text
    assert str(folder / "SKILL.md") in result.text
    assert result.text.count("é") == BODY_LIMIT_BYTES // 2


async def test_unknown_name_suggests_close_matches(ctx: ToolContext, tmp_path: Path) -> None:
    tool = LoadSkill(_lib(ctx, tmp_path))
    with pytest.raises(ToolError, match=r"did you mean: .*git-commit-and-pr"):
        await tool.run({"name": "git-commit"}, ctx)
    with pytest.raises(ToolInputError, match="missing required argument 'name'"):
        await tool.run({}, ctx)
    with pytest.raises(ToolInputError, match="must be string"):
        await tool.run({"name": 3}, ctx)


async def test_tool_sees_skills_added_after_start(ctx: ToolContext, tmp_path: Path) -> None:
    tool = LoadSkill(_lib(ctx, tmp_path))
    with pytest.raises(ToolError):
        await tool.run({"name": "late-skill"}, ctx)
    folder = ctx.workspace / ".claude" / "skills" / "late-skill"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: late-skill\ndescription: Late.\n---\nhello\n")
    result = await tool.run({"name": "late-skill"}, ctx)
    assert "hello" in result.text
