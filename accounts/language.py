"""The language a person sees: the URL's ?language= (for search engines), then the account's, then the browser's.

Django's LocaleMiddleware has already chosen from the language cookie (the picker's choice), Accept-Language and
LANGUAGE_CODE; LanguageMiddleware, after authentication, lets a signed-in account's language win and keeps the
cookie in step with it, so signing in brings the account's language to any browser.
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.models import Language, User
from config.languages import BCP47_TAGS, LANGUAGE_TAGS, bcp47_tag, django_code

# The query parameter of each hreflang alternate: the same page in one language, for this request only.
LANGUAGE_PARAMETER = "language"


def language_from_choice(value: str) -> Language | None:
    """The Language a picker or URL names (BCP 47 or Django's code, any case); None when it names none of ours."""
    tag = {choice.value.lower(): choice for choice in Language}.get((value or "").strip().lower())
    return Language(tag) if tag else None


def request_language(request: HttpRequest) -> Language:
    """The language this request's page is in: what a new account takes (the language it signed up in)."""
    return Language(bcp47_tag(getattr(request, "LANGUAGE_CODE", "") or translation.get_language()))


def user_language_set(*, user: User, language: Language) -> None:
    """Save the language the account's pages and messages use."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


class LanguageMiddleware:
    """After AuthenticationMiddleware: ?language= for this request, else a signed-in account's own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_url = language_from_choice(request.GET.get(LANGUAGE_PARAMETER, ""))
        user: AbstractBaseUser = request.user
        account = language_from_choice(user.preferred_language) if user.is_authenticated else None
        chosen = from_url or account
        if chosen:
            translation.activate(django_code(chosen))
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        # Signing in (or a change made in another browser) brings the account's language to this browser's cookie.
        if account and not from_url and cookie != django_code(account):
            language_cookie_set(response, django_code(account))
        return response


def language_cookie_set(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The picker's and Login & security's form: Django's set_language (cookie, safe `next`), saved to the account."""
    response = set_language(request)
    language = language_from_choice(request.POST.get(LANGUAGE_PARAMETER, ""))
    if language:
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
        with translation.override(django_code(language)):
            messages.success(request, _("Language changed to %(language)s.") % {"language": language_name(language)})
    return response


def language_name(language: Language) -> str:
    return dict(LANGUAGE_TAGS)[language.value]


def language_context(request: HttpRequest) -> dict:
    """For base.html: the page's BCP 47 tag, the picker's `next`, and the hreflang alternates."""
    query = request.GET.copy()
    query.pop(LANGUAGE_PARAMETER, None)
    path = request.path + (f"?{query.urlencode()}" if query else "")
    return {
        "language_tag": bcp47_tag(translation.get_language()),
        "language_next": path,
        # A callable, so a page that never shows the links (a fragment, an email) never builds them.
        "language_links": partial(language_links, request, query, path),
    }


def language_links(request: HttpRequest, query: QueryDict, path: str) -> SafeString:
    """The <link rel="alternate"> of each language and the x-default: the same page with ?language=<tag>."""
    # Every tag is letters, digits and "-", which a query string carries as they are: no urlencode per tag.
    base = escape(request.build_absolute_uri(request.path) + (f"?{query.urlencode()}&" if query else "?"))
    links = [
        f'\n  <link rel="alternate" hreflang="{tag}" href="{base}{LANGUAGE_PARAMETER}={tag}">' for tag in BCP47_TAGS
    ]
    links.append(f'\n  <link rel="alternate" hreflang="x-default" href="{escape(request.build_absolute_uri(path))}">')
    return mark_safe("".join(links))  # noqa: S308 (our own tags, and both addresses escaped above)
