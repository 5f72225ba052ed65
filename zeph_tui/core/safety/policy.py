"""Permission policy: allow, ask or deny each tool call.

Decision order for :meth:`PermissionPolicy.decide` (the first step that
decides wins):

1. **Deny rules.** Every rule (configured ones, then remembered ones) is
   evaluated; if any matching rule says ``deny`` the call is denied, whatever
   the mode and whatever allow rules also match. Deny beats allow.
2. **Plan mode.** Only read-only kinds (``read``, ``search``, ``think``) are
   allowed; ``fetch`` and ``switch_mode`` ask; anything else is denied with a
   message saying plan mode is read-only.
3. **Destructive commands** (:func:`zeph_tui.core.safety.commands.is_destructive`)
   always ask, in every mode, even when a rule allows them.
4. **Bypass mode** allows everything else (ask and allow rules are not needed).
5. **First matching rule** (configured rules in order, then remembered ones)
   gives ``allow`` or ``ask``.
6. **Mode default.** ``ask``: read-only kinds allowed, everything else asks.
   ``accept-edits``: read-only kinds and edits (``edit``, ``delete``, ``move``)
   allowed, everything else asks.

Rule matching. A rule matches when its ``tool`` fnmatch pattern matches the
tool name (case-sensitive), and, if it has a ``path`` glob, the call has a path
that matches it (fnmatch, where ``*`` also crosses ``/``; the path is
normalised with ``posixpath.normpath``, so pass the workspace-relative form
from ``WorkspaceRoots.display_path``), and, if it has a ``command`` prefix,
the call has a command whose words start with the prefix's words. For
``deny`` and ``ask`` rules a compound command matches when *any* of its
simple commands (substitutions included) matches; an ``allow`` rule only
matches a simple command (:func:`~zeph_tui.core.safety.commands.is_simple_command`),
so ``git status && rm x`` is never allowed by a ``git status`` rule.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal, get_args

from zeph_tui.core.errors import ConfigError, ToolInputError
from zeph_tui.core.safety.commands import is_destructive, is_simple_command, split_commands

__all__ = [
    "EDIT_KINDS",
    "READ_ONLY_KINDS",
    "Action",
    "Mode",
    "PermissionPolicy",
    "PermissionRule",
    "PolicyDecision",
    "parse_rules",
]

Action = Literal["allow", "ask", "deny"]
Mode = Literal["ask", "accept-edits", "plan", "bypass"]
_ACTIONS: tuple[str, ...] = get_args(Action)
_MODES: tuple[str, ...] = get_args(Mode)
READ_ONLY_KINDS = frozenset({"read", "search", "think"})
EDIT_KINDS = frozenset({"edit", "delete", "move"})
_PLAN_ASK_KINDS = frozenset({"fetch", "switch_mode"})
_RULE_FIELDS = frozenset({"tool", "action", "path", "command"})
_GLOB_META = re.compile(r"([*?\[])")


@dataclass(frozen=True)
class PolicyDecision:
    """What to do with one tool call and why (the reason is shown to the user/model)."""

    action: Action
    reason: str


@dataclass(frozen=True)
class PermissionRule:
    """One rule. ``tool`` is an fnmatch pattern; ``path`` a glob; ``command`` a word prefix."""

    action: Action
    tool: str = "*"
    path: str | None = None
    command: str | None = None

    def describe(self) -> str:
        """A short human form, e.g. ``deny bash command="git push"``."""
        parts = [self.action, self.tool]
        if self.path is not None:
            parts.append(f"path={self.path!r}")
        if self.command is not None:
            parts.append(f"command={self.command!r}")
        return " ".join(parts)


def _norm_path(path: str) -> str:
    norm = posixpath.normpath(path.replace("\\", "/"))
    return norm[2:] if norm.startswith("./") else norm


def _argv_starts(argv: Sequence[str], prefix_words: Sequence[str]) -> bool:
    return len(argv) >= len(prefix_words) and tuple(argv[: len(prefix_words)]) == tuple(
        prefix_words
    )


def _rule_matches(rule: PermissionRule, tool: str, path: str | None, command: str | None) -> bool:
    if not fnmatchcase(tool, rule.tool):
        return False
    if rule.path is not None and (path is None or not fnmatchcase(_norm_path(path), rule.path)):
        return False
    if rule.command is not None:
        if command is None:
            return False
        words = rule.command.split()
        if rule.action == "allow":
            if not is_simple_command(command):
                return False
            cmds = split_commands(command)
            return bool(cmds) and _argv_starts(cmds[0].argv, words)
        return any(_argv_starts(c.argv, words) for c in split_commands(command))
    return True


def _field_error(where: str, field: str, message: str) -> ConfigError:
    return ConfigError(f"{where}.{field}: {message}")


def _parse_rule(raw: Any, where: str) -> PermissionRule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a table, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _RULE_FIELDS)
    if unknown:
        raise _field_error(
            where, str(unknown[0]), f"unknown field; expected {sorted(_RULE_FIELDS)}"
        )
    action = raw.get("action")
    if action not in _ACTIONS:
        raise _field_error(
            where, "action", f"expected one of {', '.join(_ACTIONS)}, got {action!r}"
        )
    values: dict[str, str | None] = {}
    for field in ("tool", "path", "command"):
        value = raw.get(field)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _field_error(where, field, f"expected a non-empty string, got {value!r}")
        values[field] = value
    if values["command"] is not None and not is_simple_command(values["command"]):
        raise _field_error(where, "command", "a command prefix must be plain words")
    return PermissionRule(
        action=action,
        tool=values["tool"] or "*",
        path=values["path"],
        command=" ".join(values["command"].split()) if values["command"] else None,
    )


def parse_rules(raw: Any, where: str = "permissions.rules") -> tuple[PermissionRule, ...]:
    """Parse ``[[permissions.rules]]`` tables into rules.

    Args:
        raw: a list of mappings with keys ``tool`` (fnmatch, default ``"*"``),
            ``action`` (``allow|ask|deny``, required), ``path`` (glob) and
            ``command`` (word prefix).
        where: the config location used in error messages.

    Raises:
        ConfigError: naming the field, e.g. ``permissions.rules[2].action: ...``.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise ConfigError(f"{where}: expected a list of tables, got {type(raw).__name__}")
    return tuple(_parse_rule(item, f"{where}[{i}]") for i, item in enumerate(raw))


