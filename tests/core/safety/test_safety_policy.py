"""Permission policy: modes, rules, deny-beats-allow, remembered decisions, config parsing."""

from __future__ import annotations

import pytest

from zeph_tui.core.errors import ConfigError, ToolInputError
from zeph_tui.core.safety import PermissionPolicy, PermissionRule, parse_rules


def action(policy: PermissionPolicy, tool: str, kind: str, **kw: str) -> str:
    return policy.decide(tool, kind, kw.get("path"), kw.get("command")).action


@pytest.mark.parametrize(
    ("mode", "kind", "expected"),
    [
        ("ask", "read", "allow"),
        ("ask", "search", "allow"),
        ("ask", "think", "allow"),
        ("ask", "edit", "ask"),
        ("ask", "delete", "ask"),
        ("ask", "execute", "ask"),
        ("ask", "fetch", "ask"),
        ("ask", "other", "ask"),
        ("accept-edits", "read", "allow"),
        ("accept-edits", "edit", "allow"),
        ("accept-edits", "move", "allow"),
        ("accept-edits", "delete", "allow"),
        ("accept-edits", "execute", "ask"),
        ("plan", "read", "allow"),
        ("plan", "search", "allow"),
        ("plan", "edit", "deny"),
        ("plan", "execute", "deny"),
        ("plan", "other", "deny"),
        ("plan", "fetch", "ask"),
        ("plan", "switch_mode", "ask"),
        ("bypass", "read", "allow"),
        ("bypass", "edit", "allow"),
        ("bypass", "execute", "allow"),
    ],
)
def test_mode_defaults(mode: str, kind: str, expected: str) -> None:
    policy = PermissionPolicy([], mode)
    command = "ls -la" if kind == "execute" else None
    assert (
        action(policy, "some_tool", kind, **({"command": command} if command else {})) == expected
    )


def test_plan_mode_message_is_clear() -> None:
    decision = PermissionPolicy([], "plan").decide("write_file", "edit", "src/a.py", None)
    assert decision.action == "deny"
    assert "plan mode is read-only" in decision.reason
    assert "write_file" in decision.reason


def test_plan_mode_beats_allow_rules() -> None:
    policy = PermissionPolicy([PermissionRule("allow", "bash")], "plan")
    assert action(policy, "bash", "execute", command="ls") == "deny"


@pytest.mark.parametrize("mode", ["ask", "accept-edits", "bypass"])
def test_destructive_commands_always_ask(mode: str) -> None:
    policy = PermissionPolicy([PermissionRule("allow", "bash")], mode)
    decision = policy.decide("bash", "execute", None, "echo hi && rm -rf /")
    assert decision.action == "ask"
    assert "destructive" in decision.reason
    policy.remember_always("bash", command_prefix="git push")
    assert action(policy, "bash", "execute", command="git push --force") == "ask"


def test_deny_beats_allow_regardless_of_order() -> None:
    rules = [
        PermissionRule("allow", "bash"),
        PermissionRule("deny", "bash", command="git push"),
    ]
    for ordered in (rules, list(reversed(rules))):
        policy = PermissionPolicy(ordered)
        decision = policy.decide("bash", "execute", None, "git push origin main")
        assert decision.action == "deny"
        assert decision.reason == "denied by rule: deny bash command='git push'"


def test_deny_applies_even_in_bypass_and_to_compound_commands() -> None:
    policy = PermissionPolicy([PermissionRule("deny", "bash", command="git push")], "bypass")
    assert action(policy, "bash", "execute", command="git push") == "deny"
    assert action(policy, "bash", "execute", command="make && git push origin x") == "deny"
    assert action(policy, "bash", "execute", command="sudo /usr/bin/git push") == "deny"
    assert action(policy, "bash", "execute", command='bash -c "git push"') == "deny"
    assert action(policy, "bash", "execute", command="git pull") == "allow"


def test_first_match_wins_between_allow_and_ask() -> None:
    policy = PermissionPolicy(
        [
            PermissionRule("ask", "bash", command="git commit"),
            PermissionRule("allow", "bash", command="git"),
        ]
    )
    assert action(policy, "bash", "execute", command="git commit -m x") == "ask"
    assert action(policy, "bash", "execute", command="git status") == "allow"
    policy = PermissionPolicy(
        [
            PermissionRule("allow", "bash", command="git"),
            PermissionRule("ask", "bash", command="git commit"),
        ]
    )
    assert action(policy, "bash", "execute", command="git commit -m x") == "allow"


def test_allow_rule_only_matches_simple_commands() -> None:
    policy = PermissionPolicy([PermissionRule("allow", "bash", command="git status")])
    assert action(policy, "bash", "execute", command="git status --short") == "allow"
    assert action(policy, "bash", "execute", command="git status && curl x") == "ask"
    assert action(policy, "bash", "execute", command="git status > /tmp/x") == "ask"
    assert action(policy, "bash", "execute", command="git statusx") == "ask"
    assert action(policy, "bash", "execute", command="git") == "ask"


