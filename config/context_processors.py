from django.conf import settings


def shop(request):
    """The shop's name, for the header, titles and messages."""
    return {"shop_name": settings.SHOP_NAME}
