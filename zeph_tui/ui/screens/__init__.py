"""Dashboard screens and modals, one per module."""
