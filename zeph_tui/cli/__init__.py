"""Command line: argument parsing and lazy dispatch (one module per subcommand: ``run``,
``overflow``, ``skills``, ``rename``; the ``acp`` and ``lsp`` faces live in ``zeph_tui.drivers``).

The public contract (names kept stable)::

    zeph-tui [--workspace DIR] [--provider NAME] [--model ID] [--yes] [--resume [ID]]
    zeph-tui run [--workspace DIR] [--json] [--yes] [--record PATH | --replay PATH] PROMPT
    zeph-tui replay PATH [--workspace DIR] [--json]
    zeph-tui memory list | search QUERY [--workspace DIR] [--all] [--json] | show ID | forget ID
    zeph-tui overflow list | show ID [--offset N --limit N --grep RE]
    zeph-tui export ID [-o PATH]
    zeph-tui skills list [--json] | search QUERY [--json] | show NAME
    zeph-tui agents list [--json] | show NAME
    zeph-tui plan [--json] [--yes] GOAL | --resume [ID]
    zeph-tui rename PATH:LINE:COL NEW_NAME [--dry-run] [--json] [--yes]
    zeph-tui acp
    zeph-tui lsp
    zeph-tui --version

Only argparse is imported here; each command imports what it needs when it
runs, so ``--version`` costs an interpreter start and little more.

A user's mistake (a bad argument, an unknown provider, a bad setting, an
unusable ``ZEPH_HOME`` or database) prints one line ``zeph-tui: ...`` on
stderr and exits 2, never a traceback. Every command but ``acp`` checks the
settings and the database before it starts (:func:`zeph_tui.core.config.preflight`);
``acp`` answers those as JSON-RPC errors at ``session/new``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

__all__ = ["add_actions", "build_parser", "main"]

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (argparse's own prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _common(p: argparse.ArgumentParser, *, model_options: bool = True) -> None:
    p.add_argument(
        "--workspace",
        "-w",
        default=".",
        metavar="DIR",
        help="repository to work in (default: current directory)",
    )
    if model_options:
        p.add_argument(
            "--provider",
            metavar="NAME",
            help="anthropic | openai | local (default: resolved from the environment)",
        )
        p.add_argument("--model", metavar="ID", help="model id for the provider")
    p.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="approve every tool call (permission mode 'bypass')",
    )


def add_actions(
    sub: argparse._SubParsersAction[Any],
    command: str,
    helptext: str,
    actions: dict[str, str],
) -> dict[str, argparse.ArgumentParser]:
    """Add ``command`` with required sub-actions (``zeph-tui COMMAND ACTION ...``).

    Args:
        sub: the CLI's subparsers.
        command: the command's name; the chosen action lands in ``args.action``.
        helptext: the command's line in ``--help``.
        actions: action name -> its line in ``COMMAND --help``, in that order.

    Returns:
        The parser of each action, by name, for its own arguments.
    """
    parser = sub.add_parser(command, help=helptext)
    chosen = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    return {name: chosen.add_parser(name, help=line) for name, line in actions.items()}


def _tape_options(p: argparse.ArgumentParser) -> None:
    tape = p.add_mutually_exclusive_group()
    tape.add_argument("--record", metavar="PATH", help="record model calls to a JSONL tape")
    tape.add_argument("--replay", metavar="PATH", help="answer model calls from a tape")


def build_parser() -> argparse.ArgumentParser:
    from zeph_tui import __version__

    parser = _Parser(
        prog="zeph-tui",
        description="A coding assistant for the terminal and the editor.",
    )
    parser.add_argument("--version", action="version", version=f"zeph-tui {__version__}")
    _common(parser)
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        default=None,
        metavar="ID",
        help="resume a session (the latest in this workspace without ID)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run one prompt headless until the turn ends")
    _common(run)
    run.add_argument(
        "--json",
        action="store_true",
        help="print each event as one JSON object per line (ACP update shape)",
    )
    run.add_argument("prompt", metavar="PROMPT", help="the prompt ('-' reads stdin)")
    _tape_options(run)
    replay = sub.add_parser("replay", help="re-run a recorded session and say if it matched")
    replay.add_argument("tape", metavar="PATH", help="a tape written by --record")
    replay.add_argument("--workspace", "-w", default=".", metavar="DIR")
    replay.add_argument("--json", action="store_true", help="print events as `run --json` does")

    ovf = add_actions(
        sub,
        "overflow",
        "inspect the archive of long tool output",
        {"list": "recent archives", "show": "page or grep one archive"},
    )
    ovf["list"].add_argument("--limit", type=int, default=50)
    ovf["show"].add_argument("id", metavar="ID")
    ovf["show"].add_argument(
        "--offset", type=int, default=0, help="lines to skip (0 starts at line 1)"
    )
    ovf["show"].add_argument("--limit", type=int, default=200, help="max lines")
    ovf["show"].add_argument("--grep", metavar="RE", help="only lines matching this regex")

    skills = add_actions(
        sub,
        "skills",
        "list, search and show skills",
        {"list": "all skills", "search": "rank skills for a query", "show": "print one skill"},
    )
    for sp in skills.values():
        sp.add_argument("--workspace", "-w", default=".", metavar="DIR")
    skills["search"].add_argument("query", metavar="QUERY")
    skills["show"].add_argument("name", metavar="NAME")
    for name in ("list", "search"):
        skills[name].add_argument("--json", action="store_true")

    from zeph_tui.cli.agents import add_parser as add_agents_parser
    from zeph_tui.cli.memory import add_parser as add_memory_parser

    add_memory_parser(sub)
    add_agents_parser(sub)
    from zeph_tui.cli.plan import add_parser as add_plan_parser

    add_plan_parser(sub, _common)

    from zeph_tui.cli.export import add_parser as add_export_parser

    add_export_parser(sub)

    rename = sub.add_parser("rename", help="rename a symbol with its call sites (LSP)")
    _common(rename, model_options=False)
    rename.add_argument("target", metavar="PATH:LINE:COL", help="1-based line and column")
    rename.add_argument("new_name", metavar="NEW_NAME")
    rename.add_argument("--dry-run", action="store_true", help="show call sites and diff only")
    rename.add_argument("--json", action="store_true", help="last stdout line is a JSON report")

    acp = sub.add_parser("acp", help="run as an ACP agent on stdio (Zed, VS Code, ...)")
    acp.add_argument("--provider", metavar="NAME")
    acp.add_argument("--model", metavar="ID")
    acp.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="serve ACP over HTTP+SSE and WebSocket instead of stdio (token: ZEPH_ACP_TOKEN)",
    )
    lsp = sub.add_parser("lsp", help="run as a language server on stdio (Helix, Neovim)")
    lsp.add_argument("--workspace", "-w", default=None, metavar="DIR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zeph-tui`` console script. Returns the exit code.

    0 ok, 1 a command failed (see each command), 2 a user's mistake (one
    line on stderr), 130 interrupted.
    """
    args = build_parser().parse_args(argv)
    from zeph_tui.core.safety.keys import protect_process_secrets

    protect_process_secrets()  # keys out of children's reach before anything starts
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from zeph_tui.core.failed_turn import user_message

        message = user_message(exc)
        if message is None:
            raise
        print(f"zeph-tui: {message}", file=sys.stderr)
        return USAGE_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "acp":
        from zeph_tui.drivers.acp import main as acp_main

        if args.provider is not None:  # initialize must not wait for more than that
            from zeph_tui.core.config import check_provider_name

            check_provider_name(args.provider)
        return int(acp_main(args))
    problem = getattr(args, "usage_problem", lambda _: None)(args)  # before any store work
    if problem is not None:
        print(f"zeph-tui: {problem}", file=sys.stderr)
        return USAGE_ERROR
    from zeph_tui.core.config import preflight

    args.settings = preflight(provider=getattr(args, "provider", None))
    return _command(command)(args)


def _command(command: str | None) -> Callable[[argparse.Namespace], int]:
    if command == "run":
        from zeph_tui.cli.run import run

        return run
    if command == "replay":
        from zeph_tui.cli.replay import run as replay

        return replay
    if command == "memory":
        from zeph_tui.cli.memory import run as memory

        return memory
    if command == "overflow":
        from zeph_tui.cli.overflow import run as overflow

        return overflow
    if command == "plan":
        from zeph_tui.cli.plan import run as plan

        return plan
    if command == "agents":
        from zeph_tui.cli.agents import run as agents

        return agents
    if command == "export":
        from zeph_tui.cli.export import run as export

        return export
    if command == "skills":
        from zeph_tui.cli.skills import run as skills

        return skills
    if command == "rename":
        from zeph_tui.cli.rename import run as rename

        return rename
    if command == "lsp":
        from zeph_tui.drivers.lsp_face import main as lsp_main

        return lsp_main
    from zeph_tui.ui import main as ui_main

    return ui_main


if __name__ == "__main__":
    sys.exit(main())
