"""Settings: ``$ZEPH_HOME/config.toml`` as typed nested sections, env overrides on top.

``ZEPH_HOME`` defaults to ``~/.local/share/zeph-tui``; it holds ``config.toml``,
the SQLite database ``zeph.db`` and user skills. Environment overrides:
``ZEPH_PROVIDER`` and ``ZEPH_MODEL``.
Every key is validated for its type and range and unknown keys are refused;
a bad value raises :class:`~zeph_tui.core.errors.ConfigError` with one line
naming the file (or variable), the key, the value and what is allowed.
:func:`preflight` is what every face checks before its UI or protocol starts.
Provider credentials and endpoints come from the SDKs' own variables
(``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``, ``OPENAI_API_KEY``,
``OPENAI_BASE_URL``), read by the providers, never stored here.

Example ``config.toml``::

    [provider]
    name = "anthropic"
    model = "claude-sonnet-4-5"

    [permissions]
    mode = "ask"
    [[permissions.rules]]
    tool = "bash"
    command = "git push"
    action = "deny"

    [routing]                  # optional: see the README's Routing section
    strategy = "cascade"
    [routing.models.small]
    provider = "openai"
    model = "qwen2.5-coder-7b"
    input_per_mtok = 0.1
    output_per_mtok = 0.3

    [lsp.servers.mylang]
    command = ["mylang-lsp", "--stdio"]
    languages = ["mylang"]
    extensions = [".ml"]
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from zeph_tui.core.errors import ConfigError

__all__ = [
    "DIAGNOSTICS_TIMEOUT_S",
    "NOTIFY_AFTER_S",
    "Settings",
    "check_provider_name",
    "db_path",
    "default_settings",
    "load_settings",
    "preflight",
    "zeph_home",
]

DIAGNOSTICS_TIMEOUT_S = 8.0
"""Default of ``[lsp] diagnostics_timeout_s``: how long a write waits for each
language server's diagnostics, seconds. The one default: ``LspCodeIntel`` and
``lsp_bridge.LspBridge`` take the value from the settings."""

NOTIFY_AFTER_S = 10.0
"""Default of ``[dashboard] notify_after_s``: turns at least this long (seconds)
end with a terminal notification; ``0`` turns it off."""


def zeph_home(env: dict[str, str] | None = None) -> Path:
    """The data directory: ``$ZEPH_HOME`` or ``~/.local/share/zeph-tui``."""
    env = dict(os.environ) if env is None else env
    raw = env.get("ZEPH_HOME")
    return Path(raw).expanduser() if raw else Path.home() / ".local" / "share" / "zeph-tui"


def db_path(home: Path) -> Path:
    return home / "zeph.db"


def _settings_classes() -> Any:
    """Build the pydantic models lazily (pydantic costs ~100 ms to import)."""
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field
    from pydantic_settings import (
        BaseSettings,
        PydanticBaseSettingsSource,
        SettingsConfigDict,
        TomlConfigSettingsSource,
    )

    from zeph_tui.core.providers.resolve import PROVIDER_NAMES
    from zeph_tui.core.safety.policy import Mode

    ProviderName = Literal[PROVIDER_NAMES]  # type: ignore[valid-type]

    class Section(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class ProviderSection(Section):
        model_config = ConfigDict(extra="allow")  # [provider.anthropic] etc., see resolve.py
        name: ProviderName | None = None
        model: str | None = None
        base_url: str | None = None
        thinking_budget_tokens: Annotated[int, Field(ge=0)] = 0

    class PermissionsSection(Section):
        mode: Mode = "ask"
        rules: list[dict[str, Any]] = Field(default_factory=list)
        extra_write_roots: list[Path] = Field(default_factory=list)
        read_roots: list[Path] = Field(default_factory=list)
        env_allowlist: list[str] = Field(default_factory=list)

    class LimitsSection(Section):
        max_turn_requests: Annotated[int, Field(ge=1)] = 50
        max_tokens: Annotated[int, Field(ge=1)] = 8192
        model_copy_limit_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024
        max_concurrent_subagents: Annotated[int, Field(ge=1, le=32)] = 4  # core.agents.host

    class ServerTable(BaseModel):
        model_config = ConfigDict(extra="allow")  # the other keys: lsp_bridge.parse_server_table
        command: Annotated[list[str] | None, Field(min_length=1)] = None
        languages: list[str] | None = None
        extensions: list[str] | None = None

    class LspSection(Section):
        enabled: bool = True
        diagnostics_timeout_s: Annotated[float, Field(gt=0, le=600)] = DIAGNOSTICS_TIMEOUT_S
        servers: dict[str, dict[str, Any]] = Field(default_factory=dict)
        disabled: list[str] = Field(default_factory=list)

    class ArchiveSection(Section):
        retention_days: Annotated[float, Field(gt=0)] = 14.0

    class SandboxSection(BaseModel):
        """``[sandbox]``: bash inside bubblewrap (see zeph_tui.core.safety.sandbox)."""

        enabled: bool = True
        network: bool = True

    class DashboardSection(Section):
        """``[dashboard]``: ``notify_after_s``, the turn length (seconds) from which the
        end of a turn is announced (OSC 9 and a bell, zeph_tui.ui.turn_notice); 0: never."""

        notify_after_s: Annotated[float, Field(ge=0)] = NOTIFY_AFTER_S

    class MemorySection(BaseModel):  # zeph_tui.core.memory: tools and the prompt section
        enabled: bool = True
        budget_tokens: int = Field(default=300, ge=0)

    class RouteTable(Section):
        """``[routing.models.NAME]``: one route (zeph_tui.core.providers.routing)."""

        provider: ProviderName
        model: str | None = None
        base_url: str | None = None
        api_key: str | None = None
        timeout_s: Annotated[float, Field(gt=0)] = 600.0
        max_retries: Annotated[int, Field(ge=0)] = 0
        context_window_tokens: Annotated[int | None, Field(ge=1024)] = None
        input_per_mtok: Annotated[float | None, Field(ge=0)] = None
        output_per_mtok: Annotated[float | None, Field(ge=0)] = None
        cache_read_per_mtok: Annotated[float | None, Field(ge=0)] = None
        cache_write_per_mtok: Annotated[float | None, Field(ge=0)] = None

    class LatencyTable(Section):
        alpha: Annotated[float, Field(gt=0, le=1)] = 0.3
        explore: Annotated[float, Field(ge=0)] = 0.5

    class TriageTable(Section):
        easy: list[str] = Field(default_factory=list)
        medium: list[str] = Field(default_factory=list)
        hard: list[str] = Field(default_factory=list)

    class RoutingSection(Section):
        """``[routing]``: several models behind one provider (README "Routing")."""

        enabled: bool = True
        strategy: Literal["cascade", "triage", "latency"] = "cascade"
        first_event_timeout_s: Annotated[float, Field(gt=0)] = 60.0
        seed: int | None = None
        models: dict[str, RouteTable] = Field(default_factory=dict)
        triage: TriageTable = Field(default_factory=TriageTable)
        latency: LatencyTable = Field(default_factory=LatencyTable)

    class NetworkSection(Section):
        """``[network]``: limits of ``zeph-tui acp --listen``; None keeps the default
        of ``zeph_tui.drivers.acp.network.NetworkOptions`` (the one place they live)."""

        max_message_bytes: Annotated[int | None, Field(ge=1024)] = None
        queue_frames: Annotated[int | None, Field(ge=2)] = None
        stall_timeout_s: Annotated[float | None, Field(gt=0)] = None
        ping_interval_s: Annotated[float | None, Field(gt=0)] = None
        ping_timeout_s: Annotated[float | None, Field(gt=0)] = None
        idle_timeout_s: Annotated[float | None, Field(gt=0)] = None

    class SettingsModel(BaseSettings):
        model_config = SettingsConfigDict(extra="forbid")
        provider: ProviderSection = Field(default_factory=ProviderSection)
        permissions: PermissionsSection = Field(default_factory=PermissionsSection)
        limits: LimitsSection = Field(default_factory=LimitsSection)
        lsp: LspSection = Field(default_factory=LspSection)
        archive: ArchiveSection = Field(default_factory=ArchiveSection)
        memory: MemorySection = Field(default_factory=MemorySection)
        dashboard: DashboardSection = Field(default_factory=DashboardSection)
        network: NetworkSection = Field(default_factory=NetworkSection)
        routing: RoutingSection = Field(default_factory=RoutingSection)
        sandbox: SandboxSection = Field(default_factory=SandboxSection)
        mcp_servers: dict[str, dict[str, Any]] = Field(default_factory=dict)

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            toml_file = zeph_home() / "config.toml"
            # Only ZEPH_PROVIDER / ZEPH_MODEL are read from the environment (in
            # load_settings): a generic env source would parse ZEPH_PROVIDER as
            # the JSON of the whole [provider] section.
            return (init_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    SettingsModel.ServerTable = ServerTable  # type: ignore[attr-defined]
    return SettingsModel


Settings = Any  # the pydantic model built by _settings_classes(); typed loosely to stay lazy


def load_settings(**overrides: Any) -> Settings:
    """Load settings: init overrides > environment > config.toml > defaults.

    ``ZEPH_PROVIDER`` and ``ZEPH_MODEL`` set ``provider.name`` / ``provider.model``.
    Every key is checked for its type and range (see the README's Configuration
    section); unknown keys are refused, so a typo never goes unnoticed.

    Raises:
        ConfigError: config.toml is not valid TOML, or a key is unknown, of the
            wrong type or out of range. One line naming the file (or variable),
            the key, the value and what is allowed, e.g.
            ``.../config.toml: lsp.diagnostics_timeout_s = -1: must be greater than 0``.
    """
    env = os.environ
    toml_file = zeph_home() / "config.toml"
    if not overrides and not _settings_from_env(env) and not toml_file.exists():
        return default_settings()
    import tomllib

    from pydantic import ValidationError

    model = _settings_classes()
    provider = dict(overrides.pop("provider", {}) or {})
    if env.get("ZEPH_PROVIDER") and "name" not in provider:
        provider["name"] = env["ZEPH_PROVIDER"]
    if env.get("ZEPH_MODEL") and "model" not in provider:
        provider["model"] = env["ZEPH_MODEL"]
    if provider:
        overrides["provider"] = provider
    try:
        settings = model(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{toml_file}: invalid TOML: {exc}") from exc
    except ValidationError as exc:
        raise ConfigError(_explain(exc.errors()[0], toml_file)) from exc
    _check_servers(model, settings.lsp.servers, toml_file)
    return settings


def _settings_from_env(env: Any) -> bool:
    """Whether the environment sets a key (``ZEPH_PROVIDER`` / ``ZEPH_MODEL``)."""
    return bool(env.get("ZEPH_PROVIDER") or env.get("ZEPH_MODEL"))


class _Defaults(SimpleNamespace):
    """A section of :func:`default_settings`: the defaults' values as attributes."""

    def model_dump(self) -> dict[str, Any]:
        """The section as plain data, like pydantic's ``model_dump()``."""
        return {
            k: v.model_dump() if isinstance(v, _Defaults) else copy.deepcopy(v)
            for k, v in vars(self).items()
        }


