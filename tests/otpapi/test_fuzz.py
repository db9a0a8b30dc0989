"""Schemathesis fuzzes both calls from the served OpenAPI file with requests signed by botocore's SigV4Auth:
no input gets a 500, and every answer matches the description (status, content type, headers, body)."""

import pytest
import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.conf import settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class SigV4(requests.auth.AuthBase):
    """Signs the request exactly as it will be sent, as an AWS SDK would."""

    def __init__(self, key_id: str, secret: str):
        self.credentials = Credentials(key_id, secret)

    def __call__(self, prepared):
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
        signing = AWSRequest(method=prepared.method, url=prepared.url, data=body, headers={})
        if "Content-Type" in prepared.headers:
            signing.headers["Content-Type"] = prepared.headers["Content-Type"]
        SigV4Auth(self.credentials, "mobiletargeting", "us-east-1").add_auth(signing)
        for name in ("Authorization", "X-Amz-Date"):
            prepared.headers[name] = signing.headers[name]
        return prepared


@pytest.mark.parametrize("operation_id", ["SendOTPMessage", "VerifyOTPMessage"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_fuzzed_signed_requests_get_documented_answers_and_never_a_500(live_server, otp_app, operation_id, mode):
    prefix = settings.PINPOINT_API_PREFIX
    document = requests.get(f"{live_server.url}{prefix}/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    operation = schema.find_operation_by_id(operation_id)
    base_url = live_server.url + prefix
    auth = SigV4(otp_app.key_id, otp_app.secret)
    strategy = operation.as_strategy(mode)
    statuses = []

    @given(case=strategy, own_application=st.sampled_from([True, True, True, False]))
    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, own_application):
        if own_application:  # mostly this application's id; sometimes whatever was generated
            case.path_parameters["application-id"] = otp_app.application_id
        response = case.call(base_url=base_url, auth=auth, timeout=10)
        statuses.append(response.status_code)
        assert response.status_code != 500, response.text
        case.validate_response(response, checks=CHECKS)

    run()
    print(operation_id, mode, sorted((status, statuses.count(status)) for status in set(statuses)))
    assert 400 in statuses  # the signed requests got past the signature check to the parameters
