"""Declares a route's handler: `@api_handler(parse)` over a typed function of its input and the Momento API key.

    @api_handler(parse_submission, json_body=True)
    def submit_score(submission: Submission, key: Secret) -> Response: ...

An admin route says so (`@api_handler(parse, admin=True)`): under AdminAuth=API_KEY it then refuses any key but the
admin key, which API Gateway alone would not (see middlewares/admin_key.py).

The decorator builds the Lambda entry point around it: the middleware chain, wrapped in Powertools logging, metrics
and tracing. mypy checks that the handler takes what `parse` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from shared.http.middlewares.admin_key import admin_key
from shared.http.middlewares.conditional_reads import ReadCache, ReadCaching, conditional_reads
from shared.http.middlewares.http_error_handler import http_error_handler
from shared.http.middlewares.json_body_parser import json_body_parser
from shared.http.middlewares.ssm_parameters import CachedParameter, api_key_parameter, ssm_parameter
from shared.http.middlewares.validator import validator
from shared.http.middy import Event, Request, Response, Slot, middy
from shared.http.request import request_id_of
from shared.http.responses import no_content, with_cors
from shared.platform.config import settings
from shared.platform.observability import logger, metrics, tracer
from shared.platform.secret import Secret
from shared.platform.snapshots import after_restore

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

LambdaHandler = Callable[[Event, Any], Response]


def api_handler[T](
    parse: Callable[[Event], T],
    *,
    json_body: bool = False,
    admin: bool = False,
    reads: ReadCaching | None = None,
    connect: Callable[[Secret], None] | None = None,
    idempotency: BasePersistenceLayer | None = None,
) -> Callable[[Callable[[T, Secret], Response]], LambdaHandler]:
    """`parse` turns the event into the handler's input (raising InvalidInput); `json_body` parses the body first;
    `admin` refuses, before anything else, a request whose API key is not the admin key (when one is configured);
    `reads` makes a GET route answer with ETags and 304s, and with SHARED keeps its answers for READ_CACHE_SECONDS;
    `connect` opens the stores' connections with the key, now (see connect_at_init); `idempotency` keeps each
    Idempotency-Key's answer there, so a request sent again with its key is answered without running again."""

    def build(handler: Callable[[T, Secret], Response]) -> LambdaHandler:
        config = settings()
        valid_input: Slot[T] = Slot("input")
        api_key: Slot[Secret] = Slot("momento_api_key")

        def run(request: Request) -> Response:
            return handler(valid_input.take(request), api_key.take(request))

        core: Callable[[Request], Response] = run
        if idempotency is not None:
            # Imported here: Powertools' idempotency brings boto3, which the read routes' cold start does without.
            from shared.http.middlewares.idempotency import idempotent  # noqa: PLC0415

            core = idempotent(idempotency)(run)

        # Order: errors are answered outermost; a caller who may not use the route is refused before its body is
        # read (a write key gets 403, whatever it sends); input is validated before the key is fetched, so bad input
        # costs no SSM call and is a 400 even when SSM is down.
        chain = middy(core).use(http_error_handler())
        if admin:
            chain.use(admin_key(config.admin_api_key_id))
        if json_body:
            chain.use(json_body_parser())
        chain.use(validator(parse, into=valid_input))
        # After validation (its key is the typed input), before the key is fetched: a kept answer costs no call.
        if reads is not None:
            chain.use(conditional_reads(reads, valid_input, ReadCache(config.read_cache.total_seconds())))
        key = api_key_parameter(config)
        chain.use(ssm_parameter(key, api_key))
        if connect is not None:
            connect_at_init(key, connect)
        return entry_point(chain, config.cors_allow_origin)

    return build


def admin_delete[T](
    parse: Callable[[Event], T], remove: Callable[[T, Secret], None], *, connect: Callable[[Secret], None]
) -> LambdaHandler:
    """An admin DELETE route: removes what `parse` names and answers 204 whether or not it was there, so a retried
    DELETE gets the same answer."""

    @api_handler(parse, admin=True, connect=connect)
    def delete(target: T, key: Secret) -> Response:
        remove(target, key)
        return no_content()

    return delete


def connect_at_init(key: CachedParameter, connect: Callable[[Secret], None]) -> None:
    """Fetches the key and opens the stores' connections now, during init (at full CPU, and kept by a SnapStart
    snapshot), so the first request costs what any other does; and again after each SnapStart restore, with the key
    fetched anew (the snapshot's connections are gone, and its key may be hours old).

    Best effort: when SSM or a store fails here, the failure is logged and the first request fetches and connects as
    any request does, answering 503 if it cannot. (The parameters extension, when its layer is attached, may not
    answer yet during init: the first request fetches the key then.)"""

    def run(refresh: bool) -> None:
        try:
            connect(key.secret(force_refresh=refresh))
        except Exception as error:  # any failure here is the first request's to meet, and answer
            logger.warning("Could not connect before the first request", extra={"error": type(error).__name__})

    run(refresh=False)
    after_restore(lambda: run(refresh=True))


def keyless_handler[T](parse: Callable[[Event], T]) -> Callable[[Callable[[T], Response]], LambdaHandler]:
    """A GET route that needs no Momento key and no store (the board page): the same errors, ETags and 304s
    (`no-cache`: revalidated on every request), logs, metrics and traces as `api_handler`'s, and no SSM call."""

    def build(handler: Callable[[T], Response]) -> LambdaHandler:
        config = settings()
        valid_input: Slot[T] = Slot("input")

        def core(request: Request) -> Response:
            return handler(valid_input.take(request))

        chain = middy(core).use(http_error_handler())
        chain.use(validator(parse, into=valid_input))
        chain.use(conditional_reads(ReadCaching.FRESH, valid_input, ReadCache(0)))
        return entry_point(chain, config.cors_allow_origin)

    return build


def entry_point(chain: Callable[[Event, Any], Response], allow_origin: str) -> LambdaHandler:
    """The Lambda entry point around a route's chain: CORS on every answer, one status metric, Powertools around."""

    def counted(event: Event, context: Any) -> Response:
        # The correlation id is API Gateway's request id (read directly: Powertools' JMESPath lookup costs more).
        logger.set_correlation_id(request_id_of(event))
        # CORS outside the chain: every answer needs it, the error handler's included.
        response = with_cors(chain(event, context), allow_origin)
        metrics.add_metric(name=outcome_metric(response["statusCode"]), unit=MetricUnit.Count, value=1)
        return response

    # Powertools order: logger context outermost, then metrics, then tracer.
    traced = tracer.capture_lambda_handler(counted, capture_response=False)
    # Powertools 3.37 prints the cold-start metric even when metrics are disabled (make dev disables them).
    measured = metrics.log_metrics(traced, capture_cold_start_metric=not is_metrics_disabled())
    entry: LambdaHandler = logger.inject_lambda_context(measured)
    return entry


def outcome_metric(status: int) -> str:
    """`Status202`, `Status404`, ...: one count per outcome, so dashboards split by status without dimensions."""
    return f"Status{status}"
