"""Import a large SDK package without running its package ``__init__`` files up front.

``import anthropic`` runs ``anthropic/__init__.py``, which imports every
type, resource and helper of the SDK (about 3,300 modules here: ~0.9 s and
~100 MB RSS), though a streamed ``messages.create`` uses about a third of
them. :func:`import_lean` imports the real SDK, unchanged, with its
packages (``__init__`` files) made lazy:

* a package module is created with its ``__path__`` but its ``__init__``
  code does not run;
* a name the ``__init__`` re-exports with a top-level ``from .sub import
  Name`` is served by importing ``sub`` alone (the map is read from the
  ``__init__`` source with :mod:`ast`, never executed);
* a submodule name imports that submodule;
* any other missing name runs the real ``__init__`` once, in the same
  module object, and the package is then exactly the eager one.

So every attribute that works on the eagerly imported package works here
too, only later. What is skipped until then are the ``__init__`` files'
side effects (the SDK's ``ANTHROPIC_LOG`` logging set-up: call it
yourself, see :func:`zeph_tui.core.providers.anthropic.sdk`; the
``__module__`` renaming of exported classes). Packages whose ``__init__``
may raise :class:`ImportError` on purpose (optional extras such as
``_vendor``) are given in ``eager`` and import as usual. A package already
in :data:`sys.modules` is returned as it is.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Sequence
from types import ModuleType

__all__ = ["import_lean"]

_LOCK = threading.RLock()


def _reexports(path: str | None) -> dict[str, tuple[str, str]]:
    """``{name: (relative submodule, its name there)}`` of ``from .sub import x as name``.

    Only top-level statements of ``path`` count (not those under ``if`` or ``try``).
    """
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), path)
    except (OSError, SyntaxError, ValueError):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = (node.module, alias.name)
    return out


class _LazyPackage(importlib.abc.Loader):
    """Loader of one package: installs a module ``__getattr__`` instead of running ``__init__``."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self._real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        real = self._real
        names: dict[str, tuple[str, str]] | None = None
        initialised = False

        def full_init() -> None:
            nonlocal initialised
            if not initialised:
                initialised = True
                real.exec_module(module)

        def __getattr__(name: str) -> object:
            nonlocal names
            with _LOCK:
                if initialised:
                    raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
                if name.startswith("__") and name != "__all__":
                    raise AttributeError(name)
                if names is None:
                    names = _reexports(getattr(module, "__file__", None))
                if name in names:
                    sub, original = names[name]
                    target = importlib.import_module(f"{module.__name__}.{sub}")
                    value = getattr(target, original)
                    setattr(module, name, value)
                    return value
                full = f"{module.__name__}.{name}"
                if full in sys.modules or importlib.util.find_spec(full) is not None:
                    return importlib.import_module(full)
                full_init()
                return module.__dict__[name] if name in module.__dict__ else getattr(module, name)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]


class _LazyPackages(importlib.abc.MetaPathFinder):
    """Finds the packages under ``root`` as the other finders do, with a lazy loader."""

    def __init__(self, root: str, eager: Sequence[str]) -> None:
        self.root = root
        self.eager = tuple(eager)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.root and not fullname.startswith(self.root + "."):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        lazy = (
            spec.submodule_search_locations is not None
            and spec.loader is not None
            and not any(part in self.eager for part in fullname.split(".")[1:])
        )
        if lazy:
            assert spec.loader is not None
            spec.loader = _LazyPackage(spec.loader)
        return spec


def import_lean(root: str, names: Sequence[str], *, eager: Sequence[str] = ()) -> ModuleType:
    """Import top-level package ``root`` with lazy package ``__init__`` files (module doc).

    Args:
        root: a top-level package name, e.g. ``"anthropic"``.
        names: attributes of ``root`` the caller uses (e.g. ``["AsyncAnthropic"]``);
            resolved here, so a failure shows now and not at first use.
        eager: names of subpackages (one path component, e.g. ``"_vendor"``)
            imported as usual, with everything under them.

    Returns:
        The package module (one already in :data:`sys.modules` is returned as it is).

    Raises:
        ImportError: ``root`` is not installed. Any failure of the lazy import
            falls back to the plain ``import root`` (whose error, if any, is raised).
    """
    with _LOCK:
        if root in sys.modules:
            return sys.modules[root]
        finder = _LazyPackages(root, eager)
        sys.meta_path.insert(0, finder)
        try:
            module = importlib.import_module(root)
            for name in names:
                getattr(module, name)
        except Exception:
            sys.meta_path.remove(finder)
            for name in [n for n in sys.modules if n == root or n.startswith(root + ".")]:
                del sys.modules[name]
            module = importlib.import_module(root)
        return module
