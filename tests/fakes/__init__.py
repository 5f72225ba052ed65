"""Local fakes of remote services used by the tests (loopback only)."""
