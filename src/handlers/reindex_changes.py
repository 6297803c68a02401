"""The record's change feed (a DynamoDB stream of the table's score items): finishes what a stopped request left
undone.

A write or a player removal whose instance stopped (a crash, its timeout) or failed between its record write and
its index call leaves the index behind the record; each batch of changes settles its players, in whole sets of a
board's current generation, to what the record holds, once no request that made a change can still land a call
(Leaderboards.reindex). A failure raises: Lambda retries the batch, halving it, within the template's bounds.
"""

from __future__ import annotations

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
from shared.stores.dynamodb.changes import changes_of

api_key: Slot[Secret] = Slot("momento_api_key")

SERVICE = service()  # at init: the stores' clients are made during the cold start, and connected below
_OFFSET_S = settings().clock_offset.total_seconds()  # DynamoDB stamps changes by the system's clock


def reindex_changes(request: Request) -> dict[str, int]:
    changes = changes_of(request.event, clock_offset_s=_OFFSET_S, now_s=SERVICE.clock.now())
    settled = SERVICE.leaderboards.reindex(changes, api_key.take(request))
    report = {"changes": len(changes), "settled": settled}
    logger.info("Settled the record's changes in the index", extra=report)
    metrics.add_metric(name="ChangesSettled", unit=MetricUnit.Count, value=settled)
    return report


_key = api_key_parameter(settings())
_chain = middy(reindex_changes).use(ssm_parameter(_key, api_key))
connect_at_init(_key, SERVICE.connect)


def run(event: dict[str, Any], context: Any) -> dict[str, int]:
    report: dict[str, int] = _chain(event, context)
    return report


# Powertools order, as api.py: logger context outermost, then metrics, then tracer.
lambda_handler = logger.inject_lambda_context(
    metrics.log_metrics(
        tracer.capture_lambda_handler(run, capture_response=False),
        capture_cold_start_metric=not is_metrics_disabled(),
    )
)
