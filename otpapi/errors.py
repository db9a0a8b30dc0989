"""Pinpoint's error answers: `{"Message", "RequestID"}` with `x-amzn-ErrorType`, which botocore maps to its
exception classes (BadRequestException, ForbiddenException, ...)."""

from django.http import JsonResponse


class ApiError(Exception):
    status = 500
    error_type = "InternalServerErrorException"

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class BadRequest(ApiError):
    status, error_type = 400, "BadRequestException"


class Forbidden(ApiError):
    status, error_type = 403, "ForbiddenException"


class NotFound(ApiError):
    status, error_type = 404, "NotFoundException"


class MethodNotAllowed(ApiError):
    status, error_type = 405, "MethodNotAllowedException"


class PayloadTooLarge(ApiError):
    status, error_type = 413, "PayloadTooLargeException"


class TooManyRequests(ApiError):
    status, error_type = 429, "TooManyRequestsException"


def error_response(error: ApiError, *, request_id: str) -> JsonResponse:
    response = JsonResponse({"Message": error.message, "RequestID": request_id}, status=error.status)
    response["x-amzn-ErrorType"] = error.error_type
    response["x-amzn-RequestId"] = request_id
    if error.retry_after is not None:
        response["Retry-After"] = str(max(1, error.retry_after))
    return response
