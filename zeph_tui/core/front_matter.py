"""YAML front matter of Markdown files (SKILL.md, ``.claude/agents/*.md``), parsed by python-frontmatter.

One parser for every such file, so a skill and an agent definition refuse the
same mistakes with the same words. The format: a first line ``---``, a YAML
mapping, a line ``---``, then the Markdown body
(https://jekyllrb.com/docs/front-matter/, as Claude Code's skills and
sub-agents use it).
"""

from __future__ import annotations

from typing import Any

from zeph_tui.core.errors import ZephError

__all__ = ["parse_front_matter"]


def parse_front_matter(
    text: str, *, what: str, error: type[ZephError]
) -> tuple[dict[str, Any], str]:
    """The front matter mapping and the body of ``text``.

    Args:
        text: the whole file.
        what: how messages name the file, e.g. ``"SKILL.md"`` or ``"the file"``.
        error: the ZephError subclass raised.

    Returns:
        ``(metadata, body)``: the YAML mapping (a new dict) and the Markdown after it.

    Raises:
        error: no front matter block, bad YAML, or front matter that is not a mapping.
    """
    import frontmatter  # deferred: PyYAML costs ~20 ms at import
    import yaml

    if not text.lstrip("\ufeff").startswith("---"):
        raise error(f"{what} does not start with a '---' YAML front matter block")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise error(f"bad YAML front matter: {' '.join(str(exc).split())}") from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise error(f"bad front matter: {exc}") from exc
    meta = post.metadata
    if not isinstance(meta, dict):
        raise error("front matter must be a YAML mapping")
    return dict(meta), post.content