_DEFAULTS: dict[str, Any] = {
    "provider": {"name": None, "model": None, "base_url": None, "thinking_budget_tokens": 0},
    "permissions": {
        "mode": "ask",
        "rules": [],
        "extra_write_roots": [],
        "read_roots": [],
        "env_allowlist": [],
    },
    "limits": {
        "max_turn_requests": 50,
        "max_tokens": 8192,
        "model_copy_limit_bytes": 16 * 1024,
        "max_concurrent_subagents": 4,
    },
    "lsp": {
        "enabled": True,
        "diagnostics_timeout_s": DIAGNOSTICS_TIMEOUT_S,
        "servers": {},
        "disabled": [],
    },
    "archive": {"retention_days": 14.0},
    "memory": {"enabled": True, "budget_tokens": 300},
    "dashboard": {"notify_after_s": NOTIFY_AFTER_S},
    "network": dict.fromkeys(
        (
            "max_message_bytes",
            "queue_frames",
            "stall_timeout_s",
            "ping_interval_s",
            "ping_timeout_s",
            "idle_timeout_s",
        )
    ),
    "routing": {
        "enabled": True,
        "strategy": "cascade",
        "first_event_timeout_s": 60.0,
        "seed": None,
        "models": {},
        "triage": {"easy": [], "medium": [], "hard": []},
        "latency": {"alpha": 0.3, "explore": 0.5},
    },
    "sandbox": {"enabled": True, "network": True},
    "mcp_servers": {},
}
"""The settings with no config.toml and no ``ZEPH_PROVIDER`` / ``ZEPH_MODEL``:
what the pydantic model validates to with nothing set (a test checks they are equal)."""

