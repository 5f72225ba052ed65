"""Provider resolution order: explicit > ZEPH_PROVIDER > config > ANTHROPIC_API_KEY > OPENAI_BASE_URL > local."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import REPO_ROOT
from zeph_tui.core.errors import ConfigError
from zeph_tui.core.providers import PROVIDER_NAMES, describe_resolution, resolve, resolve_provider
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.core.providers.local import LocalProvider, bundled_model_path
from zeph_tui.core.providers.openai_compat import OpenAICompatProvider

BOTH = {"ANTHROPIC_API_KEY": "sk-ant-x", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}


@pytest.mark.parametrize(
    ("name", "env", "config", "expected", "why"),
    [
        (None, {}, {}, "local", "neither ANTHROPIC_API_KEY nor OPENAI_BASE_URL"),
        (
            None,
            {"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"},
            {},
            "openai",
            "OPENAI_BASE_URL is set",
        ),
        (None, BOTH, {}, "anthropic", "ANTHROPIC_API_KEY is set"),
        (None, BOTH, {"provider": "local"}, "local", "set in config"),
        (
            None,
            {**BOTH, "ZEPH_PROVIDER": "openai"},
            {"provider": "local"},
            "openai",
            "ZEPH_PROVIDER",
        ),
        (
            "local",
            {**BOTH, "ZEPH_PROVIDER": "openai"},
            {"provider": "anthropic"},
            "local",
            "explicitly",
        ),
        ("Anthropic", {}, {}, "anthropic", "explicitly"),
    ],
)
def test_provider_order(
    name: str | None, env: dict[str, str], config: dict[str, object], expected: str, why: str
) -> None:
    res = resolve(name, env=env, config=config)
    assert res.name == expected
    assert why in res.name_reason
    assert why in describe_resolution(name, env=env, config=config)


@pytest.mark.parametrize(
    ("model", "env", "config", "expected", "why"),
    [
        (None, {}, {}, "claude-sonnet-4-6", "provider default"),
        (None, {}, {"model": "claude-top"}, "claude-top", "set in config"),
        (
            None,
            {},
            {"model": "claude-top", "anthropic": {"model": "claude-sec"}},
            "claude-sec",
            "set in config",
        ),
        (
            None,
            {"ZEPH_MODEL": "claude-env"},
            {"anthropic": {"model": "claude-sec"}},
            "claude-env",
            "ZEPH_MODEL",
        ),
        ("claude-arg", {"ZEPH_MODEL": "claude-env"}, {"model": "x"}, "claude-arg", "explicitly"),
    ],
)
def test_model_order(
    model: str | None, env: dict[str, str], config: dict[str, object], expected: str, why: str
) -> None:
    res = resolve("anthropic", model, env=env, config=config)
    assert res.model == expected
    assert why in res.model_reason


def test_unknown_provider_lists_valid_names() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_provider(env={"ZEPH_PROVIDER": "gemini"})
    for valid in PROVIDER_NAMES:
        assert valid in str(info.value)
    assert "gemini" in str(info.value)


def test_bad_section_is_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[openai\] must be a table"):
        resolve("openai", config={"openai": "nope"})


async def test_builds_anthropic_with_env_key_and_config_base_url() -> None:
    provider = resolve_provider(
        env={"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": "http://127.0.0.1:2"},
        config={"anthropic": {"base_url": "http://127.0.0.1:3", "max_retries": 0}},
    )
    assert isinstance(provider, AnthropicProvider)
    assert (provider.name, provider.model, provider.context_window_tokens) == (
        "anthropic",
        "claude-sonnet-4-6",
        200_000,
    )
    client = await provider.client()  # the SDK is imported on first use, not when built
    assert str(client.base_url).startswith("http://127.0.0.1:3")
    assert client.max_retries == 0
    await provider.aclose()


async def test_builds_openai_from_env() -> None:
    env = {
        "OPENAI_BASE_URL": "http://127.0.0.1:4/v1/",
        "OPENAI_API_KEY": "sk-o",
        "ZEPH_MODEL": "qwen",
    }
    provider = resolve_provider(env=env)
    assert isinstance(provider, OpenAICompatProvider)
    assert (provider.name, provider.model, provider.base_url) == (
        "openai",
        "qwen",
        "http://127.0.0.1:4/v1",
    )
    assert "at http://127.0.0.1:4/v1/" in describe_resolution(env=env)
    await provider.aclose()


async def test_builds_local_without_loading() -> None:
    provider = resolve_provider(env={}, config={"local": {"n_ctx": 2048}})
    assert isinstance(provider, LocalProvider)
    assert provider.model_path == bundled_model_path()
    assert provider.context_window_tokens == 2048
    assert provider._llama is None  # loads lazily, on the first stream
    assert "bundled SmolLM2-135M" in describe_resolution(env={})


def test_package_import_is_light() -> None:
    code = (
        "import sys, zeph_tui.core.providers as p\n"
        "p.resolve(env={})\n"
        "heavy = [m for m in ('anthropic', 'httpx', 'llama_cpp') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    root = REPO_ROOT
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=root)


async def test_resolved_anthropic_streams_from_env_base_url() -> None:
    from tests.fakes.anthropic_api import FakeAnthropic
    from zeph_tui.core.providers.base import Message, MessageStop, ModelRequest, TextPart

    async with FakeAnthropic([{"blocks": [{"type": "text", "text": "resolved"}]}]) as fake:
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": fake.base_url}
        provider = resolve_provider(env=env, config={"anthropic": {"max_retries": 0}})
        request = ModelRequest("", [Message("user", [TextPart("hi")])])
        events = [e async for e in provider.stream(request)]
        await provider.aclose()
    assert isinstance(events[-1], MessageStop)
    assert events[-1].parts == (TextPart("resolved"),)
    assert fake.requests[0]["model"] == "claude-sonnet-4-6"
