from orders.cart import cart_count


def basket(request):
    """How many items are in the basket, for the header."""
    return {"basket_count": cart_count(request.session) if hasattr(request, "session") else 0}
