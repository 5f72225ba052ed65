"""Fixtures for the acp tests: a stdlib-only echo agent and a raw test peer."""
