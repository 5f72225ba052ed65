"""A standard-library-only ACP agent: the baseline of bench/session_open.py.

It does what the bench asks of zeph-tui, with nothing else: ``initialize``;
``session/new`` (a row in ``$ZEPH_HOME/zeph.db``, then one
``available_commands_update``); ``session/load`` (replays the stored events
of zeph-tui's schema); ``session/prompt`` (streams a chat completion from
``$OPENAI_BASE_URL`` with urllib and forwards each delta). sqlite3 and
urllib only: the floor a Python agent cannot go under.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import urllib.request
import uuid

DB = sqlite3.connect(os.path.join(os.environ["ZEPH_HOME"], "zeph.db"))


def send(frame: dict) -> None:
    sys.stdout.write(json.dumps(frame) + "\n")
    sys.stdout.flush()


def update(session_id: str, payload: dict) -> None:
    send(
        {
            "jsonrpc": "2.0",
            "method": "session/update",
            "params": {"sessionId": session_id, "update": payload},
        }
    )


def new_session(params: dict) -> dict:
    sid = f"sess_{uuid.uuid4().hex[:16]}"
    now = time.time()
    DB.execute(
        "INSERT INTO sessions(id, cwd, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (sid, params["cwd"], now, now),
    )
    DB.commit()
    return {"sessionId": sid}


def load_session(params: dict) -> dict:
    sid = params["sessionId"]
    rows = DB.execute("SELECT payload_json FROM events WHERE session_id = ? ORDER BY id", (sid,))
    for (payload,) in rows:
        update(sid, json.loads(payload))
    return {}


def prompt(params: dict) -> dict:
    sid = params["sessionId"]
    text = "".join(b.get("text", "") for b in params["prompt"])
    body = {"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": text}]}
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"] + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        for raw in response:
            line = raw.decode().strip()
            if not line.startswith("data:") or line == "data: [DONE]":
                continue
            for choice in json.loads(line[5:]).get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    update(
                        sid,
                        {
                            "sessionUpdate": "agent_message_chunk",
                            "content": {"type": "text", "text": piece},
                        },
                    )
    return {"stopReason": "end_turn"}


def main() -> None:
    for line in sys.stdin:
        msg = json.loads(line)
        method = msg.get("method")
        if "id" not in msg:
            continue
        if method == "initialize":
            result: dict = {
                "protocolVersion": 1,
                "agentCapabilities": {"loadSession": True},
                "authMethods": [],
            }
        elif method == "session/new":
            result = new_session(msg["params"])
            send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            update(
                result["sessionId"],
                {"sessionUpdate": "available_commands_update", "availableCommands": []},
            )
            continue
        elif method == "session/load":
            result = load_session(msg["params"])
        elif method == "session/prompt":
            result = prompt(msg["params"])
        else:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": msg["id"],
                    "error": {"code": -32601, "message": "no such method"},
                }
            )
            continue
        send({"jsonrpc": "2.0", "id": msg["id"], "result": result})


if __name__ == "__main__":
    main()
