from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from orders.catalog import categories_with_products, products_on_sale
from orders.models import Category


def shop_front(request: HttpRequest) -> HttpResponse:
    category = None
    if slug := request.GET.get("category"):
        category = get_object_or_404(Category, slug=slug)
    return render(
        request,
        "orders/shop_front.html",
        {
            "categories": categories_with_products(),
            "category": category,
            "products": products_on_sale(category=category),
        },
    )


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(products_on_sale(), slug=slug)
    return render(request, "orders/product.html", {"product": product})
