"""Workspace confinement against real files and symlinks in a temp directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeph_tui.core.errors import ConfigError, PathOutsideWorkspace, ToolInputError
from zeph_tui.core.safety import WorkspaceRoots


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    ws = tmp_path / "workspace"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "main.py").write_text("print('hi')\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret\n")
    (tmp_path / "workspace2").mkdir()
    (tmp_path / "WORKSPACE2").mkdir()
    return {"tmp": tmp_path, "ws": ws, "outside": outside}


def snapshot(tmp: Path, ws: Path) -> set[tuple[str, bytes | None]]:
    """Everything under tmp except the workspace, with contents."""
    out: set[tuple[str, bytes | None]] = set()
    for p in tmp.rglob("*"):
        if p.is_relative_to(ws):
            continue
        content = p.read_bytes() if p.is_file() and not p.is_symlink() else None
        out.add((str(p.relative_to(tmp)), content))
    return out


def tool_write(roots: WorkspaceRoots, path: str, data: str = "pwned") -> Path:
    """What a write tool does: resolve, then write."""
    target = roots.resolve_for_write(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(data)
    return target


def assert_refused_write(layout: dict[str, Path], path: str, exc: type[Exception]) -> str:
    roots = WorkspaceRoots(layout["ws"])
    before = snapshot(layout["tmp"], layout["ws"])
    with pytest.raises(exc) as info:
        tool_write(roots, path)
    assert snapshot(layout["tmp"], layout["ws"]) == before, "something was written outside"
    return str(info.value)


def test_relative_and_absolute_inside_are_accepted(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"])
    assert roots.resolve_for_write("src/main.py") == layout["ws"] / "src" / "main.py"
    assert roots.resolve_for_read(str(layout["ws"] / "src" / "main.py")) == (
        layout["ws"] / "src" / "main.py"
    )
    assert roots.resolve_for_write("src/../new.txt") == layout["ws"] / "new.txt"
    assert roots.resolve_for_write("./a/b/c.txt") == layout["ws"] / "a" / "b" / "c.txt"
    assert tool_write(roots, "deep/new/file.txt").read_text() == "pwned"


@pytest.mark.parametrize(
    "path",
    ["../x", "../outside/secret.txt", "src/../../x", "../../../../../../etc/passwd", ".."],
)
def test_dotdot_escapes_are_refused(layout: dict[str, Path], path: str) -> None:
    message = assert_refused_write(layout, path, PathOutsideWorkspace)
    assert repr(path) in message
    assert str(layout["ws"]) in message


def test_absolute_paths_outside_are_refused(layout: dict[str, Path]) -> None:
    message = assert_refused_write(
        layout, str(layout["outside"] / "secret.txt"), PathOutsideWorkspace
    )
    assert "outside the workspace" in message
    assert_refused_write(layout, "/etc/passwd", PathOutsideWorkspace)
    assert (layout["outside"] / "secret.txt").read_text() == "top secret\n"


def test_symlinked_file_to_outside_is_refused(layout: dict[str, Path]) -> None:
    (layout["ws"] / "innocent.txt").symlink_to(layout["outside"] / "secret.txt")
    assert_refused_write(layout, "innocent.txt", PathOutsideWorkspace)
    with pytest.raises(PathOutsideWorkspace):
        WorkspaceRoots(layout["ws"]).resolve_for_read("innocent.txt")


def test_symlinked_directory_to_outside_is_refused(layout: dict[str, Path]) -> None:
    (layout["ws"] / "vendor").symlink_to(layout["outside"], target_is_directory=True)
    assert_refused_write(layout, "vendor/secret.txt", PathOutsideWorkspace)
    # A file that does not exist yet, whose parent is the symlink.
    assert_refused_write(layout, "vendor/new_file.txt", PathOutsideWorkspace)
    assert_refused_write(layout, "vendor/newdir/new_file.txt", PathOutsideWorkspace)


def test_dangling_symlink_to_outside_is_refused(layout: dict[str, Path]) -> None:
    (layout["ws"] / "later.txt").symlink_to(layout["outside"] / "not_yet.txt")
    assert_refused_write(layout, "later.txt", PathOutsideWorkspace)
    assert not (layout["outside"] / "not_yet.txt").exists()


def test_symlink_created_after_roots_were_computed(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"])
    assert roots.resolve_for_write("cache/x.txt") == layout["ws"] / "cache" / "x.txt"
    (layout["ws"] / "cache").symlink_to(layout["outside"], target_is_directory=True)
    with pytest.raises(PathOutsideWorkspace):
        roots.resolve_for_write("cache/x.txt")
    assert not (layout["outside"] / "x.txt").exists()


def test_nested_symlink_chains(layout: dict[str, Path]) -> None:
    ws = layout["ws"]
    (ws / "c").symlink_to(layout["outside"], target_is_directory=True)
    (ws / "b").symlink_to(ws / "c")
    (ws / "a").symlink_to("b")  # relative link
    assert_refused_write(layout, "a/secret.txt", PathOutsideWorkspace)
    # A chain that stays inside is fine and lands on the real target.
    (ws / "real").mkdir()
    (ws / "y").symlink_to(ws / "real")
    (ws / "x").symlink_to("y")
    assert WorkspaceRoots(ws).resolve_for_write("x/f.txt") == ws / "real" / "f.txt"


def test_dotdot_after_symlink_follows_the_real_parent(layout: dict[str, Path]) -> None:
    ws = layout["ws"]
    (ws / "src" / "out").symlink_to(layout["outside"], target_is_directory=True)
    # Textually "src/out/../main.py" is src/main.py; really it is <tmp>/main.py.
    assert_refused_write(layout, "src/out/../main.py", PathOutsideWorkspace)


def test_symlink_loop_does_not_hang_or_escape(layout: dict[str, Path]) -> None:
    ws = layout["ws"]
    (ws / "loop1").symlink_to(ws / "loop2")
    (ws / "loop2").symlink_to(ws / "loop1")
    result = WorkspaceRoots(ws).resolve_for_read("loop1")
    assert result.is_relative_to(ws)


def test_sibling_with_common_prefix_is_not_inside(layout: dict[str, Path]) -> None:
    tmp = layout["tmp"]
    # The trap a string prefix test falls into:
    assert str(tmp / "workspace2").startswith(str(layout["ws"]))
    for path in ("../workspace2/x", "../WORKSPACE2/x", str(tmp / "workspace2" / "x")):
        assert_refused_write(layout, path, PathOutsideWorkspace)


def test_workspace_given_through_a_symlink(layout: dict[str, Path]) -> None:
    alias = layout["tmp"] / "alias"
    alias.symlink_to(layout["ws"], target_is_directory=True)
    roots = WorkspaceRoots(alias)
    assert roots.workspace == layout["ws"]
    assert roots.resolve_for_write(str(alias / "src" / "main.py")) == (
        layout["ws"] / "src" / "main.py"
    )


@pytest.mark.parametrize("path", ["a\x00b", "src/\x00/x", "\x00"])
def test_nul_bytes_are_tool_input_errors(layout: dict[str, Path], path: str) -> None:
    message = assert_refused_write(layout, path, ToolInputError)
    assert "NUL" in message


@pytest.mark.parametrize(
    "path",
    [
        "evil\u202etxt.py",  # right-to-left override
        "a\u2066b",  # left-to-right isolate
        "con\u200bfig.py",  # zero-width space
        "x\ufeff",  # BOM
        "line\nbreak",
        "",
    ],
)
def test_invisible_and_bidi_characters_are_refused(layout: dict[str, Path], path: str) -> None:
    assert_refused_write(layout, path, ToolInputError)


@pytest.mark.parametrize(
    "path",
    [
        "\u2025/outside/secret.txt",  # two-dot leader "‥" reads as ".."
        "\uff0e\uff0e/outside/x",  # fullwidth full stops
        "src\uff0f..\uff0f..\uff0foutside\uff0fx",  # fullwidth solidus
        "src/..\\..\\outside\\x",  # backslashes
        "\u2025",
    ],
)
def test_unicode_lookalikes_do_not_escape(layout: dict[str, Path], path: str) -> None:
    message = assert_refused_write(layout, path, PathOutsideWorkspace)
    assert "NFKC" in message


def test_lookalike_separators_are_not_separators(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"])
    target = tool_write(roots, "a\uff0fb.txt")  # fullwidth solidus, harmless when NFKC'd
    assert target == layout["ws"] / "a\uff0fb.txt"
    assert target.parent == layout["ws"], "U+FF0F must not create a directory"
    assert not (layout["ws"] / "a").exists()
    target = tool_write(roots, "notes\u2025txt")
    assert target.parent == layout["ws"]


def test_home_expansion(layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(layout["outside"]))
    assert_refused_write(layout, "~/secret.txt", PathOutsideWorkspace)
    assert_refused_write(layout, "~", PathOutsideWorkspace)
    monkeypatch.setenv("HOME", str(layout["ws"]))
    assert WorkspaceRoots(layout["ws"]).resolve_for_write("~/src/x") == layout["ws"] / "src" / "x"
    with pytest.raises((ToolInputError, PathOutsideWorkspace)):
        WorkspaceRoots(layout["ws"]).resolve_for_write("~no_such_user_zeph/x")


def test_read_roots_allow_reads_only(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"], read_roots=[layout["outside"]])
    secret = layout["outside"] / "secret.txt"
    assert roots.resolve_for_read(str(secret)) == secret
    assert roots.resolve_for_read("../outside/secret.txt") == secret
    with pytest.raises(PathOutsideWorkspace) as info:
        roots.resolve_for_write(str(secret))
    assert str(layout["ws"]) in str(info.value)
    with pytest.raises(PathOutsideWorkspace) as info:
        roots.resolve_for_read("../workspace2/x")
    assert str(layout["outside"]) in str(info.value)


def test_extra_write_roots(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"], extra_write_roots=[layout["tmp"] / "workspace2"])
    target = tool_write(roots, "../workspace2/out.txt")
    assert target == layout["tmp"] / "workspace2" / "out.txt"
    assert roots.resolve_for_read("../workspace2/out.txt") == target


def test_display_path(layout: dict[str, Path]) -> None:
    roots = WorkspaceRoots(layout["ws"], read_roots=[layout["outside"]])
    assert roots.display_path(roots.resolve_for_read("src/main.py")) == "src/main.py"
    assert roots.display_path(layout["ws"]) == "."
    assert roots.display_path(layout["outside"]) == layout["outside"].as_posix()


def test_bad_workspace_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        WorkspaceRoots(tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError):
        WorkspaceRoots(tmp_path / "file")


_PIECES = ["..", ".", "a", "out", "in", "\u2025", "\uff0f", "x", "\uff0e\uff0e", "\\.."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6), st.booleans())
def test_property_never_outside(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], glue: bool
) -> None:
    base = tmp_path_factory.getbasetemp() / "prop"
    ws = base / "ws"
    if not ws.exists():
        (ws / "a").mkdir(parents=True)
        (base / "elsewhere").mkdir()
        (ws / "out").symlink_to(base / "elsewhere", target_is_directory=True)
        (ws / "in").symlink_to(ws / "a", target_is_directory=True)
    roots = WorkspaceRoots(ws)
    path = ("/" if glue else "").join(parts)
    try:
        result = roots.resolve_for_write(path)
    except (PathOutsideWorkspace, ToolInputError):
        return
    assert result.is_relative_to(ws)
    assert Path(os.path.realpath(result)).is_relative_to(ws)
