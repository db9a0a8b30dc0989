from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_path(request: HttpRequest, default: str = "/") -> str:
    """The ?next= (or posted next) target when it is a path on this site; `default` otherwise."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return target
    return default
