"""Validate ACP v1 frames against the official JSON schema (tests helper).

The schema (``/work/shared/acp/schema.json``, override with ``ACP_SCHEMA_PATH``)
is registered under :data:`SCHEMA_ID`; a ``$defs`` entry is checked by
validating ``{"$ref": "<id>#/$defs/<Name>"}``.

- :func:`validate` checks one object against one ``$defs`` entry.
- :func:`validate_frame` checks one JSON-RPC frame: the 2.0 envelope, then the
  params (request/notification) or result (response) against the entry for its
  method, found through the schema's own ``x-method``/``x-side`` annotations.
  Requests are recorded in ``pending_methods`` so that their responses can be
  matched to a method later.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any, Literal

import jsonschema
import referencing
import referencing.jsonschema

__all__ = [
    "AGENT_TO_CLIENT",
    "CLIENT_TO_AGENT",
    "SCHEMA_ID",
    "Direction",
    "FrameError",
    "load_schema",
    "method_defs",
    "validate",
    "validate_frame",
]

SCHEMA_ID = "urn:acp:v1:schema"
CLIENT_TO_AGENT: Literal["client_to_agent"] = "client_to_agent"
AGENT_TO_CLIENT: Literal["agent_to_client"] = "agent_to_client"
Direction = Literal["client_to_agent", "agent_to_client"]
# The official schema lives in shared/ beside the repository; tests/acp_schema.json is a
# byte-identical copy so a clone without shared/ can still validate.
_SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "acp" / "schema.json"
_SCHEMA_PATH = Path(
    os.environ.get(
        "ACP_SCHEMA_PATH",
        _SHARED_SCHEMA if _SHARED_SCHEMA.is_file() else Path(__file__).with_name("acp_schema.json"),
    )
)


class FrameError(AssertionError):
    """A frame breaks JSON-RPC 2.0 or the ACP v1 schema."""


@functools.cache
def load_schema() -> dict[str, Any]:
    """The ACP v1 schema as a dict (read once)."""
    schema: dict[str, Any] = json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _registry() -> referencing.Registry[Any]:
    resource = referencing.Resource.from_contents(
        load_schema(), default_specification=referencing.jsonschema.DRAFT202012
    )
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(SCHEMA_ID, resource)
    return registry


@functools.cache
def _validator(def_name: str) -> jsonschema.Draft202012Validator:
    if def_name not in load_schema()["$defs"]:
        raise KeyError(f"no $defs entry {def_name!r} in the ACP schema")
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SCHEMA_ID}#/$defs/{def_name}"}, registry=_registry()
    )


def validate(def_name: str, obj: Any) -> None:
    """Check ``obj`` against ``$defs/<def_name>``.

    Raises:
        jsonschema.ValidationError: ``obj`` does not conform.
        KeyError: no such ``$defs`` entry.
    """
    _validator(def_name).validate(obj)


@functools.cache
def method_defs() -> dict[str, dict[str, str]]:
    """``{method: {"side": "agent"|"client"|"protocol", "request"|"response"|"notification": def}}``."""
    table: dict[str, dict[str, str]] = {}
    for name, definition in load_schema()["$defs"].items():
        method = definition.get("x-method")
        if method is None:
            continue
        entry = table.setdefault(method, {"side": definition["x-side"]})
        for suffix in ("Request", "Response", "Notification"):
            if name.endswith(suffix):
                entry[suffix.lower()] = name
    return table


def _is_request_id(value: Any) -> bool:
    return value is None or isinstance(value, str) or type(value) is int


def _check_schema(def_name: str, obj: Any, what: str) -> None:
    try:
        validate(def_name, obj)
    except jsonschema.ValidationError as exc:
        raise FrameError(f"{what} does not match $defs/{def_name}: {exc.message}") from exc


def validate_frame(
    direction: Direction,
    frame: Any,
    pending_methods: dict[tuple[str, str], str],
    *,
    allow_unknown_responses: bool = True,
) -> str | None:
    """Check one decoded frame sent in ``direction``.

    Args:
        direction: who sent it: :data:`CLIENT_TO_AGENT` or :data:`AGENT_TO_CLIENT`.
        frame: the decoded JSON value.
        pending_methods: state shared across calls: requests seen so far,
            keyed ``(sender direction, json id)`` -> method. Updated in place.
        allow_unknown_responses: accept a response whose request was not seen
            (e.g. answers to deliberately invalid requests); only its envelope
            and, for errors, the ``Error`` object are then checked.

    Returns:
        The ``$defs`` entry the payload was validated against, or None when only
        the envelope could be checked (extension methods, unknown responses).

    Raises:
        FrameError: the frame is not valid JSON-RPC 2.0 / ACP v1.
    """
    if not isinstance(frame, dict):
        raise FrameError(f"frame is not an object: {frame!r:.200}")
    if frame.get("jsonrpc") != "2.0":
        raise FrameError(f'jsonrpc must be "2.0": {frame!r:.200}')
    if "method" in frame:
        return _validate_call(direction, frame, pending_methods)
    return _validate_response(direction, frame, pending_methods, allow_unknown_responses)


def _validate_call(
    direction: Direction, frame: dict[str, Any], pending: dict[tuple[str, str], str]
) -> str | None:
    method = frame["method"]
    if not isinstance(method, str):
        raise FrameError("method must be a string")
    extra = set(frame) - {"jsonrpc", "id", "method", "params"}
    if extra:
        raise FrameError(f"unexpected members {sorted(extra)}")
    is_request = "id" in frame
    if is_request:
        if not _is_request_id(frame["id"]):
            raise FrameError(f"bad id {frame['id']!r:.100}")
        pending[(direction, json.dumps(frame["id"]))] = method
    params = frame.get("params")
    if method.startswith("_"):
        if params is not None and not isinstance(params, dict | list):
            raise FrameError("params must be structured")
        return None
    entry = method_defs().get(method)
    if entry is None:
        raise FrameError(f"unknown method {method!r:.100}")
    expected_side = "agent" if direction == CLIENT_TO_AGENT else "client"
    if entry["side"] not in (expected_side, "protocol"):
        raise FrameError(f"{method} is served by the {entry['side']}, not sent {direction}")
    kind = "request" if is_request else "notification"
    def_name = entry.get(kind)
    if def_name is None:
        raise FrameError(f"{method} is not a {kind}")
    _check_schema(def_name, {} if params is None else params, f"{method} params")
    return def_name


def _validate_response(
    direction: Direction,
    frame: dict[str, Any],
    pending: dict[tuple[str, str], str],
    allow_unknown: bool,
) -> str | None:
    if "id" not in frame or not _is_request_id(frame["id"]):
        raise FrameError(f"response without a valid id: {frame!r:.200}")
    if ("result" in frame) == ("error" in frame):
        raise FrameError("a response needs exactly one of result / error")
    extra = set(frame) - {"jsonrpc", "id", "result", "error"}
    if extra:
        raise FrameError(f"unexpected members {sorted(extra)}")
    requester = AGENT_TO_CLIENT if direction == CLIENT_TO_AGENT else CLIENT_TO_AGENT
    method = pending.pop((requester, json.dumps(frame["id"])), None)
    if "error" in frame:
        _check_schema("Error", frame["error"], "error")
        return "Error"
    if method is None:
        if not allow_unknown:
            raise FrameError(f"response to an unknown request id {frame['id']!r}")
        return None
    if method.startswith("_"):
        return None
    def_name = method_defs().get(method, {}).get("response")
    if def_name is None:
        raise FrameError(f"no response schema for {method}")
    _check_schema(def_name, frame["result"], f"{method} result")
    return def_name
