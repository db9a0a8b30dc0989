import sys

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.outage import database_unavailable, is_database_outage, static_page


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database outage page when that is the cause (an error in a middleware, such as a session
    save, reaches here rather than process_exception); otherwise the static 500 page."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return database_unavailable(request, error)
    return static_page("500.html", status=500)


def contact(request: HttpRequest) -> HttpResponse:
    """Where a worried shopper goes: each worry leads to the flow that settles it, then how to reach people."""
    phone = settings.SUPPORT_PHONE
    return render(
        request,
        "contact.html",
        {
            "support_email": settings.SUPPORT_EMAIL,
            "support_phone": phone,
            "support_phone_href": "tel:" + "".join(c for c in phone if c.isdigit() or c == "+"),
        },
    )
