"""Environment scrubbing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zeph_tui.core.safety import Redactor, is_secret_name, scrubbed_env, secret_env_values

BASE = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/home/u",
    "LANG": "C.UTF-8",
    "ANTHROPIC_API_KEY": "sk-ant-api03-xxxxxxxxxxxxxxxxxxxx",
    "OPENAI_API_KEY": "sk-proj-yyyyyyyyyyyyyyyyyyyy",
    "GITHUB_TOKEN": "ghp_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLE",
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "MY_SERVICE_PASSWORD": "hunter2hunter2",
    "my_lowercase_api_key": "abcdefgh12345678",
    "DB_SECRET": "s3cr3t-value",
    "PGPASSWORD": "pgpass123",
    "TOKENIZERS_PARALLELISM": "false",
    "KEYBOARD_LAYOUT": "us",
    "PYTHONPATH": "/src",
}


def test_drops_secret_families_and_known_names() -> None:
    env = scrubbed_env(BASE)
    assert set(env) == {
        "PATH",
        "HOME",
        "LANG",
        "TOKENIZERS_PARALLELISM",
        "KEYBOARD_LAYOUT",
        "PYTHONPATH",
    }


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("FOO_API_KEY", True),
        ("foo_api_key", True),
        ("Foo_Token", True),
        ("X_SECRET", True),
        ("X_PASSWORD", True),
        ("GH_TOKEN", True),
        ("TOKEN", True),
        ("TOKENIZERS_PARALLELISM", False),
        ("API_KEY_FILE_PATH_HINT", False),
        ("SECRETARY", False),
        ("PATH", False),
    ],
)
def test_is_secret_name(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_allowlist_is_case_insensitive_fnmatch() -> None:
    env = scrubbed_env(BASE, allow=["github_token", "MY_*"])
    assert env["GITHUB_TOKEN"] == BASE["GITHUB_TOKEN"]
    assert env["MY_SERVICE_PASSWORD"] == BASE["MY_SERVICE_PASSWORD"]
    assert env["my_lowercase_api_key"] == BASE["my_lowercase_api_key"]
    assert "OPENAI_API_KEY" not in env


def test_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEPH_TEST_API_KEY", "secret-value-123")
    monkeypatch.setenv("ZEPH_TEST_PLAIN", "plain")
    env = scrubbed_env()
    assert "ZEPH_TEST_API_KEY" not in env
    assert env["ZEPH_TEST_PLAIN"] == "plain"
    assert os.environ["ZEPH_TEST_API_KEY"] == "secret-value-123", "must not mutate os.environ"


def test_child_process_does_not_see_secrets() -> None:
    env = scrubbed_env({**os.environ, "ZEPH_CHILD_TOKEN": "child-secret-123"})
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('ZEPH_CHILD_TOKEN'))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "None"


def test_secret_values_feed_the_redactor() -> None:
    values = secret_env_values(BASE)
    assert "hunter2hunter2" in values
    assert "/usr/bin:/bin" not in values
    assert values == sorted(values, key=lambda v: (-len(v), v))
    redactor = Redactor(values)
    assert redactor.redact("pw is hunter2hunter2!") == "pw is [REDACTED:secret]!"
    assert secret_env_values({"X_TOKEN": "1"}) == []


def test_import_is_light() -> None:
    code = (
        "import sys, zeph_tui.core.safety; "
        "heavy = [m for m in ('pydantic', 'textual', 'rich', 'anthropic', 'httpx') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
