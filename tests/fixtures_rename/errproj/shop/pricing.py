"""Prices."""


def total(items: list[float]) -> float:
    return sum(items)


class Cart:
    def __init__(self) -> None:
        self.items: list[float] = []
        self.total = 0.0

    def add(self, price: float) -> None:
        self.items.append(price)
        self.total = total(self.items)


def broken(n: int) -> str:
    value: int = "not an int"
    return n + missing_name
