"""The site's URLs plus views that fail on purpose, for the error-page and error-report tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import handler500  # noqa: F401 -- handler500 is read from here
from config.urls import urlpatterns as site_urlpatterns


class DeliberateError(Exception):
    pass


@csrf_exempt
def fail(request: HttpRequest) -> HttpResponse:
    typed_code = request.POST.get("code", "")  # a local variable an error report must not carry
    raise DeliberateError(f"failed with a code of {len(typed_code)} characters")


urlpatterns = [*site_urlpatterns, path("test-fail/", fail)]
