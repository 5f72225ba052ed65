"""``zeph-tui skills`` actions through ``zeph_tui.cli.skills.run``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from zeph_tui.cli.skills import run


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZEPH_HOME", str(tmp_path / "home"))
    workspace = tmp_path / "ws"
    good = workspace / ".claude" / "skills" / "release-notes"
    good.mkdir(parents=True)
    (good / "SKILL.md").write_text(
        "---\nname: release-notes\ndescription: Draft release notes from merged changes.\n---\n"
        "# Release notes\nCollect merged PRs.\n"
    )
    (good / "references").mkdir()
    (good / "references" / "style.md").write_text("x")
    bad = workspace / ".claude" / "skills" / "broken"
    bad.mkdir()
    (bad / "SKILL.md").write_text("---\nname: broken\n---\nno description\n")
    return workspace


def ns(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {"query": None, "name": None, "json": False}
    return argparse.Namespace(**(base | kw))


def test_list_json(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ns(action="list", json=True, workspace=str(ws))) == 0
    out, err = capsys.readouterr()
    rows = json.loads(out)
    by_name = {r["name"]: r for r in rows}
    assert set(rows[0]) == {"name", "description", "source", "trusted"}
    assert by_name["release-notes"] == {
        "name": "release-notes",
        "description": "Draft release notes from merged changes.",
        "source": "workspace",
        "trusted": False,
    }
    assert by_name["pytest-testing"]["source"] == "bundled"
    assert by_name["pytest-testing"]["trusted"] is True
    assert "broken" in err
    assert "missing 'description'" in err


def test_list_table(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ns(action="list", workspace=str(ws))) == 0
    out = capsys.readouterr().out
    assert "release-notes" in out
    assert "(untrusted)" in out


def test_search_json_ranked(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ns(action="search", query="write release notes", json=True, workspace=str(ws))) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "release-notes"
    assert rows[0]["score"] > 0
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_show_and_unknown(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ns(action="show", name="release-notes", workspace=str(ws))) == 0
    out = capsys.readouterr().out
    assert "Collect merged PRs." in out
    assert "- references/style.md" in out
    assert run(ns(action="show", name="release-note", workspace=str(ws))) == 2
    err = capsys.readouterr().err
    assert "unknown skill 'release-note'" in err
    assert "did you mean: release-notes" in err


def test_approve_then_trusted(ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ns(action="approve", name="release-notes", workspace=str(ws))) == 0
    assert (tmp_path / "home" / "trusted_skills.json").is_file()
    capsys.readouterr()
    assert run(ns(action="list", json=True, workspace=str(ws))) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["release-notes"]["trusted"] is True
