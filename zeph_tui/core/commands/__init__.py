"""Slash commands: one registry, one implementation each, every face.

Public API::

    COMMANDS: tuple[Command, ...]                 # name, hint, description, run, needs
    parse_command(text) -> (Command, argument) | None
    run_command(host, command, argument) -> str   # the reply text
    offered(features) -> list[Command]            # what a face lists (/help, completions)
    available_commands(features) -> AvailableCommandsUpdate   # ACP
    CommandHost, Feature, CommandError            # what a face implements
    run_shell(session, command, call_id) -> ToolResult   # the dashboard's ``!cmd``

See :mod:`.registry` for the listing rule and :mod:`.host` for the protocol. Faces
import these names from the core surface (``from zeph_tui.core import ...``).
"""
