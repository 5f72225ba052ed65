"""Sample models used by the LSP bridge tests."""


class Account:
    """A bank account with a balance in cents."""

    def __init__(self, owner: str, balance_cents: int = 0) -> None:
        self.owner = owner
        self.balance_cents = balance_cents

    def deposit(self, amount_cents: int) -> int:
        """Add money and return the new balance in cents."""
        self.balance_cents += amount_cents
        return self.balance_cents


def open_account(owner: str) -> Account:
    """Create an empty account for ``owner``."""
    return Account(owner)
