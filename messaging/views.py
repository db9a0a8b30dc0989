from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from messaging.callbacks import message_status_from_provider
from messaging.devoutbox import outbox_files


@csrf_exempt  # Twilio cannot send a CSRF token; its request signature is checked instead
@require_POST
def twilio_status(request: HttpRequest, message_id: int | None = None) -> HttpResponse:
    signature = request.headers.get("X-Twilio-Signature", "")
    # Twilio signs the public URL it called, which the proxy in front of us may rewrite: use SITE_URL.
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    if not (
        settings.TWILIO_AUTH_TOKEN
        and signature
        and RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)
    ):
        return HttpResponseForbidden("invalid signature")
    message_status_from_provider(
        message_id=message_id,
        provider_id=request.POST.get("MessageSid") or request.POST.get("CallSid", ""),
        provider_status=request.POST.get("MessageStatus") or request.POST.get("CallStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


def dev_outbox(request: HttpRequest) -> HttpResponse:
    """DEBUG only: the messages the demo sent, newest first, so a visitor can read their "SMS"."""
    if not settings.DEBUG:
        raise Http404
    return render(request, "messaging/dev_outbox.html", {"entries": outbox_files(limit=50)})
