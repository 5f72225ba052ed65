"""The headless core of zeph-tui: what every face (dashboard, ACP, LSP, CLI) builds on.

The faces import from here rather than from the rooms below; names load lazily
(PEP 562 ``__getattr__``) so ``import zeph_tui.core`` costs nothing at start-up.

Rooms:

- ``session/``: the :class:`Session` turn loop, context budgets and compaction,
  the system prompt and project instructions, prompt blocks, the replay recorder.
- ``layers/``: the :class:`~zeph_tui.core.layers.base.Layer` protocol, the stack and every
  layer (permission, rate limit, redaction, audit, sanitise, rename preview).
- ``code/``: code intelligence (diagnostics, hover, changes, render), outlines,
  the repository map and rename with call sites.
- ``tools/``: the tools the model sees, and the model's head+tail copy of long output.
- ``store/``: SQLite (sessions, messages, events, tool calls, the overflow archive).
- ``safety/``: paths, commands, policy, environment, redaction, sanitising.
- ``skills/``, ``providers/``: SKILL.md skills; Anthropic, OpenAI-compatible, local models,
  and the router over them (cascade, triage, latency; failover).
- ``agents/``: sub-agents (``.claude/agents/*.md`` definitions, the ``task`` tool, child
  sessions with their own tool scope) and task graphs persisted in SQLite.
- ``commands/``: the one slash-command registry every face uses (``/help``, ``/mode``,
  ``/rename`` ...), each command implemented once against a small host protocol.
- ``memory/``, ``replay/``: long-term memory; record/replay of model calls.

At the top: :mod:`.errors` (the one exception tree), :mod:`.events` (the one event
model, shaped like ACP ``session/update``), :mod:`.config`, :mod:`.ports` (what a
face implements), :mod:`.runtime` (the app factory), :mod:`.checkpoints` (git),
:mod:`.failed_turn`, :mod:`.warmup` and :mod:`.tasks` (owned background work),
:mod:`.text` (counting words for messages) and :mod:`.front_matter` (the YAML header
of SKILL.md and agent files).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeph_tui.core.checkpoints import CheckpointError, create_checkpoint, undo_last
    from zeph_tui.core.code.rename import (
        RenameError,
        RenamePlan,
        apply_rename,
        parse_target,
        plan_rename,
        render_call_sites,
    )
    from zeph_tui.core.commands.builtin import switch_model
    from zeph_tui.core.commands.host import CommandError, CommandHost, Feature, Pane
    from zeph_tui.core.commands.registry import (
        COMMANDS,
        Command,
        available_commands,
        find_command,
        help_text,
        offered,
        parse_command,
        run_command,
    )
    from zeph_tui.core.commands.shell import run_shell
    from zeph_tui.core.config import Settings, db_path, load_settings, zeph_home
    from zeph_tui.core.errors import (
        ConfigError,
        PermissionDenied,
        PromptInProgress,
        ProviderError,
        SkillError,
        StoreError,
        ToolError,
        ZephError,
    )
    from zeph_tui.core.ports import (
        Approver,
        Asker,
        ClientTerminal,
        Elicitation,
        ElicitationAnswer,
        EventSink,
        LocalFS,
        PermissionOutcome,
        PermissionRequest,
        WorkspaceFS,
    )
    from zeph_tui.core.runtime import Runtime
    from zeph_tui.core.session.options import MODES, SessionOptions
    from zeph_tui.core.session.prompt_blocks import PromptBlock, TextBlock
    from zeph_tui.core.session.session import Session
    from zeph_tui.core.store import Store, open_store

_SURFACE: dict[str, str] = {
    "COMMANDS": "commands.registry",
    "Command": "commands.registry",
    "CommandError": "commands.host",
    "CommandHost": "commands.host",
    "Feature": "commands.host",
    "Pane": "commands.host",
    "available_commands": "commands.registry",
    "find_command": "commands.registry",
    "help_text": "commands.registry",
    "offered": "commands.registry",
    "parse_command": "commands.registry",
    "run_command": "commands.registry",
    "run_shell": "commands.shell",
    "switch_model": "commands.builtin",
    "CheckpointError": "checkpoints",
    "create_checkpoint": "checkpoints",
    "undo_last": "checkpoints",
    "RenameError": "code.rename",
    "RenamePlan": "code.rename",
    "apply_rename": "code.rename",
    "parse_target": "code.rename",
    "plan_rename": "code.rename",
    "render_call_sites": "code.rename",
    "Settings": "config",
    "db_path": "config",
    "load_settings": "config",
    "zeph_home": "config",
    "ConfigError": "errors",
    "PermissionDenied": "errors",
    "PromptInProgress": "errors",
    "ProviderError": "errors",
    "SkillError": "errors",
    "StoreError": "errors",
    "ToolError": "errors",
    "ZephError": "errors",
    "Approver": "ports",
    "Asker": "ports",
    "ClientTerminal": "ports",
    "Elicitation": "ports",
    "ElicitationAnswer": "ports",
    "EventSink": "ports",
    "LocalFS": "ports",
    "PermissionOutcome": "ports",
    "PermissionRequest": "ports",
    "WorkspaceFS": "ports",
    "Runtime": "runtime",
    "PromptBlock": "session.prompt_blocks",
    "TextBlock": "session.prompt_blocks",
    "MODES": "session.options",
    "Session": "session.session",
    "SessionOptions": "session.options",
    "Store": "store",
    "open_store": "store",
}

__all__ = [
    "COMMANDS",
    "MODES",
    "Approver",
    "Asker",
    "CheckpointError",
    "ClientTerminal",
    "Command",
    "CommandError",
    "CommandHost",
    "ConfigError",
    "Elicitation",
    "ElicitationAnswer",
    "EventSink",
    "Feature",
    "LocalFS",
    "Pane",
    "PermissionDenied",
    "PermissionOutcome",
    "PermissionRequest",
    "PromptBlock",
    "PromptInProgress",
    "ProviderError",
    "RenameError",
    "RenamePlan",
    "Runtime",
    "Session",
    "SessionOptions",
    "Settings",
    "SkillError",
    "Store",
    "StoreError",
    "TextBlock",
    "ToolError",
    "WorkspaceFS",
    "ZephError",
    "apply_rename",
    "available_commands",
    "create_checkpoint",
    "db_path",
    "find_command",
    "help_text",
    "load_settings",
    "offered",
    "open_store",
    "parse_command",
    "parse_target",
    "plan_rename",
    "render_call_sites",
    "run_command",
    "run_shell",
    "switch_model",
    "undo_last",
    "zeph_home",
]


def __getattr__(name: str) -> Any:
    """Load one name of the curated surface on first use (PEP 562)."""
    try:
        module = _SURFACE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    qualified = f"{__name__}.{module}"
    __import__(qualified)  # the import statement's path, so ``-X importtime`` sees it
    value = getattr(sys.modules[qualified], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SURFACE])
