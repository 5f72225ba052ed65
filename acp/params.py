"""Fast, stdlib-only params checks for the methods an ACP agent serves.

Not a schema validator: it checks what handlers rely on (required fields and
their JSON types, the ``type`` of each prompt content block) and names the
first offending field, e.g. ``"sessionId: required"`` or ``"cwd: expected
string"``. Field rules follow the ACP v1 schema's ``*Request`` definitions;
one deliberate leniency: ``mcpServers`` may be absent or null and is then
normalised to ``[]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from acp import messages as m
from acp.errors import RequestError

__all__ = ["FIELD_RULES", "check_params"]

_Check = Callable[[Any, str], str | None]


def _string(value: Any, where: str) -> str | None:
    return None if isinstance(value, str) else f"{where}: expected string"


def _opt_string(value: Any, where: str) -> str | None:
    return None if value is None or isinstance(value, str) else f"{where}: expected string"


def _object(value: Any, where: str) -> str | None:
    return None if value is None or isinstance(value, dict) else f"{where}: expected object"


def _uint16(value: Any, where: str) -> str | None:
    if type(value) is not int:
        return f"{where}: expected integer"
    return None if 0 <= value <= 65535 else f"{where}: expected integer in 0..65535"


def _string_or_bool(value: Any, where: str) -> str | None:
    return None if isinstance(value, str | bool) else f"{where}: expected string or boolean"


def _request_id(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str) or type(value) is int:
        return None
    return f"{where}: expected string, integer or null"


def _string_list(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list):
        return f"{where}: expected array"
    for index, item in enumerate(value):
        if not isinstance(item, str):
            return f"{where}[{index}]: expected string"
    return None


def _name_values(value: Any, where: str) -> str | None:
    """``EnvVariable`` / ``HttpHeader`` list: ``[{"name": str, "value": str}, ...]`` (null ok)."""
    if value is None:
        return None
    if not isinstance(value, list):
        return f"{where}: expected array"
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            return f"{where}[{index}]: expected object"
        for key in ("name", "value"):
            if not isinstance(item.get(key), str):
                state = "required" if key not in item else "expected string"
                return f"{where}[{index}].{key}: {state}"
    return None


def _required_string(server: dict[str, Any], key: str, where: str) -> str | None:
    if key not in server:
        return f"{where}.{key}: required"
    return _string(server[key], f"{where}.{key}")


def _mcp_server(server: Any, where: str) -> str | None:
    if not isinstance(server, dict):
        return f"{where}: expected object"
    kind = server.get("type", "stdio")
    if kind in ("http", "sse"):
        fields = ("name", "url")
        lists: tuple[tuple[str, _Check], ...] = (("headers", _name_values),)
    elif kind == "stdio":
        fields = ("name", "command")
        lists = (("args", _string_list), ("env", _name_values))
    else:
        return f"{where}.type: unsupported {str(kind)[:20]!r} (stdio, http or sse)"
    for key in fields:
        if (problem := _required_string(server, key, where)) is not None:
            return problem
    for key, check in lists:
        if (problem := check(server.get(key), f"{where}.{key}")) is not None:
            return problem
    return None


def _mcp_servers(value: Any, where: str) -> str | None:
    """``$defs/McpServer`` list (stdio, http, sse); ``args``/``env``/``headers`` may be null."""
    if value is None:
        return None
    if not isinstance(value, list):
        return f"{where}: expected array"
    for index, server in enumerate(value):
        if (problem := _mcp_server(server, f"{where}[{index}]")) is not None:
            return problem
    return None


def _content_blocks(value: Any, where: str) -> str | None:
    if not isinstance(value, list):
        return f"{where}: expected array"
    for index, block in enumerate(value):
        if not isinstance(block, dict):
            return f"{where}[{index}]: expected object"
        kind = block.get("type")
        if kind is None:
            return f"{where}[{index}].type: required"
        if not isinstance(kind, str):
            return f"{where}[{index}].type: expected string"
        if kind == "text" and not isinstance(block.get("text"), str):
            return f"{where}[{index}].text: " + (
                "required" if "text" not in block else "expected string"
            )
    return None


# (field, check, required): checked in order, first failure reported.
_Rule = tuple[str, _Check, bool]

_SESSION_ID: _Rule = ("sessionId", _string, True)
_CWD: _Rule = ("cwd", _string, True)
_MCP: _Rule = ("mcpServers", _mcp_servers, False)
_DIRS: _Rule = ("additionalDirectories", _string_list, False)
_META: _Rule = ("_meta", _object, False)

FIELD_RULES: dict[str, tuple[_Rule, ...]] = {
    m.INITIALIZE: (
        ("protocolVersion", _uint16, True),
        ("clientCapabilities", _object, False),
        ("clientInfo", _object, False),
        _META,
    ),
    m.AUTHENTICATE: (("methodId", _string, True), _META),
    m.LOGOUT: (_META,),
    m.SESSION_NEW: (_CWD, _MCP, _DIRS, _META),
    m.SESSION_LOAD: (_SESSION_ID, _CWD, _MCP, _DIRS, _META),
    m.SESSION_LIST: (("cwd", _opt_string, False), ("cursor", _opt_string, False), _META),
    m.SESSION_RESUME: (_SESSION_ID, _CWD, _MCP, _DIRS, _META),
    m.SESSION_CLOSE: (_SESSION_ID, _META),
    m.SESSION_DELETE: (_SESSION_ID, _META),
    m.SESSION_SET_MODE: (_SESSION_ID, ("modeId", _string, True), _META),
    m.SESSION_SET_CONFIG_OPTION: (
        _SESSION_ID,
        ("configId", _string, True),
        ("value", _string_or_bool, True),
        ("type", _opt_string, False),
        _META,
    ),
    m.SESSION_PROMPT: (_SESSION_ID, ("prompt", _content_blocks, True), _META),
    m.SESSION_CANCEL: (_SESSION_ID, _META),
    m.CANCEL_REQUEST: (("requestId", _request_id, True), _META),
}
"""Per-method rules ``(field, check, required)``; ``check(value, where)`` returns an error or None."""


def check_params(method: str, params: Any) -> dict[str, Any]:
    """Check ``params`` of a known agent-side method and return them as a dict.

    Absent or null params count as ``{}``; absent/null ``mcpServers`` becomes ``[]``
    (the dict is updated in place).

    Args:
        method: a key of :data:`FIELD_RULES`.
        params: the decoded ``params`` member.

    Returns:
        The params object.

    Raises:
        RequestError: ``-32602`` naming the first offending field.
        KeyError: ``method`` has no rules.
    """
    rules = FIELD_RULES[method]
    if params is None:
        checked: dict[str, Any] = {}
    elif isinstance(params, dict):
        checked = params
    else:
        raise RequestError.invalid_params("params: expected object")
    for field, check, required in rules:
        if field not in checked:
            if required:
                raise RequestError.invalid_params(f"{field}: required")
            continue
        problem = check(checked[field], field)
        if problem is not None:
            raise RequestError.invalid_params(problem)
    if any(rule is _MCP for rule in rules) and checked.get("mcpServers") is None:
        checked["mcpServers"] = []
    return checked
