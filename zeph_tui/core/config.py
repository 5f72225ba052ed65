"""Settings: ``$ZEPH_HOME/config.toml`` as typed nested sections, env overrides on top.

``ZEPH_HOME`` defaults to ``~/.local/share/zeph-tui``; it holds ``config.toml``,
the SQLite database ``zeph.db`` and user skills. Environment overrides:
``ZEPH_PROVIDER`` and ``ZEPH_MODEL``.
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

    [lsp.servers.mylang]
    command = ["mylang-lsp", "--stdio"]
    languages = ["mylang"]
    extensions = [".ml"]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import ConfigError

__all__ = ["Settings", "db_path", "load_settings", "zeph_home"]


def zeph_home(env: dict[str, str] | None = None) -> Path:
    """The data directory: ``$ZEPH_HOME`` or ``~/.local/share/zeph-tui``."""
    env = dict(os.environ) if env is None else env
    raw = env.get("ZEPH_HOME")
    return Path(raw).expanduser() if raw else Path.home() / ".local" / "share" / "zeph-tui"


def db_path(home: Path) -> Path:
    return home / "zeph.db"


def _settings_classes() -> Any:
    """Build the pydantic models lazily (pydantic costs ~100 ms to import)."""
    from pydantic import BaseModel, Field
    from pydantic_settings import (
        BaseSettings,
        PydanticBaseSettingsSource,
        SettingsConfigDict,
        TomlConfigSettingsSource,
    )

    class ProviderSection(BaseModel):
        name: str | None = None
        model: str | None = None
        base_url: str | None = None
        thinking_budget_tokens: int = 0

    class PermissionsSection(BaseModel):
        mode: str = "ask"
        rules: list[dict[str, Any]] = Field(default_factory=list)
        extra_write_roots: list[Path] = Field(default_factory=list)
        read_roots: list[Path] = Field(default_factory=list)
        env_allowlist: list[str] = Field(default_factory=list)

    class LimitsSection(BaseModel):
        max_turn_requests: int = 50
        max_tokens: int = 8192
        model_copy_limit_bytes: int = 16 * 1024

    class LspSection(BaseModel):
        enabled: bool = True
        diagnostics_timeout_s: float = 8.0
        servers: dict[str, dict[str, Any]] = Field(default_factory=dict)
        disabled: list[str] = Field(default_factory=list)

    class ArchiveSection(BaseModel):
        retention_days: float = 14.0

    class MemorySection(BaseModel):  # zeph_tui.core.memory: tools and the prompt section
        enabled: bool = True
        budget_tokens: int = Field(default=300, ge=0)

    class SettingsModel(BaseSettings):
        model_config = SettingsConfigDict(extra="ignore")
        provider: ProviderSection = Field(default_factory=ProviderSection)
        permissions: PermissionsSection = Field(default_factory=PermissionsSection)
        limits: LimitsSection = Field(default_factory=LimitsSection)
        lsp: LspSection = Field(default_factory=LspSection)
        archive: ArchiveSection = Field(default_factory=ArchiveSection)
        memory: MemorySection = Field(default_factory=MemorySection)
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

    return SettingsModel


Settings = Any  # the pydantic model built by _settings_classes(); typed loosely to stay lazy


def load_settings(**overrides: Any) -> Settings:
    """Load settings: init overrides > environment > config.toml > defaults.

    ``ZEPH_PROVIDER`` and ``ZEPH_MODEL`` set ``provider.name`` / ``provider.model``.

    Raises:
        ConfigError: config.toml is not valid TOML or a field has the wrong type
            (the message names the field).
    """
    import tomllib

    from pydantic import ValidationError

    model = _settings_classes()
    env = os.environ
    provider = dict(overrides.pop("provider", {}) or {})
    if env.get("ZEPH_PROVIDER") and "name" not in provider:
        provider["name"] = env["ZEPH_PROVIDER"]
    if env.get("ZEPH_MODEL") and "model" not in provider:
        provider["model"] = env["ZEPH_MODEL"]
    if provider:
        overrides["provider"] = provider
    try:
        return model(**overrides)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{zeph_home() / 'config.toml'}: invalid TOML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"config field {where}: {first['msg']}") from exc
