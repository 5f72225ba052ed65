from shop.pricing import total

__all__ = ["total"]
