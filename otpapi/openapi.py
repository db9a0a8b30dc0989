"""The OpenAPI 3 description of the two calls, as Deadbolt serves them (Pinpoint's shapes and error codes)."""

from otpapi.parameters import LANGUAGES

_PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"


def _text(least: int, most: int, description: str) -> dict:
    return {"type": "string", "minLength": least, "maxLength": most, "pattern": _PRINTABLE, "description": description}


_ERRORS = {
    "400": ("BadRequestException", "A field is missing or wrong (the message names it), or the body is not JSON."),
    "403": (
        "ForbiddenException",
        "Missing, malformed, stale, replayed or wrong SigV4 signature; unknown or revoked "
        "key; or a key of another application.",
    ),
    "404": ("NotFoundException", "No such application."),
    "405": ("MethodNotAllowedException", "Only POST."),
    "413": ("PayloadTooLargeException", "The body is over the size limit."),
    "429": ("TooManyRequestsException", "A send cap or the access key's rate limit; see Retry-After."),
    "500": ("InternalServerErrorException", "A fault on the server (never caused by input)."),
}


def _error_responses() -> dict:
    responses = {}
    for status, (name, description) in _ERRORS.items():
        headers = {"x-amzn-ErrorType": {"schema": {"type": "string", "enum": [name]}, "required": True}}
        if status == "429":
            headers["Retry-After"] = {"schema": {"type": "string", "pattern": "^[0-9]+$"}}
        responses[status] = {
            "description": f"{name}: {description}",
            "headers": headers,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


def _operation(operation_id: str, summary: str, request: str, response: str) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"sigv4": []}],
        "parameters": [
            {
                "name": "application-id",
                "in": "path",
                "required": True,
                "description": "The application's id (32 hexadecimal characters).",
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}},
        },
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}},
            },
            **_error_responses(),
        },
    }


def openapi_document(*, prefix: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Deadbolt OTP API (Amazon Pinpoint SendOTPMessage and VerifyOTPMessage)",
            "version": "2016-12-01",
            "description": (
                "Pinpoint's two OTP calls, signed with AWS Signature Version 4 (service `mobiletargeting`, any "
                "region). Point an AWS SDK's `pinpoint` client at this server with `endpoint_url` and use the "
                "access key `manage.py otp_app create` printed."
            ),
        },
        "servers": [{"url": prefix or "/"}],
        "paths": {
            "/v1/apps/{application-id}/otp": {
                "post": _operation(
                    "SendOTPMessage", "Send a one-time code", "SendOTPMessageRequestParameters", "MessageResponse"
                )
            },
            "/v1/apps/{application-id}/verify-otp": {
                "post": _operation(
                    "VerifyOTPMessage",
                    "Verify a one-time code",
                    "VerifyOTPMessageRequestParameters",
                    "VerificationResponse",
                )
            },
        },
        "components": {
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "description": "AWS Signature Version 4 (AWS4-HMAC-SHA256) with X-Amz-Date within 15 minutes.",
                }
            },
            "schemas": {
                "SendOTPMessageRequestParameters": {
                    "type": "object",
                    "example": {
                        "Channel": "SMS",
                        "BrandName": "ExampleCorp",
                        "CodeLength": 6,
                        "ValidityPeriod": 10,
                        "AllowedAttempts": 3,
                        "Language": "en-GB",
                        "OriginationIdentity": "ExampleCorp",
                        "DestinationIdentity": "+447911123456",
                        "ReferenceId": "signin-42",
                    },
                    "required": ["BrandName", "Channel", "DestinationIdentity", "ReferenceId"],
                    "properties": {
                        "AllowedAttempts": {"type": "integer", "minimum": 1, "maximum": 5, "default": 3},
                        "BrandName": _text(1, 20, "Put into the message: '... from {BrandName}'."),
                        "Channel": {"type": "string", "enum": ["SMS", "VOICE", "EMAIL"]},
                        "CodeLength": {"type": "integer", "minimum": 5, "maximum": 8, "default": 6},
                        "DestinationIdentity": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 254,
                            "description": "E.164 phone number for SMS and VOICE; an email address for EMAIL.",
                        },
                        "EntityId": _text(0, 64, "DLT entity id (India); kept and passed to the provider."),
                        "Language": {"type": "string", "enum": list(LANGUAGES), "default": "en-US"},
                        "OriginationIdentity": _text(0, 64, "Requested sender; kept (the configured number sends)."),
                        "ReferenceId": _text(1, 48, "Your reference; verification must name the same one."),
                        "TemplateId": _text(0, 64, "DLT template id (India); kept and passed to the provider."),
                        "ValidityPeriod": {"type": "integer", "minimum": 5, "maximum": 60, "default": 15},
                    },
                },
                "VerifyOTPMessageRequestParameters": {
                    "type": "object",
                    "example": {"DestinationIdentity": "+447911123456", "ReferenceId": "signin-42", "Otp": "123456"},
                    "required": ["DestinationIdentity", "Otp", "ReferenceId"],
                    "properties": {
                        "DestinationIdentity": {"type": "string", "minLength": 1, "maxLength": 254},
                        "Otp": _text(1, 64, "What the person typed."),
                        "ReferenceId": _text(1, 48, "The ReferenceId of the send."),
                    },
                },
                "MessageResponse": {
                    "type": "object",
                    "required": ["ApplicationId", "RequestId", "Result"],
                    "properties": {
                        "ApplicationId": {"type": "string"},
                        "RequestId": {"type": "string"},
                        "Result": {
                            "type": "object",
                            "additionalProperties": {"$ref": "#/components/schemas/MessageResult"},
                        },
                    },
                },
                "MessageResult": {
                    "type": "object",
                    "required": ["DeliveryStatus", "StatusCode"],
                    "properties": {
                        "DeliveryStatus": {"type": "string", "enum": ["SUCCESSFUL"]},
                        "MessageId": {"type": "string"},
                        "StatusCode": {"type": "integer"},
                        "StatusMessage": {"type": "string"},
                    },
                },
                "VerificationResponse": {
                    "type": "object",
                    "required": ["Valid"],
                    "properties": {"Valid": {"type": "boolean"}},
                },
                "Error": {
                    "type": "object",
                    "required": ["Message", "RequestID"],
                    "properties": {"Message": {"type": "string"}, "RequestID": {"type": "string"}},
                },
            },
        },
    }
