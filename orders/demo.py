"""A demo catalog for the embedded default (DEBUG only)."""

from decimal import Decimal

from django.utils.text import slugify

from orders.models import Category, Product

DEMO_CATALOG = {
    "Electronics": [
        ("Aurora noise-cancelling headphones", "Forty hours of quiet, folds flat.", "279.00"),
        ("Pebble 11 tablet", "An 11-inch screen that lasts all day.", "449.00"),
        ("Lumen smart speaker", "Room-filling sound, privacy switch included.", "89.00"),
    ],
    "Jewellery": [
        ("Solstice gold hoop earrings", "9ct gold, 20 mm, gift boxed.", "325.00"),
        ("Meridian silver watch", "Sapphire glass, 50 m water resistant.", "189.00"),
    ],
    "Home & kitchen": [
        ("Harbour cast-iron casserole", "4.2 litres, enamelled, oven safe to 260 °C.", "119.00"),
        ("Linen tea towels, set of three", "Stonewashed Belgian linen.", "24.00"),
        ("Ember pour-over kettle", "Gooseneck spout, variable temperature.", "69.00"),
    ],
    "Books": [
        ("The Quiet Lock", "A history of keeping things safe.", "16.99"),
        ("Bread Every Day", "Simple loaves for busy kitchens.", "22.00"),
    ],
    "Garden": [
        ("Fern & moss terrarium kit", "Everything to start a small green world.", "38.00"),
        ("Oak raised bed", "120 × 60 cm, untreated oak.", "145.00"),
    ],
}


def demo_catalog_create() -> int:
    """Create the demo categories and products that are missing; returns how many products were added."""
    added = 0
    for position, (category_name, products) in enumerate(DEMO_CATALOG.items()):
        category, _ = Category.objects.get_or_create(
            slug=slugify(category_name), defaults={"name": category_name, "position": position}
        )
        for name, summary, price in products:
            _, created = Product.objects.get_or_create(
                slug=slugify(name),
                defaults={
                    "category": category,
                    "name": name,
                    "summary": summary,
                    "description": summary,
                    "price": Decimal(price),
                },
            )
            added += created
    return added
