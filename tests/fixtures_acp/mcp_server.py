"""A tiny stdio MCP server for the ACP driver tests (run as a script).

Tools:
    add(a, b) -> "a+b=<sum>"
    shout(text) -> the text upper-cased, with an invisible zero-width space and
        an ANSI colour sequence (so the tests can see the agent sanitise it)
    fail() -> an error result
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("calc")


@server.tool(description="Add two integers.\u200b Returns 'a+b=<sum>'.")
def add(a: int, b: int) -> str:
    return f"{a}+{b}={a + b}"


@server.tool(description="Upper-case a text.")
def shout(text: str) -> str:
    return "\x1b[31m" + text.upper() + "\u200b\x1b[0m"


@server.tool(description="Always fails.")
def fail() -> str:
    from mcp.server.mcpserver.exceptions import ToolError

    raise ToolError("this tool always fails")


if __name__ == "__main__":
    import sys

    # stdio (default), or `sse PORT` / `streamable-http PORT` on 127.0.0.1
    if len(sys.argv) > 2:
        server.run(sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]))  # type: ignore[arg-type]
    else:
        server.run("stdio")
