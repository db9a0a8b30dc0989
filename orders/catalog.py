"""Reading the catalog."""

from django.db.models import QuerySet

from orders.models import Category, Product


def products_on_sale(*, category: Category | None = None) -> QuerySet[Product]:
    products = Product.objects.filter(is_active=True).select_related("category")
    if category is not None:
        products = products.filter(category=category)
    return products


def categories_with_products() -> QuerySet[Category]:
    return Category.objects.filter(products__is_active=True).distinct()
