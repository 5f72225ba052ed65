"""The system prompt: role, workspace facts, project instructions, skills, repo map.

Built once per prompt (skills are ranked against the user's words). Each
part has its own budget so a large repository or many skills cannot crowd
out the conversation.
"""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zeph_tui.core.session.session import Session

__all__ = ["BASE_PROMPT", "build_system_prompt"]

BASE_PROMPT = """\
You are zeph, a coding assistant working in the user's repository through tools.
- Read before you edit: use read_file, glob and grep to understand the code first.
- Make focused changes with edit_file (exact old_string) or write_file for new files.
- Run tests and commands with bash; long output is truncated and archived: page it with
  read_overflow(id, offset, limit) or search it with read_overflow(id, grep=...).
- After a write or edit, the result may list compiler diagnostics the change introduced
  or fixed: fix what you broke before you finish.
- Paths are relative to the workspace root. Lines are 1-based.
- Be brief in prose; show what you changed and why.
"""


async def build_system_prompt(session: Session, user_text: str) -> str:
    """Compose the system prompt for one prompt turn.

    Args:
        session: the running session (workspace, provider, options).
        user_text: the user's words, used to rank skills.
    """
    parts = [
        BASE_PROMPT,
        f"Workspace: {session.workspace}\nPlatform: {platform.system()} {platform.release()}\n"
        f"Permission mode: {session.mode}",
    ]
    extra = session.prompt_sections
    for section in extra:
        text = await section(session, user_text)
        if text:
            parts.append(text)
    return "\n\n".join(parts)
