"""ACP v1 method names and typed message shapes (``TypedDict``s on plain dicts).

Messages travel as plain ``dict``s (no conversion cost); these ``TypedDict``s
give them static types. Field names are the wire's camelCase names. Shapes
follow the ACP v1 JSON schema ``$defs`` of the same name; nested structures
that handlers rarely inspect (capabilities, MCP servers, tool call content)
are typed loosely as ``dict[str, Any]``. Build session updates with
:mod:`acp.updates`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "AGENT_METHODS",
    "AUTHENTICATE",
    "CANCEL_REQUEST",
    "CLIENT_METHODS",
    "ELICITATION_CREATE",
    "FS_READ_TEXT_FILE",
    "FS_WRITE_TEXT_FILE",
    "INITIALIZE",
    "LOGOUT",
    "PROTOCOL_VERSION",
    "SESSION_CANCEL",
    "SESSION_CLOSE",
    "SESSION_DELETE",
    "SESSION_LIST",
    "SESSION_LOAD",
    "SESSION_NEW",
    "SESSION_PROMPT",
    "SESSION_REQUEST_PERMISSION",
    "SESSION_RESUME",
    "SESSION_SET_CONFIG_OPTION",
    "SESSION_SET_MODE",
    "SESSION_UPDATE",
    "TERMINAL_CREATE",
    "TERMINAL_KILL",
    "TERMINAL_OUTPUT",
    "TERMINAL_RELEASE",
    "TERMINAL_WAIT_FOR_EXIT",
    "AuthenticateRequest",
    "CancelNotification",
    "CloseSessionRequest",
    "ContentBlock",
    "CreateTerminalResponse",
    "DeleteSessionRequest",
    "InitializeRequest",
    "InitializeResponse",
    "ListSessionsRequest",
    "ListSessionsResponse",
    "LoadSessionRequest",
    "LoadSessionResponse",
    "LogoutRequest",
    "NewSessionRequest",
    "NewSessionResponse",
    "PermissionOption",
    "PromptRequest",
    "PromptResponse",
    "ReadTextFileResponse",
    "RequestPermissionResponse",
    "ResumeSessionRequest",
    "ResumeSessionResponse",
    "SessionInfo",
    "SessionNotification",
    "SessionUpdate",
    "SetSessionConfigOptionRequest",
    "SetSessionConfigOptionResponse",
    "SetSessionModeRequest",
    "StopReason",
    "TerminalExitStatus",
    "TerminalOutputResponse",
    "WaitForTerminalExitResponse",
]

PROTOCOL_VERSION = 1
"""The ACP protocol version this library speaks."""

# Agent side: methods the agent serves (client -> agent).
INITIALIZE = "initialize"
AUTHENTICATE = "authenticate"
LOGOUT = "logout"
SESSION_NEW = "session/new"
SESSION_LOAD = "session/load"
SESSION_LIST = "session/list"
SESSION_RESUME = "session/resume"
SESSION_CLOSE = "session/close"
SESSION_DELETE = "session/delete"
SESSION_SET_MODE = "session/set_mode"
SESSION_SET_CONFIG_OPTION = "session/set_config_option"
SESSION_PROMPT = "session/prompt"
SESSION_CANCEL = "session/cancel"  # notification
# Client side: methods the client serves (agent -> client).
SESSION_UPDATE = "session/update"  # notification
SESSION_REQUEST_PERMISSION = "session/request_permission"
FS_READ_TEXT_FILE = "fs/read_text_file"
ELICITATION_CREATE = "elicitation/create"
FS_WRITE_TEXT_FILE = "fs/write_text_file"
TERMINAL_CREATE = "terminal/create"
TERMINAL_OUTPUT = "terminal/output"
TERMINAL_WAIT_FOR_EXIT = "terminal/wait_for_exit"
TERMINAL_KILL = "terminal/kill"
TERMINAL_RELEASE = "terminal/release"
# Protocol level (either direction).
CANCEL_REQUEST = "$/cancel_request"  # notification

AGENT_METHODS = frozenset(
    {
        INITIALIZE,
        AUTHENTICATE,
        LOGOUT,
        SESSION_NEW,
        SESSION_LOAD,
        SESSION_LIST,
        SESSION_RESUME,
        SESSION_CLOSE,
        SESSION_DELETE,
        SESSION_SET_MODE,
        SESSION_SET_CONFIG_OPTION,
        SESSION_PROMPT,
        SESSION_CANCEL,
    }
)
"""Every method an agent serves (requests and the ``session/cancel`` notification)."""

CLIENT_METHODS = frozenset(
    {
        SESSION_UPDATE,
        SESSION_REQUEST_PERMISSION,
        FS_READ_TEXT_FILE,
        FS_WRITE_TEXT_FILE,
        TERMINAL_CREATE,
        TERMINAL_OUTPUT,
        TERMINAL_WAIT_FOR_EXIT,
        TERMINAL_KILL,
        TERMINAL_RELEASE,
        ELICITATION_CREATE,
    }
)
"""Every method a client serves."""

StopReason = Literal["end_turn", "max_tokens", "max_turn_requests", "refusal", "cancelled"]
"""Why a prompt turn ended (``$defs/StopReason``)."""

ContentBlock = dict[str, Any]
"""``{"type": "text"|"image"|"audio"|"resource_link"|"resource", ...}`` (``$defs/ContentBlock``)."""

SessionUpdate = dict[str, Any]
"""``{"sessionUpdate": "agent_message_chunk"|"tool_call"|..., ...}``; see :mod:`acp.updates`."""


class _Meta(TypedDict, total=False):
    _meta: dict[str, Any] | None


class InitializeRequest(_Meta):
    protocolVersion: int
    clientCapabilities: NotRequired[dict[str, Any]]
    clientInfo: NotRequired[dict[str, Any] | None]


class InitializeResponse(_Meta):
    protocolVersion: int
    agentCapabilities: NotRequired[dict[str, Any]]
    authMethods: NotRequired[list[dict[str, Any]]]
    agentInfo: NotRequired[dict[str, Any] | None]


class AuthenticateRequest(_Meta):
    methodId: str


class LogoutRequest(_Meta):
    pass


class NewSessionRequest(_Meta):
    cwd: str
    mcpServers: list[dict[str, Any]]
    additionalDirectories: NotRequired[list[str]]


class NewSessionResponse(_Meta):
    sessionId: str
    modes: NotRequired[dict[str, Any] | None]
    configOptions: NotRequired[list[dict[str, Any]] | None]


class LoadSessionRequest(_Meta):
    sessionId: str
    cwd: str
    mcpServers: list[dict[str, Any]]
    additionalDirectories: NotRequired[list[str]]


class LoadSessionResponse(_Meta):
    modes: NotRequired[dict[str, Any] | None]
    configOptions: NotRequired[list[dict[str, Any]] | None]


class ListSessionsRequest(_Meta):
    cwd: NotRequired[str | None]
    cursor: NotRequired[str | None]


class SessionInfo(_Meta):
    sessionId: str
    cwd: str
    title: NotRequired[str | None]
    updatedAt: NotRequired[str | None]


class ListSessionsResponse(_Meta):
    sessions: list[SessionInfo]
    nextCursor: NotRequired[str | None]


class ResumeSessionRequest(LoadSessionRequest):
    """``session/resume`` takes what ``session/load`` takes; it only replays nothing."""


class ResumeSessionResponse(LoadSessionResponse):
    pass


class CloseSessionRequest(_Meta):
    sessionId: str


class DeleteSessionRequest(_Meta):
    sessionId: str


class SetSessionModeRequest(_Meta):
    sessionId: str
    modeId: str


class SetSessionConfigOptionRequest(_Meta):
    sessionId: str
    configId: str
    value: str | bool
    type: NotRequired[str]


class SetSessionConfigOptionResponse(_Meta):
    configOptions: list[dict[str, Any]]


class PromptRequest(_Meta):
    sessionId: str
    prompt: list[ContentBlock]


class PromptResponse(_Meta):
    stopReason: StopReason


class CancelNotification(_Meta):
    sessionId: str


class SessionNotification(_Meta):
    sessionId: str
    update: SessionUpdate


class PermissionOption(TypedDict):
    optionId: str
    name: str
    kind: Literal["allow_once", "allow_always", "reject_once", "reject_always"]


class RequestPermissionResponse(_Meta):
    outcome: dict[str, Any]  # {"outcome": "cancelled"} | {"outcome": "selected", "optionId": ...}


class ReadTextFileResponse(_Meta):
    content: str


class CreateTerminalResponse(_Meta):
    terminalId: str


class TerminalExitStatus(TypedDict, total=False):
    exitCode: int | None
    signal: str | None


class TerminalOutputResponse(_Meta):
    output: str
    truncated: bool
    exitStatus: NotRequired[TerminalExitStatus | None]


class WaitForTerminalExitResponse(_Meta):
    exitCode: NotRequired[int | None]
    signal: NotRequired[str | None]
