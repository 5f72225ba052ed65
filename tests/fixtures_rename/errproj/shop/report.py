from shop.pricing import Cart, total


class Report:
    def total(self) -> str:
        return "report total"

    def render(self, cart: Cart) -> str:
        return f"{total(cart.items)} {cart.total} {self.total()}"


def also_broken() -> int:
    return total("x") + undefined_thing
