"""Slash commands: one registry, one implementation each, every face.

Public API::

    COMMANDS: tuple[Command, ...]                 # name, hint, description, run, needs
    parse_command(text) -> (Command, argument) | None
    run_command(host, command, argument) -> str   # the reply text
    offered(features) -> list[Command]            # what a face lists (/help, completions)
    available_commands(features) -> AvailableCommandsUpdate   # ACP
    CommandHost, Feature, CommandError            # what a face implements
    run_shell(session, command, call_id) -> ToolResult   # the dashboard's ``!cmd``

See :mod:`.registry` for the listing rule and :mod:`.host` for the protocol.
"""

from __future__ import annotations

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

__all__ = [
    "COMMANDS",
    "Command",
    "CommandError",
    "CommandHost",
    "Feature",
    "Pane",
    "available_commands",
    "find_command",
    "help_text",
    "offered",
    "parse_command",
    "run_command",
    "run_shell",
]
