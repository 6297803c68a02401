"""On a schedule (EventBridge, every 6 hours by default): keeps every registered board in the index.

Momento's on-demand caches hold an item at most 24 hours after its last write; this raises each board's TTL back to
the full TTL without rewriting the board, rebuilds any board whose set is gone (an idle board that expired anyway,
a flush, an eviction) and drops the set of a board past BOARD_RETENTION_DAYS (its scores stay in the record).
It stops starting rebuilds shortly before its own timeout; an unfinished one resumes on the next run or request.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from shared.composition import service
from shared.http.api import connect_at_init
from shared.http.middlewares.ssm_parameters import api_key_parameter, ssm_parameter
from shared.http.middy import Request, Slot, middy
from shared.platform.config import settings
from shared.platform.observability import logger, metrics, tracer
from shared.platform.secret import Secret

# Left of the timeout when no new rebuild starts: one batch's worst case and the report (less on a short timeout).
MARGIN_S = 30

api_key: Slot[Secret] = Slot("momento_api_key")

SERVICE = service()  # at init: the stores' clients are made during the cold start, and connected below


def keep_boards_alive(request: Request) -> dict[str, Any]:
    remaining_s = request.context.get_remaining_time_in_millis() / 1000
    deadline = SERVICE.clock.now() + remaining_s - min(MARGIN_S, remaining_s / 5)
    report = asdict(SERVICE.leaderboards.keep_alive(api_key.take(request), deadline))
    logger.info("Kept the boards alive", extra=report)
    for name, count in report.items():
        metrics.add_metric(name=f"Boards{name.capitalize()}", unit=MetricUnit.Count, value=count)
    return report


_key = api_key_parameter(settings())
_chain = middy(keep_boards_alive).use(ssm_parameter(_key, api_key))
connect_at_init(_key, SERVICE.connect)


def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _chain(event, context)


# Powertools order, as api.py: logger context outermost, then metrics, then tracer.
lambda_handler = logger.inject_lambda_context(
    metrics.log_metrics(
        tracer.capture_lambda_handler(run, capture_response=False),
        capture_cold_start_metric=not is_metrics_disabled(),
    )
)
