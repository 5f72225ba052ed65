"""Session modes and config options as ACP shows them (stdlib only).

Spec: https://agentclientprotocol.com/protocol/v1/session-modes and
/session-config-options. ACP mode ids: ``ask``, ``code`` (the core's
``accept-edits``), ``plan`` (read-only), ``bypass``. Config options: ``mode``
(category ``mode``, the permission behaviour) and ``model`` (category ``model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ACP_MODES",
    "CONFIG_MODE",
    "CONFIG_MODEL",
    "CONFIG_THINKING",
    "config_options",
    "from_acp_mode",
    "mode_state",
    "to_acp_mode",
]

CONFIG_MODE = "mode"
CONFIG_MODEL = "model"
CONFIG_THINKING = "thinking"

ACP_MODES: tuple[tuple[str, str, str, str], ...] = (
    ("ask", "ask", "Ask", "Reads run freely; edits and commands ask first."),
    ("code", "accept-edits", "Code", "Edits are accepted; commands ask first."),
    ("plan", "plan", "Plan", "Read-only: explore and plan, no edits or commands."),
    ("bypass", "bypass", "Bypass", "Everything runs without asking (destructive commands ask)."),
)
"""``(acp id, core mode, name, description)``."""

_TO_ACP = {core: acp_id for acp_id, core, _n, _d in ACP_MODES}
_FROM_ACP = {acp_id: core for acp_id, core, _n, _d in ACP_MODES}


def to_acp_mode(core_mode: str) -> str:
    """The ACP mode id of a core mode (``accept-edits`` -> ``code``)."""
    return _TO_ACP.get(core_mode, core_mode)


def from_acp_mode(acp_mode: str) -> str:
    """The core mode of an ACP mode id.

    Raises:
        KeyError: unknown id (the caller answers ``-32602`` naming the field).
    """
    return _FROM_ACP[acp_mode]


def mode_state(core_mode: str) -> dict[str, Any]:
    """``$defs/SessionModeState`` for a session in ``core_mode``."""
    return {
        "currentModeId": to_acp_mode(core_mode),
        "availableModes": [
            {"id": acp_id, "name": name, "description": desc}
            for acp_id, _core, name, desc in ACP_MODES
        ],
    }


def config_options(
    core_mode: str, model: str, models: Sequence[str], thinking: bool | None = None
) -> list[dict[str, Any]]:
    """``$defs/SessionConfigOption`` list: permission mode and model selectors, thinking toggle.

    Args:
        core_mode: the session's current core mode.
        model: the current model id.
        models: model ids to offer (``model`` is added when missing).
        thinking: extended thinking on/off as a ``boolean`` option (category
            ``thought_level``); None leaves it out (the client did not advertise
            ``session.configOptions.boolean``).
    """
    choices = list(dict.fromkeys([model, *models])) if model else list(models)
    options: list[dict[str, Any]] = [
        {
            "id": CONFIG_MODE,
            "name": "Permission mode",
            "description": "When the agent asks before running tools.",
            "category": "mode",
            "type": "select",
            "currentValue": to_acp_mode(core_mode),
            "options": [
                {"value": acp_id, "name": name, "description": desc}
                for acp_id, _core, name, desc in ACP_MODES
            ],
        },
        {
            "id": CONFIG_MODEL,
            "name": "Model",
            "category": "model",
            "type": "select",
            "currentValue": model or "default",
            "options": [{"value": m, "name": m} for m in choices]
            or [{"value": "default", "name": "default"}],
        },
    ]
    if thinking is not None:
        options.append(
            {
                "id": CONFIG_THINKING,
                "name": "Extended thinking",
                "description": "Let the model think before it answers (uses more tokens).",
                "category": "thought_level",
                "type": "boolean",
                "currentValue": thinking,
            }
        )
    return options
