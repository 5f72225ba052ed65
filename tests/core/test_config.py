"""Settings: the README's example loads; every bad value gives one line with key, value, allowed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from zeph_tui.core.config import DIAGNOSTICS_TIMEOUT_S, load_settings
from zeph_tui.core.errors import ConfigError


def test_readme_configuration_example_loads(zeph_home: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    (zeph_home / "config.toml").write_text(example.group(1))
    settings = load_settings()
    assert settings.permissions.mode == "ask"
    assert settings.lsp.servers["zls"]["command"] == ["zls"]


def test_defaults_have_one_diagnostics_timeout(zeph_home: Path) -> None:
    from zeph_tui.core.code.intel import LspCodeIntel

    assert load_settings().lsp.diagnostics_timeout_s == DIAGNOSTICS_TIMEOUT_S
    assert LspCodeIntel(zeph_home).diagnostics_timeout_s == DIAGNOSTICS_TIMEOUT_S


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("provider = 5", r"provider = 5: must be a table \(\[provider\]\)$"),
        (
            '[provider]\nname = "gpt"',
            r"provider\.name = \"gpt\": must be 'anthropic', 'openai' or 'local'$",
        ),
        (
            "[lsp]\ndiagnostics_timeout_s = -1",
            r"lsp\.diagnostics_timeout_s = -1: must be greater than 0$",
        ),
        ("[lsp]\ndiagnostics_timeout_s = 9000", r"= 9000: must be less than or equal to 600$"),
        (
            '[lsp.servers.zls]\ncommand = "zls"',
            r'command = "zls": must be a list, e\.g\. command = \["zls"\]$',
        ),
        (
            "[lsp.servers.zls]\ncommand = []",
            r"lsp\.servers\.zls\.command = \[\]: must have at least 1 item$",
        ),
        ('[lsp.servers.mylang]\ncommand = ["x"]', r"lsp\.servers\.mylang\.languages: required"),
        (
            '[permissions]\nmode = "yolo"',
            r"permissions\.mode = \"yolo\": must be 'ask', 'accept-edits', 'plan' or 'bypass'$",
        ),
        ('[permissions]\nmode = "code"', r"permissions\.mode = \"code\": must be"),
        (
            "[limits]\nmax_tokens = 0",
            r"limits\.max_tokens = 0: must be greater than or equal to 1$",
        ),
        (
            '[limits]\nmax_tokens = "many"',
            r"limits\.max_tokens = \"many\": must be a valid integer",
        ),
        (
            "[archive]\nretention_days = -3",
            r"archive\.retention_days = -3: must be greater than 0$",
        ),
        ("[lsp]\nenabled = 3", r"lsp\.enabled = 3: must be a valid boolean"),
        ("[sandbx]\non = true", r"sandbx: unknown key"),
        ("[lsp]\ndiagnostic_timeout_s = 1", r"lsp\.diagnostic_timeout_s: unknown key"),
        ("[lsp\n", r"config\.toml: invalid TOML"),
    ],
)
def test_bad_setting_is_one_line(zeph_home: Path, toml: str, message: str) -> None:
    (zeph_home / "config.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert "\n" not in text and re.search(message, text), text
    if "invalid TOML" not in message:
        assert text.startswith(str(zeph_home / "config.toml") + ": ")


def test_environment_provider_is_named(zeph_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEPH_PROVIDER", "gpt")
    with pytest.raises(ConfigError, match=r"^environment: ZEPH_PROVIDER = \"gpt\": must be"):
        load_settings()


def test_defaults_without_pydantic_equal_the_validated_defaults(zeph_home: Path) -> None:
    """Nothing to validate: the pydantic-free defaults are what pydantic gives with nothing set."""
    from zeph_tui.core.config import _settings_classes, default_settings

    assert not (zeph_home / "config.toml").exists()
    assert load_settings().model_dump() == _settings_classes()().model_dump()
    assert default_settings().model_dump() == _settings_classes()().model_dump()


def test_no_config_imports_no_pydantic(zeph_home: Path) -> None:
    """With no config.toml and no ZEPH_PROVIDER / ZEPH_MODEL, pydantic is not imported."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\nfrom zeph_tui.core.config import load_settings\n"
        "s = load_settings()\nassert s.limits.max_tokens == 8192, s\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_settings')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ZEPH_PROVIDER", "ZEPH_MODEL")}
    env["ZEPH_HOME"] = str(zeph_home)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    (zeph_home / "config.toml").write_text("[limits]\nmax_tokens = 0\n")
    failed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert "limits.max_tokens = 0: must be greater than or equal to 1" in failed.stderr


def test_environment_model_is_validated(zeph_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEPH_MODEL", "m1")
    settings = load_settings()
    assert settings.provider.model == "m1"
    assert type(settings).__name__ == "SettingsModel"