_SECTIONS = frozenset(
    [
        "provider",
        "permissions",
        "limits",
        "lsp",
        "archive",
        "memory",
        "dashboard",
        "network",
        "routing",
        "sandbox",
        "triage",
        "latency",
    ]
)
"""The keys of :data:`_DEFAULTS` whose value is a section (attributes), not data."""


def _namespace(values: dict[str, Any]) -> _Defaults:
    return _Defaults(
        **{
            k: _namespace(v) if k in _SECTIONS and isinstance(v, dict) else copy.deepcopy(v)
            for k, v in values.items()
        }
    )


def default_settings() -> Settings:
    """The default settings without importing pydantic (nothing to validate).

    Same attributes and values as the pydantic model with nothing set; each
    call returns a fresh copy. :func:`load_settings` returns this when there is
    no config.toml, no override and no ``ZEPH_PROVIDER`` / ``ZEPH_MODEL``.
    """
    return _namespace(_DEFAULTS)


def _explain(error: Any, toml_file: Path) -> str:
    """One line for a pydantic error: where the value came from, key, value, what is allowed."""
    loc = tuple(str(p) for p in error["loc"])
    key = ".".join(loc)
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        return f"{toml_file}: {key}: unknown key (check its spelling in the README's Configuration)"
    if error["type"] in ("model_type", "dict_type", "model_attributes_type"):
        allowed = f"must be a table ([{key}])"
    elif error["type"] == "list_type":
        allowed = f"must be a list, e.g. {loc[-1]} = [{_toml(value)}]"
    else:
        allowed = re.sub(r"^\w+ should", "must", str(error["msg"]))
        allowed = re.sub(r" after validation, not \d+$", "", allowed)
    source = str(toml_file)
    if loc == ("provider", "name") and os.environ.get("ZEPH_PROVIDER") == value:
        source, key = "environment", "ZEPH_PROVIDER"
    return f"{source}: {key} = {_toml(value)}: {allowed}"


