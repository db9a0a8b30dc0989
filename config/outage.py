"""The pages for when something behind the web tier is down or full: static, with no database and no request
context, so they render whatever else has failed."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger("deadbolt.outage")


def _database_errors() -> tuple[type[BaseException], ...]:
    import django.db

    errors: list[type[BaseException]] = [django.db.OperationalError, django.db.InterfaceError]
    try:
        import psycopg
    except ImportError:  # SQLite-only installs
        pass
    else:
        errors += [psycopg.OperationalError, psycopg.InterfaceError]
    return tuple(errors)


DATABASE_ERRORS = _database_errors()


def is_database_outage(error: BaseException | None) -> bool:
    """The error, or one it was raised from or while handling, says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def static_page(template: str, *, status: int, retry_after: int | None = None, **context) -> HttpResponse:
    """A page rendered from settings alone: no request, no context processors, no database."""
    body = loader.get_template(template).render({"shop_name": settings.SHOP_NAME, **context})
    response = HttpResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After, and one ERROR line for the request (Django's own 5xx line is suppressed)."""
    logger.error(
        "database unavailable: %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        " ".join(str(error).split())[:300],
    )
    response = static_page("503.html", status=503, retry_after=settings.WEB_DATABASE_RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # django.request would log it a second time
    return response


def signin_busy(request: HttpRequest) -> HttpResponse:
    """503 at once when sign-in is saturated: better than a wait past the person's patience."""
    retry_after = settings.SIGNIN_ADMISSION_RETRY_AFTER_SECONDS
    return static_page("503.html", status=503, retry_after=retry_after, busy=True, retry_path=request.path)
