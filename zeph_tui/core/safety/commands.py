"""Shell command analysis: destructive patterns, simple-command checks, prefixes.

The permission policy asks before running any command that
:func:`is_destructive` reports, even in bypass mode. The analysis is
deliberately conservative (it may ask about a harmless command, it should not
miss a destructive one):

* the command is split with :mod:`shlex` (POSIX rules, so quoting such as
  ``r''m`` or ``"/"`` is undone) into simple commands at ``;``, ``&&``, ``||``,
  ``|``, ``&``, newlines and parentheses;
* ``$( … )`` and backtick substitutions and the string after ``sh -c`` /
  ``bash -c`` / ``eval`` are analysed as commands too;
* wrappers (``sudo``, ``env VAR=1``, ``nohup``, ``time``, ``nice``, ``xargs``,
  ``command``, ``exec`` …) and directories of the program (``/bin/rm``) are
  stripped before matching.

Known over-detection, on purpose: a backtick inside single quotes
(``echo '`rm -rf ~`'``) is analysed as a substitution too, so it asks.
Not caught: commands built at run time from variables (``$CMD``), aliases and
functions defined earlier in the same shell, and scripts the command runs.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "SimpleCommand",
    "command_prefix",
    "is_destructive",
    "is_simple_command",
    "split_commands",
]

_PUNCT = "();<>|&\n"
_SEPARATOR_CHARS = frozenset(";|&\n()")
_WRAPPERS = frozenset(
    {"sudo", "doas", "nohup", "time", "nice", "ionice", "command", "builtin", "exec",
     "stdbuf", "xargs", "timeout", "env", "then", "do", "else", "if", "while", "until",
     "!", "{", "}"}
)  # fmt: skip
_WRAPPER_ARG_OPTS = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}),
    "nice": frozenset({"-n"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "xargs": frozenset({"-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
}
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish", "ash", "csh", "tcsh"})
_INTERPRETERS = _SHELLS | frozenset({"python", "python3", "perl", "ruby", "node", "php"})
_SUBST = re.compile(r"\$\(([^()]*)\)|`([^`]*)`|<\(([^()]*)\)")
_FORK_BOMB = re.compile(r"(\S+)\(\)\{\1\|\1&\};\1")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_BLOCK_DEV = re.compile(
    r"^/dev/(?!(?:null|zero|full|random|urandom|tty\w*|stdout|stderr|stdin|fd/\d+|pts/\d+)$)\S+"
)
_HOME_TARGETS = frozenset({"~", "~/", "~/*", "$HOME", "$HOME/", "$HOME/*", "${HOME}",
                           "${HOME}/", "${HOME}/*"})  # fmt: skip
_CWD_TARGETS = frozenset({"*", ".", "./", "./*", "..", "../", "../*", ".*"})
_MAX_DEPTH = 4


@dataclass(frozen=True)
class SimpleCommand:
    """One simple command of a command line.

    Attributes:
        argv: words after quote removal, wrappers stripped, ``argv[0]`` a basename.
        redirects: ``(operator, target)`` pairs such as ``(">", "/dev/sda")``.
        pipeline: index of the pipeline this command belongs to; commands joined
            by ``|`` share it.
    """

    argv: tuple[str, ...]
    redirects: tuple[tuple[str, str], ...]
    pipeline: int


def _tokens(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=_PUNCT)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to a naive split
        return command.replace('"', " ").replace("'", " ").split()


def _strip_wrappers(argv: list[str]) -> list[str]:
    i = 0
    while i < len(argv):
        word = argv[i]
        base = posixpath.basename(word)
        if _ASSIGN.match(word):
            i += 1
            continue
        if base not in _WRAPPERS:
            break
        i += 1
        arg_opts = _WRAPPER_ARG_OPTS.get(base, frozenset())
        while i < len(argv) and argv[i].startswith("-"):
            i += 2 if argv[i] in arg_opts else 1
        if base == "timeout" and i < len(argv) and re.fullmatch(r"[\d.]+[smhd]?", argv[i]):
            i += 1
    rest = argv[i:]
    if rest:
        rest[0] = posixpath.basename(rest[0])
    return rest


def _split_once(command: str, pipeline_base: int) -> Iterator[SimpleCommand]:
    argv: list[str] = []
    redirects: list[tuple[str, str]] = []
    pipeline = pipeline_base
    tokens = _tokens(command)
    i = 0

    def flush() -> SimpleCommand | None:
        stripped = _strip_wrappers(argv)
        if not stripped and not redirects:
            return None
        return SimpleCommand(tuple(stripped), tuple(redirects), pipeline)

    while i < len(tokens):
        tok = tokens[i]
        if tok and all(c in _PUNCT for c in tok):
            is_redirect = tok.startswith(("<", ">", "&>"))
            if not is_redirect and any(c in _SEPARATOR_CHARS for c in tok):
                done = flush()
                if done is not None:
                    yield done
                argv, redirects = [], []
                if tok not in ("|", "|&"):
                    pipeline += 1
                i += 1
                continue
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            redirects.append((tok, target))
            if argv and argv[-1].isdigit():  # "2>" was split as "2", ">"
                argv.pop()
            i += 2
            continue
        if tok == "$" and i + 1 < len(tokens) and tokens[i + 1].startswith("("):
            i += 1
            continue
        argv.append(tok)
        i += 1
    done = flush()
    if done is not None:
        yield done


def split_commands(command: str) -> list[SimpleCommand]:
    """Split a command line into its simple commands, substitutions included.

    Args:
        command: a shell command line as the model gave it.

    Returns:
        Every simple command found, in order; commands inside ``$( )``,
        backticks, ``<( )``, ``sh -c STRING`` and ``eval STRING`` follow the
        commands they appear in. Nesting is followed up to a fixed depth.
    """
    out: list[SimpleCommand] = []
    pending: list[tuple[str, int]] = [(command, 0)]
    while pending:
        text, depth = pending.pop(0)
        # A backtick ends the command before it: split there, analyse its inside below.
        found = list(_split_once(text.replace("`", "\n"), pipeline_base=len(out) * 1000))
        out.extend(found)
        if depth >= _MAX_DEPTH:
            continue
        for m in _SUBST.finditer(text):
            inner = next(g for g in m.groups() if g is not None)
            pending.append((inner, depth + 1))
        for cmd in found:
            inner_cmd = _inner_script(cmd.argv)
            if inner_cmd is not None:
                pending.append((inner_cmd, depth + 1))
    return out


def _inner_script(argv: tuple[str, ...]) -> str | None:
    if not argv:
        return None
    if argv[0] == "eval":
        return " ".join(argv[1:])
    if argv[0] in _SHELLS:
        for j, word in enumerate(argv[1:], start=1):
            if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
                return argv[j + 1] if j + 1 < len(argv) else None
    return None


def _short_flags(args: tuple[str, ...]) -> str:
    return "".join(a[1:] for a in args if a.startswith("-") and not a.startswith("--"))


def _is_root_like(target: str) -> bool:
    if target in _HOME_TARGETS or target in _CWD_TARGETS:
        return True
    norm = target.rstrip("/*") if target not in ("/", "/*") else "/"
    if norm in ("", "/"):
        return True
    return norm.startswith("/") and norm.count("/") == 1  # /etc, /usr, /home


def _check_rm(args: tuple[str, ...]) -> str | None:
    flags = _short_flags(args)
    recursive = "r" in flags or "R" in flags or "--recursive" in args
    if "--no-preserve-root" in args:
        return "rm --no-preserve-root"
    if not recursive:
        return None
    targets = [a for a in args if not a.startswith("-")]
    for target in targets:
        if _is_root_like(target):
            return f"recursive rm of {target!r} (root, home, a top-level or the whole current directory)"
    return None


def _check_git(args: tuple[str, ...]) -> str | None:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in ("-C", "-c") else 1
    if i >= len(args):
        return None
    sub, rest = args[i], args[i + 1 :]
    if sub == "push":
        flags = _short_flags(rest)
        if "f" in flags or any(a.startswith(("--force", "--mirror")) for a in rest):
            return "git push --force rewrites remote history"
        if any(a.startswith("+") for a in rest if not a.startswith("-")):
            return "git push with a +refspec is a force push"
        if "--delete" in rest or "d" in flags:
            return "git push --delete removes a remote branch"
    if sub == "reset" and "--hard" in rest:
        return "git reset --hard discards uncommitted changes"
    if sub == "clean" and ("f" in _short_flags(rest) or "--force" in rest):
        return "git clean -f deletes untracked files"
    return None


def _check_simple(cmd: SimpleCommand) -> str | None:
    for op, target in cmd.redirects:
        if ">" in op and _BLOCK_DEV.match(target):
            return f"redirection to the device {target!r}"
    if not cmd.argv:
        return None
    prog, args = cmd.argv[0], cmd.argv[1:]
    if prog == "rm":
        return _check_rm(args)
    if prog == "git":
        return _check_git(args)
    if prog.startswith(("mkfs", "mke2fs")) or prog in ("wipefs", "mkswap"):
        return f"{prog} formats a file system"
    if prog == "dd":
        for a in args:
            if a.startswith("of=") and _BLOCK_DEV.match(a[3:]):
                return f"dd writing to the device {a[3:]!r}"
    if prog in ("chmod", "chown", "chgrp"):
        targets = [a for a in args[1:] if not a.startswith("-")]
        if any(_is_root_like(t) and t not in _CWD_TARGETS for t in targets):
            return f"{prog} of the root, home or a top-level directory"
    if prog in ("shred",) and any(_BLOCK_DEV.match(a) for a in args):
        return "shred of a device"
    if prog in ("shutdown", "reboot", "halt", "poweroff"):
        return f"{prog} stops the machine"
    if (
        prog == "find"
        and "-delete" in args
        and any(_is_root_like(a) and a not in _CWD_TARGETS for a in args[:1])
    ):
        return "find -delete from the root or home directory"
    return None


def _check_pipelines(cmds: list[SimpleCommand]) -> str | None:
    fetched: set[int] = set()
    for cmd in cmds:
        if not cmd.argv:
            continue
        if cmd.argv[0] in ("curl", "wget", "fetch"):
            fetched.add(cmd.pipeline)
        elif cmd.pipeline in fetched and cmd.argv[0] in _INTERPRETERS:
            return f"piping a download into {cmd.argv[0]} runs unreviewed code"
    return None


_RAW_DOWNLOAD_EXEC = re.compile(
    r"\b(?:ba|z|da|k)?sh\b[^\n;&|]*(?:<\(|\$\(|`)\s*(?:curl|wget)\b"
    r"|\b(?:source|\.)\s+<\(\s*(?:curl|wget)\b"
)


def is_destructive(command: str) -> str | None:
    """Tell whether a command line contains an always-ask destructive command.

    Caught: recursive ``rm`` of ``/``, ``~``, ``$HOME``, ``*``, ``.``, ``..`` or a
    top-level directory; ``rm --no-preserve-root``; ``git push --force``/``-f``/
    ``--force-with-lease``/``--mirror``/``+refspec``/``--delete``;
    ``git reset --hard``; ``git clean -f``; a download (``curl``, ``wget``) piped
    into a shell or interpreter, or run via ``sh <(curl …)`` / ``sh -c "$(curl …)"``;
    ``mkfs*``, ``mke2fs``, ``mkswap``, ``wipefs``; ``dd of=/dev/…`` and ``>``
    redirection to a device (``/dev/null``, ``/dev/tty`` and similar excepted);
    ``chmod``/``chown``/``chgrp`` of ``/``, home or a top-level directory;
    ``shred`` of a device; ``find / -delete``; shutdown/reboot/halt/poweroff;
    the classic fork bomb.

    Args:
        command: the shell command line.

    Returns:
        A one-line reason when something destructive is found, else None.
    """
    if _FORK_BOMB.search(re.sub(r"\s+", "", command)):
        return "fork bomb"
    if _RAW_DOWNLOAD_EXEC.search(command):
        return "running a downloaded script in a shell runs unreviewed code"
    cmds = split_commands(command)
    for cmd in cmds:
        reason = _check_simple(cmd)
        if reason is not None:
            return reason
    return _check_pipelines(cmds)


def is_simple_command(command: str) -> bool:
    """True when the line is one plain command: no operators, redirects or substitutions.

    Only such commands may be allowed by a remembered command prefix; ``git status
    && rm -rf x`` is not simple.
    """
    if _SUBST.search(command) or "`" in command or "$(" in command:
        return False
    if any(tok and all(c in _PUNCT for c in tok) for tok in _tokens(command)):
        return False
    cmds = split_commands(command)
    return len(cmds) == 1 and not cmds[0].redirects and _inner_script(cmds[0].argv) is None


def command_prefix(command: str) -> str:
    """The prefix that scopes an "always allow" for a command.

    The program name (basename, wrappers such as ``sudo`` or ``env X=1`` removed)
    plus the second word when it looks like a subcommand (not an option, a path,
    an assignment or a file name with a dot).

    Examples:
        ``"git status --short"`` -> ``"git status"``; ``"pytest -x tests"`` ->
        ``"pytest"``; ``"npm run build"`` -> ``"npm run"``;
        ``"python script.py"`` -> ``"python"``.

    Returns:
        The prefix for the first simple command; ``""`` for an empty line.
    """
    cmds = split_commands(command)
    if not cmds or not cmds[0].argv:
        return ""
    argv = cmds[0].argv
    if len(argv) > 1 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_:-]*", argv[1]):
        return f"{argv[0]} {argv[1]}"
    return argv[0]
