"""Environment scrubbing for subprocesses the agent starts (bash, language servers, MCP).

A name is secret when it matches one of :data:`SECRET_NAME_PATTERNS` (fnmatch
patterns compared case-insensitively), unless it matches one of the caller's
``allow`` patterns (also fnmatch, case-insensitive). The values of the dropped
variables can be handed to :class:`zeph_tui.core.safety.redact.Redactor` so they
are redacted verbatim should they show up in output anyway.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

__all__ = ["SECRET_NAME_PATTERNS", "is_secret_name", "scrubbed_env", "secret_env_values"]

SECRET_NAME_PATTERNS: tuple[str, ...] = (
    # Suffix families.
    "*_API_KEY",
    "*_APIKEY",
    "*_TOKEN",
    "*_SECRET",
    "*_SECRET_KEY",
    "*_ACCESS_KEY",
    "*_PRIVATE_KEY",
    "*PASSWORD",
    "*_PASSWD",
    "*_PASS",
    "*_CREDENTIALS",
    # Bare names.
    "API_KEY",
    "APIKEY",
    "TOKEN",
    "SECRET",
    "SECRET_KEY",
    # Known names that the families miss or that deserve to be explicit.
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "OPENAI_API_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_API_KEY",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "NPM_TOKEN",
    "PYPI_TOKEN",
    "TWINE_PASSWORD",
    "SLACK_BOT_TOKEN",
    "MYSQL_PWD",
    "PGPASSWORD",
    "DATABASE_URL",
)


def _matches(name: str, patterns: Iterable[str]) -> bool:
    upper = name.upper()
    return any(fnmatchcase(upper, pattern.upper()) for pattern in patterns)


def is_secret_name(name: str, allow: Iterable[str] = ()) -> bool:
    """Tell whether an environment variable name is treated as a secret.

    Args:
        name: the variable name, e.g. ``"OPENAI_API_KEY"``.
        allow: fnmatch patterns (case-insensitive) that are never secret.

    Returns:
        True when the name matches :data:`SECRET_NAME_PATTERNS` and no allow pattern.
    """
    allow = tuple(allow)
    if allow and _matches(name, allow):
        return False
    return _matches(name, SECRET_NAME_PATTERNS)


def scrubbed_env(
    base: Mapping[str, str] | None = None, allow: Iterable[str] = ()
) -> dict[str, str]:
    """Copy an environment without its secrets.

    Args:
        base: the environment to copy; ``os.environ`` when None.
        allow: fnmatch patterns (case-insensitive) of names to keep even though
            they look secret, e.g. ``["GITHUB_TOKEN"]`` or ``["MY_*"]``.

    Returns:
        A new dict with every secret-looking variable removed.
    """
    source = os.environ if base is None else base
    allow = tuple(allow)
    return {k: v for k, v in source.items() if not is_secret_name(k, allow)}


def secret_env_values(
    base: Mapping[str, str] | None = None, allow: Iterable[str] = (), min_len: int = 8
) -> list[str]:
    """The values :func:`scrubbed_env` would drop, for verbatim redaction.

    Args:
        base: the environment; ``os.environ`` when None.
        allow: as for :func:`scrubbed_env`.
        min_len: values shorter than this many characters are left out, so that
            e.g. ``DEBUG_TOKEN=1`` does not redact every "1".

    Returns:
        Distinct secret values, longest first.
    """
    source = os.environ if base is None else base
    allow = tuple(allow)
    values = {v for k, v in source.items() if len(v) >= min_len and is_secret_name(k, allow)}
    return sorted(values, key=lambda v: (-len(v), v))
