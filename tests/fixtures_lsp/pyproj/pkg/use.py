from pkg.models import Account, open_account


def main() -> int:
    account = open_account("ada")
    account.deposit(100)
    other = Account("bob", 5)
    return other.deposit(account.balance_cents)
