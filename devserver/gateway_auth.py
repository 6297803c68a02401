"""API Gateway's checks before a protected method runs: an API key (x-api-key) or a SigV4 signature (AWS_IAM).

Local runs accept the stage's API keys (`local-dev-key` unless configured, and with AdminAuth=API_KEY the admin key,
`local-admin-key`: as in API Gateway, any key of the stage passes) and SigV4 signatures made with the local
credentials (access key id `local`, secret `local`) for service `execute-api` in the local region (`us-east-1`): as
API Gateway, a signature scoped to another service or region is refused. Clients written against `make dev` send what
the deployed API requires. Signatures are checked with botocore's own SigV4 code, recomputed from the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from hmac import compare_digest

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devserver.api_keys import StageKey
from devserver.events import HttpRequest
from devserver.gateway_responses import MISSING_ROUTE, GatewayError, signature_error
from devserver.local_aws import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY

SERVICE = "execute-api"  # the signing name of API Gateway's invoke endpoint (not "apigateway", its control plane)
MAX_CLOCK_SKEW = timedelta(minutes=15)  # API Gateway refuses signatures older (or newer) than this
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<signature>[0-9a-f]{64})"
)


def header(request: HttpRequest, name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in request.headers if key.lower() == wanted), None)


def key_of(request: HttpRequest, keys: Iterable[StageKey]) -> StageKey | None:
    """The stage's key the request carries in x-api-key, or None (none, or one the stage does not know)."""
    sent = header(request, "x-api-key")
    if sent is None:
        return None
    return next((key for key in keys if compare_digest(sent.encode(), key.value.encode())), None)


def sigv4_denial(request: HttpRequest, host_url: str) -> GatewayError | None:
    """None if the request carries a valid local SigV4 signature, else API Gateway's answer to the failure."""
    authorization = header(request, "authorization")
    if authorization is None:
        return MISSING_ROUTE  # as API Gateway: an unsigned request looks like one to no route
    parsed = _AUTHORIZATION.fullmatch(authorization.strip())
    amz_date = header(request, "x-amz-date")
    if parsed is None or amz_date is None:
        return signature_error(
            "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and 'X-Amz-Date'.",
            "IncompleteSignatureException",
        )
    # API Gateway checks the credential's scope before the key: a signature made for another service or region (an
    # SDK client built for S3, a region other than the stage's) is refused, whatever its key and however valid.
    if parsed["service"] != SERVICE:
        return signature_error(
            f"Credential should be scoped to correct service: '{SERVICE}'. ", "InvalidSignatureException"
        )
    if parsed["region"] != REGION:
        return signature_error(
            f"Credential should be scoped to a valid region, not '{parsed['region']}'. ", "InvalidSignatureException"
        )
    if parsed["key"] != ACCESS_KEY_ID:
        return signature_error("The security token included in the request is invalid.", "AccessDeniedException")
    try:
        signed_at = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        return signature_error("Invalid X-Amz-Date.", "IncompleteSignatureException")
    if abs(datetime.now(UTC) - signed_at) > MAX_CLOCK_SKEW:
        return signature_error("Signature expired.", "InvalidSignatureException")
    expected = _signature(request, host_url, parsed, amz_date)
    if not compare_digest(expected, parsed["signature"]):
        return signature_error(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
            "InvalidSignatureException",
        )
    return None


def _signature(request: HttpRequest, host_url: str, authorization: re.Match[str], amz_date: str) -> str:
    """The signature botocore computes for the request as received, over exactly the headers the client signed."""
    signed_names = set(authorization["signed"].split(";"))
    headers = {name: value for name, value in request.headers if name.lower() in signed_names}
    url = f"{host_url}{request.raw_path}" + (f"?{request.query}" if request.query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = amz_date
    credentials = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    signer = SigV4Auth(credentials, SERVICE, REGION)
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))
