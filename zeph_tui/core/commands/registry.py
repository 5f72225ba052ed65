"""The one slash-command registry every face uses.

A :class:`Command` has a name, an argument hint, a description, the face
:data:`~zeph_tui.core.commands.host.Feature` it needs (None: every face) and
one implementation in :mod:`zeph_tui.core.commands.builtin`. Faces parse with
:func:`parse_command`, run with :func:`run_command` and list with
:func:`offered` (``/help``, the dashboard's completions, ACP
``available_commands_update``, spec
https://agentclientprotocol.com/protocol/v1/slash-commands).

A command whose feature the face lacks is **not listed** by that face (an ACP
client shows ``availableCommands`` as they are, so an entry it cannot use
would be noise); typed anyway, it answers one line naming the reason and what
to use instead. ``/help`` ends with that list of unavailable commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from zeph_tui.core.commands import builtin
from zeph_tui.core.commands.host import CommandHost, Feature
from zeph_tui.core.errors import ZephError
from zeph_tui.core.events import AvailableCommand, AvailableCommandsUpdate

__all__ = [
    "COMMANDS",
    "Command",
    "available_commands",
    "find_command",
    "help_text",
    "offered",
    "parse_command",
    "run_command",
]

Implementation = Callable[[CommandHost, str], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Command:
    """One slash command.

    Attributes:
        name: typed after ``/`` (lower case, no spaces).
        hint: the argument, as shown to people (``""``: none).
        description: one line.
        run: the implementation; returns the reply text.
        needs: the face feature it needs (None: every face offers it).
        aliases: other names that run it.
    """

    name: str
    hint: str
    description: str
    run: Implementation
    needs: Feature | None = None
    aliases: tuple[str, ...] = ()


async def _help(host: CommandHost, argument: str) -> str:
    return help_text(host)


COMMANDS: tuple[Command, ...] = (
    Command("help", "", "List the commands", _help),
    Command("model", "[ID]", "Show or switch the model", builtin.model),
    Command("mode", "[MODE]", "Show or switch the permission mode", builtin.mode),
    Command("compact", "", "Summarise the conversation now", builtin.compact),
    Command("clear", "", "Forget the conversation so far", builtin.clear),
    Command("title", "TITLE", "Retitle this session", builtin.title),
    Command("rename", "PATH:LINE:COL NEW_NAME", "Rename a symbol everywhere", builtin.rename),
    Command("diagnostics", "[PATH]", "Language-server diagnostics", builtin.diagnostics),
    Command("skills", "", "List the available skills", builtin.skills),
    Command("memory", "[list|search Q|show ID|forget ID]", "Long-term memories", builtin.memory),
    Command(
        "plan", "GOAL | resume [ID]", "Split a goal into sub-agent tasks and run them", builtin.plan
    ),
    Command("undo", "", "Restore the last checkpoint", builtin.undo),
    Command("export", "[PATH]", "Write this session as Markdown", builtin.export),
    Command("new", "", "Start a new empty session", builtin.new, "sessions"),
    Command("sessions", "", "List, resume or start sessions", builtin.sessions, "sessions"),
    Command("git", "", "Show git status and diff", builtin.git, "panes"),
    Command("quit", "", "Leave zeph-tui", builtin.quit_face, "quit", ("exit",)),
)
"""Every slash command, in the order ``/help`` lists them. ``/mode`` takes ask,
accept-edits (ACP ``code``), plan or bypass; ``/clear`` keeps the session (and
its messages in the store) but empties the context; ``/rename`` is the
language-server rename, ``/title`` retitles the session."""

_BY_NAME = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}


def find_command(name: str) -> Command | None:
    """The command named ``name`` (or one of its aliases), case-insensitive."""
    return _BY_NAME.get(name.lower())


def offered(host_features: frozenset[Feature]) -> list[Command]:
    """The commands a face with ``host_features`` lists, in registry order."""
    return [c for c in COMMANDS if c.needs is None or c.needs in host_features]


def parse_command(text: str) -> tuple[Command, str] | None:
    """``(command, argument)`` when ``text`` is ``/<known name> [argument]``, else None."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    name, _, argument = text[1:].partition(" ")
    command = find_command(name)
    return None if command is None else (command, argument.strip())


def _usage(command: Command) -> str:
    return f"/{command.name} {command.hint}".rstrip()


def help_text(host: CommandHost) -> str:
    """``/help``: the commands this face offers, then those it does not and why."""
    shown = offered(host.features)
    rows = [(_usage(c), c.description) for c in shown]
    width = max(len(left) for left, _ in [*rows, *host.help_notes]) + 2
    lines = ["Commands:"] + [f"  {left.ljust(width)}{right}" for left, right in rows]
    missing = [c for c in COMMANDS if c not in shown]
    if missing:
        names = ", ".join(f"/{c.name}" for c in missing)
        lines.append(f"Not offered by the {host.face}: {names}.")
    if host.help_notes:
        lines += ["", *(f"  {left.ljust(width)}{right}" for left, right in host.help_notes)]
    return "\n".join(lines)


def available_commands(host_features: frozenset[Feature]) -> AvailableCommandsUpdate:
    """The ACP ``available_commands_update`` of a face (``$defs/AvailableCommandsUpdate``)."""
    return AvailableCommandsUpdate(
        tuple(
            AvailableCommand(c.name, c.description, c.hint or None) for c in offered(host_features)
        )
    )


async def run_command(host: CommandHost, command: Command, argument: str) -> str:
    """Run ``command`` in ``host``; returns the reply text (``""``: nothing to say).

    A person's mistake (:class:`~zeph_tui.core.errors.ZephError`, e.g. an
    unknown mode, a bad rename target, nothing to undo) is the reply, never an
    exception; a feature the face lacks answers :meth:`CommandHost.unavailable_reason`.
    """
    if command.needs is not None and command.needs not in host.features:
        return f"/{command.name} is not available in the {host.face}: " + host.unavailable_reason(
            command.needs
        )
    try:
        return await command.run(host, argument)
    except ZephError as exc:
        return str(exc)