def _toml(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _check_servers(model: Any, servers: dict[str, Any], toml_file: Path) -> None:
    """``[lsp.servers.NAME]`` tables: typed here, then checked by lsp_bridge's own parser."""
    if not servers:
        return
    from pydantic import ValidationError

    from lsp_bridge import LspBridgeError, parse_server_table

    for name, table in servers.items():
        try:
            model.ServerTable.model_validate(table)
        except ValidationError as exc:
            error: dict[str, Any] = dict(exc.errors()[0])
            error["loc"] = ("lsp", "servers", name, *error["loc"])
            raise ConfigError(_explain(error, toml_file)) from exc
        try:
            parse_server_table(name, table)
        except LspBridgeError as exc:
            raise ConfigError(f"{toml_file}: {exc}") from exc


def check_provider_name(name: str | None, source: str = "--provider") -> None:
    """Refuse an unknown provider name before anything starts.

    Raises:
        ConfigError: ``name`` is not one of ``PROVIDER_NAMES`` (the message lists them).
    """
    from zeph_tui.core.providers.resolve import PROVIDER_NAMES

    if name is not None and name not in PROVIDER_NAMES:
        raise ConfigError(f"{source} {name!r}: must be one of {', '.join(PROVIDER_NAMES)}")


def preflight(*, provider: str | None = None) -> Settings:
    """What every face checks before its UI or protocol starts.

    The provider name, the settings (types and ranges), ``ZEPH_HOME`` and the
    database (opened, migrated, checked writable, closed). Runs its own event
    loop: call it from synchronous start-up code.

    Returns:
        The loaded settings.

    Raises:
        ConfigError: an unknown provider or an invalid setting.
        StoreError: ZEPH_HOME or the database is unusable (read-only, damaged).
    """
    import asyncio

    from zeph_tui.core.store import open_store

    check_provider_name(provider)
    settings = load_settings()

    async def check_store() -> None:
        store = await open_store(db_path(zeph_home()))
        await store.close()

    asyncio.run(check_store())
    return settings
