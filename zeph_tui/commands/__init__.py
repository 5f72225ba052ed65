"""Sub-command implementations of the ``zeph-tui`` CLI, one module each, imported lazily."""
