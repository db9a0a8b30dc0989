from django.conf import settings


def shop(request):
    """The shop's name for every page, and whether the development outbox exists (DEBUG only)."""
    return {"shop_name": settings.SHOP_NAME, "show_dev_outbox": settings.DEBUG}
