"""Where the tests' fixtures live, wherever a test module sits."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent

__all__ = ["REPO_ROOT", "TESTS"]
