"""The tool contracts in ``contracts.md``: one per tool, valid JSON Schema, in step with the code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import get_args

import jsonschema
import pytest

import zeph_tui.core.tools as tools_pkg
from zeph_tui.core.memory.validate import KINDS, MAX_TEXT_CHARS, SCOPES
from zeph_tui.core.tools import ask_tool, plan_tool, repomap_tool
from zeph_tui.core.tools.base import Tool
from zeph_tui.core.tools.contracts import ToolContractError, contract, contracts


def _built_in_tools() -> dict[str, type[Tool]]:
    found: dict[str, type[Tool]] = {}
    for info in pkgutil.iter_modules(tools_pkg.__path__):
        module = importlib.import_module(f"{tools_pkg.__name__}.{info.name}")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Tool) and "name" in value.__dict__:
                found[value.name] = value
    return found


def test_every_tool_has_one_contract_and_every_contract_a_tool() -> None:
    assert sorted(_built_in_tools()) == sorted(contracts())


@pytest.mark.parametrize("name", sorted(contracts()))
def test_each_schema_is_valid_json_schema_for_an_object(name: str) -> None:
    description, schema = contract(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert set(schema.get("required", ())) <= set(schema["properties"])
    assert description and "\n" not in description


def test_a_tool_class_carries_its_contract() -> None:
    bash = _built_in_tools()["bash"]
    assert (bash.description, bash.input_schema) == contract("bash")
    assert bash().spec().input_schema["required"] == ["command"]
    assert (bash.kind, bash.read_only) == ("execute", False)


def test_contract_hands_out_a_copy() -> None:
    _, schema = contract("grep")
    schema["properties"].clear()
    assert contract("grep")[1]["properties"]


def test_a_class_naming_a_missing_contract_fails_at_definition() -> None:
    with pytest.raises(ToolContractError, match="no section for tool 'no_such_tool'"):

        class _Missing(Tool, name="no_such_tool"):
            async def run(self, args, ctx):  # type: ignore[no-untyped-def]
                raise NotImplementedError


def test_contract_figures_follow_the_code() -> None:
    _, remember = contract("remember")
    props = remember["properties"]
    assert f"at most {MAX_TEXT_CHARS} chars" in props["text"]["description"]
    assert props["scope"]["enum"] == list(SCOPES)
    assert props["kind"]["enum"] == list(KINDS)

    _, ask = contract("ask_user")
    assert ask["properties"]["choices"]["maxItems"] == ask_tool.MAX_CHOICES

    _, plan = contract("update_plan")
    entries = plan["properties"]["entries"]
    assert entries["maxItems"] == plan_tool.MAX_ENTRIES
    item = entries["items"]["properties"]
    assert item["status"]["enum"] == list(get_args(plan_tool.Status))
    assert item["priority"]["enum"] == list(get_args(plan_tool.Priority))

    _, repo_map = contract("repo_map")
    budget = repo_map["properties"]["budget_tokens"]["description"]
    assert f"default {repomap_tool.DEFAULT_TOOL_BUDGET_TOKENS}" in budget