def _check_mode(mode: str) -> Mode:
    if mode not in _MODES:
        raise ConfigError(f"permissions.mode: expected one of {', '.join(_MODES)}, got {mode!r}")
    return mode  # type: ignore[return-value]


class PermissionPolicy:
    """Decides allow/ask/deny for tool calls; see the module docstring for the order.

    Args:
        rules: configured rules, in priority order.
        mode: ``ask`` (default), ``accept-edits``, ``plan`` or ``bypass``.

    Raises:
        ConfigError: unknown mode.
    """

    def __init__(self, rules: Iterable[PermissionRule] = (), mode: str = "ask") -> None:
        self.rules: tuple[PermissionRule, ...] = tuple(rules)
        self.remembered: list[PermissionRule] = []
        self._mode: Mode = _check_mode(mode)

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> PermissionPolicy:
        """Build from a ``[permissions]`` table: ``mode`` and ``rules``.

        Raises:
            ConfigError: naming the bad field.
        """
        unknown = sorted(set(section) - {"mode", "rules"})
        if unknown:
            raise ConfigError(f"permissions.{unknown[0]}: unknown field; expected mode, rules")
        mode = section.get("mode", "ask")
        if not isinstance(mode, str):
            raise ConfigError(f"permissions.mode: expected a string, got {mode!r}")
        return cls(parse_rules(section.get("rules")), mode)

    @property
    def mode(self) -> Mode:
        """The current mode."""
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch mode. Raises ConfigError for an unknown mode."""
        self._mode = _check_mode(mode)

    def decide(
        self, tool_name: str, kind: str, path: str | None = None, command: str | None = None
    ) -> PolicyDecision:
        """Decide one call.

        Args:
            tool_name: e.g. ``"bash"``, ``"write_file"``, ``"mcp__github__create_issue"``.
            kind: ACP tool kind: ``read``, ``edit``, ``delete``, ``move``, ``search``,
                ``execute``, ``think``, ``fetch``, ``switch_mode`` or ``other``.
            path: workspace-relative POSIX path the call touches, if any.
            command: shell command line, for execute tools.
        """
        all_rules = (*self.rules, *self.remembered)
        matching = [r for r in all_rules if _rule_matches(r, tool_name, path, command)]
        for rule in matching:
            if rule.action == "deny":
                return PolicyDecision("deny", f"denied by rule: {rule.describe()}")
        if self._mode == "plan" and kind not in READ_ONLY_KINDS:
            if kind in _PLAN_ASK_KINDS:
                return PolicyDecision("ask", f"plan mode: {kind} needs approval")
            return PolicyDecision(
                "deny",
                f"plan mode is read-only: {tool_name} ({kind}) is not allowed; "
                "present the plan and ask the user to switch mode",
            )
        if command is not None:
            reason = is_destructive(command)
            if reason is not None:
                return PolicyDecision("ask", f"destructive command, always asks: {reason}")
        if self._mode == "bypass":
            return PolicyDecision("allow", "bypass mode")
        if matching:
            rule = matching[0]
            return PolicyDecision(rule.action, f"{rule.action} by rule: {rule.describe()}")
        if kind in READ_ONLY_KINDS:
            return PolicyDecision("allow", f"{self._mode} mode: read-only tools are allowed")
        if self._mode == "accept-edits" and kind in EDIT_KINDS:
            return PolicyDecision("allow", "accept-edits mode: edits are allowed")
        return PolicyDecision("ask", f"{self._mode} mode: {kind} tools need approval")

    def remember_always(
        self, tool_name: str, path: str | None = None, command_prefix: str | None = None
    ) -> PermissionRule:
        """Remember "always allow" for this tool on this exact path, or this command prefix.

        Never for a whole tool: one of ``path`` or ``command_prefix`` is required.
        The path is matched literally (glob characters are escaped). Destructive
        commands still ask (step 3 comes before remembered allows).

        Returns:
            The rule added (after the configured rules).

        Raises:
            ToolInputError: neither or both scopes given, or the prefix is not plain words.
        """
        rule = self._scoped(tool_name, path, command_prefix, "allow")
        self.remembered.append(rule)
        return rule

    def remember_reject_always(
        self, tool_name: str, path: str | None = None, command_prefix: str | None = None
    ) -> PermissionRule:
        """Remember "always reject": this tool (on this path / command prefix, if given).

        Unlike :meth:`remember_always`, a tool-wide reject is allowed.

        Raises:
            ToolInputError: both scopes given, or the prefix is not plain words.
        """
        if path is None and command_prefix is None:
            rule = PermissionRule("deny", _GLOB_META.sub(r"[\1]", tool_name))
        else:
            rule = self._scoped(tool_name, path, command_prefix, "deny")
        self.remembered.append(rule)
        return rule

    @staticmethod
    def _scoped(
        tool_name: str, path: str | None, command_prefix: str | None, action: Action
    ) -> PermissionRule:
        if (path is None) == (command_prefix is None):
            raise ToolInputError("remember needs exactly one scope: a path or a command prefix")
        tool = _GLOB_META.sub(r"[\1]", tool_name)
        if path is not None:
            if not path.strip():
                raise ToolInputError("remember: the path is empty")
            return PermissionRule(action, tool, path=_GLOB_META.sub(r"[\1]", _norm_path(path)))
        assert command_prefix is not None
        words = command_prefix.split()
        if not words or not is_simple_command(command_prefix):
            raise ToolInputError(f"remember: {command_prefix!r} is not a plain command prefix")
        return PermissionRule(action, tool, command=" ".join(words))
