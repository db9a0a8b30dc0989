"""SendOTPMessage and VerifyOTPMessage over Pinpoint's REST API, signed with SigV4; the OpenAPI file and docs."""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from config.ratelimit import limit_hit
from otpapi.codes import otp_send, otp_verify
from otpapi.errors import ApiError, BadRequest, Forbidden, MethodNotAllowed, NotFound, PayloadTooLarge, TooManyRequests
from otpapi.errors import error_response as _error_response
from otpapi.keys import access_key_used, request_authenticate
from otpapi.models import AccessKey, OtpApplication
from otpapi.openapi import openapi_document
from otpapi.parameters import body_parse, send_parameters, verify_parameters
from security.events import client_ip

logger = logging.getLogger(__name__)


def _body(request: HttpRequest) -> bytes:
    """The raw body, read no further than the limit (a missing or false Content-Length cannot get past it)."""
    most = settings.PINPOINT_API_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None
    if declared > most:
        raise PayloadTooLarge(f"The request body is larger than {most} bytes.")
    body = request.read(most + 1)
    if len(body) > most:
        raise PayloadTooLarge(f"The request body is larger than {most} bytes.")
    return body


def _application(key: AccessKey, application_id: str) -> OtpApplication:
    if key.application.application_id == application_id and key.application.active:
        return key.application
    if OtpApplication.objects.filter(application_id=application_id, active=True).exists():
        raise Forbidden("The access key is not authorized to use this application.")
    raise NotFound("Application not found.")


def _api(operation: Callable[..., dict], limit: str) -> Callable[[HttpRequest, str], HttpResponse]:
    @csrf_exempt  # signed with SigV4 instead; no cookie is read
    @never_cache
    def view(request: HttpRequest, application_id: str) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            if request.method != "POST":
                raise MethodNotAllowed(f"{request.method} is not allowed here; use POST.")
            body = _body(request)
            key = request_authenticate(request, body)
            application = _application(key, application_id)
            allowance = limit_hit(limit, key.key_id)
            if not allowance.allowed:
                raise TooManyRequests("Too many requests for this access key.", retry_after=allowance.retry_after)
            access_key_used(key)
            answer = operation(
                request=request,
                key=key,
                application=application,
                data=body_parse(body),
                request_id=request_id,
            )
        except ApiError as error:
            return _error_response(error, request_id=request_id)
        except Exception:  # a server fault: Pinpoint's 500 shape, never Django's HTML page
            logger.exception("otpapi: request %s failed", request_id)
            return _error_response(ApiError("Internal server error."), request_id=request_id)
        response = JsonResponse(answer)
        response["x-amzn-RequestId"] = request_id
        return response

    return view


def _send(*, request, key, application, data, request_id) -> dict:
    parameters = send_parameters(data)
    sent = otp_send(
        application=application, key=key, parameters=parameters, request_id=request_id, ip=client_ip(request)
    )
    return {
        "ApplicationId": application.application_id,
        "RequestId": request_id,
        "Result": {
            parameters.destination: {
                "DeliveryStatus": "SUCCESSFUL",
                "MessageId": sent.message_id,
                "StatusCode": 200,
                "StatusMessage": f"MessageId: {sent.message_id}",
            }
        },
    }


def _verify(*, request, key, application, data, request_id) -> dict:
    valid = otp_verify(
        application=application,
        key=key,
        parameters=verify_parameters(data),
        request_id=request_id,
        ip=client_ip(request),
    )
    return {"Valid": valid}


send_otp = _api(_send, "otp_api_send_per_key")
verify_otp = _api(_verify, "otp_api_verify_per_key")


def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(prefix=settings.PINPOINT_API_PREFIX), json_dumps_params={"indent": 2})


def docs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "otpapi/docs.html",
        {"prefix": settings.PINPOINT_API_PREFIX, "document": openapi_document(prefix=settings.PINPOINT_API_PREFIX)},
    )
