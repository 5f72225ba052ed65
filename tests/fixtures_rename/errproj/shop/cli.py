from shop import pricing


def main() -> float:
    return pricing.total([1.0, 2.0])
