"""Server definitions, user tables and detection by running the binary."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from lsp_bridge import BUILTIN_SERVERS, ServerConfigError, ServerDef, clear_detection_cache, detect
from lsp_bridge.registry import language_for_path, parse_server_table


def test_user_table_is_parsed() -> None:
    server = parse_server_table(
        "zls", {"command": ["zls"], "languages": ["zig"], "extensions": ["zig"], "settle_ms": 20}
    )
    assert server.command == ("zls",)
    assert server.extensions == (".zig",)
    assert server.matches(PurePath("src/main.zig"))
    assert server.settle_ms == 20


def test_override_of_builtin_keeps_other_fields() -> None:
    server = parse_server_table("gopls", {"command": ["/opt/go/bin/gopls", "-remote=auto"]})
    assert server.command == ("/opt/go/bin/gopls", "-remote=auto")
    assert server.languages == ("go",)
    assert server.install_hint == BUILTIN_SERVERS["gopls"].install_hint


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"languages": ["zig"], "extensions": [".zig"]}, "command"),
        ({"command": "zls", "languages": [3], "extensions": [".zig"]}, "languages"),
        ({"command": ["zls"], "languages": ["zig"]}, "extensions"),
        (
            {"command": ["zls"], "languages": ["zig"], "extensions": [".zig"], "settle_ms": -1},
            "settle_ms",
        ),
        (
            {"command": ["zls"], "languages": ["zig"], "extensions": [".zig"], "init_options": 1},
            "init_options",
        ),
        (
            {"command": ["zls"], "languages": ["zig"], "extensions": [".zig"], "colour": "red"},
            "colour",
        ),
    ],
)
def test_invalid_tables_name_the_field(table: dict[str, object], field: str) -> None:
    with pytest.raises(ServerConfigError, match=rf"lsp\.servers\.zls\.{field}"):
        parse_server_table("zls", table)


def test_language_ids() -> None:
    assert language_for_path(PurePath("a/b.py")) == "python"
    assert language_for_path(PurePath("x.tsx")) == "typescriptreact"
    assert language_for_path(PurePath("x.unknown")) is None


async def test_installed_servers_are_detected() -> None:
    for name in (
        "basedpyright",
        "pyright",
        "pylsp",
        "ruff",
        "typescript-language-server",
        "gopls",
        "clangd",
    ):
        detection = await detect(BUILTIN_SERVERS[name])
        assert detection.available, detection.describe()
        assert detection.version


async def test_rustup_proxy_without_component_counts_as_missing(tmp_path: Path) -> None:
    # A stand-in for rustup's proxy: present on disk, prints an error, exits 1.
    proxy = tmp_path / "rust-analyzer"
    proxy.write_text("#!/bin/sh\necho \"error: Unknown binary 'rust-analyzer'\" >&2\nexit 1\n")
    proxy.chmod(0o755)
    server = ServerDef(
        name="rust-analyzer-proxy",
        command=(str(proxy),),
        languages=("rust",),
        extensions=(".rs",),
        install_hint="rustup component add rust-analyzer",
    )
    detection = await detect(server)
    assert not detection.available
    assert "exited 1" in detection.reason
    assert "Unknown binary" in detection.reason
    assert "rustup component add rust-analyzer" in detection.describe()


async def test_missing_binary_and_cache(tmp_path: Path) -> None:
    clear_detection_cache()
    server = ServerDef(
        name="nope",
        command=("no-such-server-xyz",),
        languages=("x",),
        install_hint="apt install nope",
    )
    first = await detect(server)
    assert not first.available
    assert "not found" in first.reason
    assert await detect(server) is first


async def test_hanging_version_command_times_out(tmp_path: Path) -> None:
    script = tmp_path / "hangs"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    server = ServerDef(name="hangs", command=(str(script),), languages=("x",))
    detection = await detect(server, timeout_s=0.5)
    assert not detection.available
    assert "did not finish" in detection.reason
