"""Headless safety building blocks used by the session's runtime layers.

* :mod:`.paths` — workspace confinement (``WorkspaceRoots``).
* :mod:`.env` — environment scrubbing for subprocesses (``scrubbed_env``).
* :mod:`.commands` — destructive shell commands and command prefixes.
* :mod:`.redact` — secret redaction (``redact``, ``Redactor``).
* :mod:`.sanitize` — untrusted content cleaning and injection flags.
* :mod:`.policy` — allow/ask/deny permission policy.
* :mod:`.ratelimit` — per-category token buckets and circuit breakers.

Only the standard library and :mod:`zeph_tui.core.errors` are imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zeph_tui.core.safety.commands import (
    SimpleCommand,
    command_prefix,
    is_destructive,
    is_simple_command,
    split_commands,
)
from zeph_tui.core.safety.env import (
    SECRET_NAME_PATTERNS,
    is_secret_name,
    scrubbed_env,
    secret_env_values,
)
from zeph_tui.core.safety.paths import WorkspaceRoots, check_path_text
from zeph_tui.core.safety.policy import (
    EDIT_KINDS,
    READ_ONLY_KINDS,
    Action,
    Mode,
    PermissionPolicy,
    PermissionRule,
    PolicyDecision,
    parse_rules,
)
from zeph_tui.core.safety.ratelimit import (
    BreakerConfig,
    CircuitOpen,
    RateLimit,
    RateLimited,
    ToolRateLimiter,
)
from zeph_tui.core.safety.redact import Redactor, redact, shannon_entropy
from zeph_tui.core.safety.sanitize import SanitizedText, sanitize, wrap_untrusted

if TYPE_CHECKING:
    from zeph_tui.core.safety.sanitize import INJECTION_PATTERNS

__all__ = [
    "EDIT_KINDS",
    "INJECTION_PATTERNS",
    "READ_ONLY_KINDS",
    "SECRET_NAME_PATTERNS",
    "Action",
    "BreakerConfig",
    "CircuitOpen",
    "Mode",
    "PermissionPolicy",
    "PermissionRule",
    "PolicyDecision",
    "RateLimit",
    "RateLimited",
    "Redactor",
    "SanitizedText",
    "SimpleCommand",
    "ToolRateLimiter",
    "WorkspaceRoots",
    "check_path_text",
    "command_prefix",
    "is_destructive",
    "is_secret_name",
    "is_simple_command",
    "parse_rules",
    "redact",
    "sanitize",
    "scrubbed_env",
    "secret_env_values",
    "shannon_entropy",
    "split_commands",
    "wrap_untrusted",
]


def __getattr__(name: str) -> object:
    if name == "INJECTION_PATTERNS":  # compiled on first use (see .sanitize)
        from zeph_tui.core.safety.sanitize import _injection_patterns

        return _injection_patterns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
