"""The record (the DynamoDB table every accepted score is kept in) as the tests create it: from the template's own
definition, for the tests' stage, with the helper the dev server uses, so the two cannot drift apart."""

from __future__ import annotations

from functools import cache

from devserver.tables import TableSpec, table_specs
from tests.support.lambda_fakes import STAGE
from tests.support.template import load_template

TABLE_LOGICAL_ID = "LeaderboardTable"


@cache
def leaderboard_table_spec() -> TableSpec:
    """The template's LeaderboardTable for StageName=STAGE (named leaderboard-api-<STAGE>)."""
    return table_specs(load_template(), {"StageName": STAGE})[TABLE_LOGICAL_ID]