def test_tool_name_and_path_globs() -> None:
    policy = PermissionPolicy(
        [
            PermissionRule("deny", "*", path="*.env"),
            PermissionRule("deny", "write_*", path="secrets/*"),
            PermissionRule("allow", "write_file", path="docs/*"),
            PermissionRule("allow", "mcp__github__*"),
        ]
    )
    assert action(policy, "read_file", "read", path=".env") == "deny"
    assert action(policy, "read_file", "read", path="config/prod.env") == "deny"
    assert action(policy, "write_file", "edit", path="./secrets/../secrets/k.pem") == "deny"
    assert action(policy, "write_file", "edit", path="docs/guide/a.md") == "allow"
    assert action(policy, "write_file", "edit", path="src/a.py") == "ask"
    assert action(policy, "edit_file", "edit", path="docs/a.md") == "ask"
    assert action(policy, "mcp__github__create_issue", "other") == "allow"
    assert action(policy, "mcp__gitlab__create_issue", "other") == "ask"


def test_path_rule_needs_a_path_and_command_rule_needs_a_command() -> None:
    policy = PermissionPolicy(
        [PermissionRule("allow", "*", path="docs/*"), PermissionRule("allow", "*", command="ls")]
    )
    assert action(policy, "fetch", "fetch") == "ask"


def test_remember_always_is_narrow() -> None:
    policy = PermissionPolicy()
    rule = policy.remember_always("write_file", path="src/a.py")
    assert rule == PermissionRule("allow", "write_file", path="src/a.py")
    assert action(policy, "write_file", "edit", path="src/a.py") == "allow"
    assert action(policy, "write_file", "edit", path="./src/a.py") == "allow"
    assert action(policy, "write_file", "edit", path="src/b.py") == "ask"
    assert action(policy, "edit_file", "edit", path="src/a.py") == "ask"
    policy.remember_always("bash", command_prefix="pytest")
    assert action(policy, "bash", "execute", command="pytest -x tests") == "allow"
    assert action(policy, "bash", "execute", command="pytest; rm x") == "ask"
    assert action(policy, "bash", "execute", command="python -m pytest") == "ask"


def test_remember_always_escapes_glob_characters() -> None:
    policy = PermissionPolicy()
    policy.remember_always("write_file", path="src/*.py")
    assert action(policy, "write_file", "edit", path="src/other.py") == "ask"
    assert action(policy, "write_file", "edit", path="src/*.py") == "allow"
    policy.remember_always("mcp_*", command_prefix="ls")
    assert action(policy, "mcp_x", "execute", command="ls") == "ask"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"path": "a", "command_prefix": "ls"},
        {"path": "  "},
        {"command_prefix": ""},
        {"command_prefix": "ls; rm"},
        {"command_prefix": "ls && x"},
    ],
)
def test_remember_always_refuses_broad_or_bad_scopes(kwargs: dict[str, str]) -> None:
    with pytest.raises(ToolInputError):
        PermissionPolicy().remember_always("bash", **kwargs)


def test_remember_reject_always() -> None:
    policy = PermissionPolicy([PermissionRule("allow", "bash")], "accept-edits")
    policy.remember_reject_always("bash", command_prefix="npm publish")
    assert action(policy, "bash", "execute", command="npm publish --tag x") == "deny"
    assert action(policy, "bash", "execute", command="npm test") == "allow"
    policy.remember_reject_always("web_fetch")
    assert action(policy, "web_fetch", "fetch") == "deny"
    policy.remember_reject_always("write_file", path="setup.py")
    assert action(policy, "write_file", "edit", path="setup.py") == "deny"
    assert action(policy, "write_file", "edit", path="other.py") == "allow"


def test_set_mode() -> None:
    policy = PermissionPolicy()
    policy.set_mode("plan")
    assert policy.mode == "plan"
    with pytest.raises(ConfigError, match=r"permissions\.mode"):
        policy.set_mode("yolo")
    with pytest.raises(ConfigError):
        PermissionPolicy([], "whatever")


def test_parse_rules_from_config() -> None:
    rules = parse_rules(
        [
            {"tool": "bash", "command": "git  push", "action": "deny"},
            {"tool": "write_file", "path": "docs/**", "action": "allow"},
            {"action": "ask"},
        ]
    )
    assert rules == (
        PermissionRule("deny", "bash", command="git push"),
        PermissionRule("allow", "write_file", path="docs/**"),
        PermissionRule("ask", "*"),
    )
    assert parse_rules(None) == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"tool": "bash", "action": "yes"}], r"permissions\.rules\[0\]\.action"),
        ([{"tool": "bash"}], r"permissions\.rules\[0\]\.action"),
        ([{"action": "allow"}, {"action": "deny", "tool": 3}], r"permissions\.rules\[1\]\.tool"),
        ([{"action": "deny", "path": ""}], r"permissions\.rules\[0\]\.path"),
        ([{"action": "deny", "command": "a && b"}], r"permissions\.rules\[0\]\.command"),
        ([{"action": "deny", "commands": "x"}], r"permissions\.rules\[0\]\.commands"),
        (["bash"], r"permissions\.rules\[0\]"),
        ({"action": "deny"}, r"permissions\.rules: expected a list"),
    ],
)
def test_parse_rules_errors_name_the_field(raw: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(raw)


def test_from_config() -> None:
    policy = PermissionPolicy.from_config(
        {"mode": "accept-edits", "rules": [{"tool": "bash", "command": "rm", "action": "deny"}]}
    )
    assert policy.mode == "accept-edits"
    assert action(policy, "bash", "execute", command="rm x") == "deny"
    with pytest.raises(ConfigError, match=r"permissions\.modes"):
        PermissionPolicy.from_config({"modes": "ask"})
    with pytest.raises(ConfigError, match=r"permissions\.mode"):
        PermissionPolicy.from_config({"mode": 1})
