"""schemathesis names each operation's generated test `test_...[GET /{leaderboard}]`, but under pytest 9 (whose
node ids are structured, the bracket part coming only from a parametrization) all of them get the function's bare
node id. pytest-xdist's file-by-file scheduling (make test) keys its work on node ids, so it would run one
operation, drop the rest and still report a pass: here each gets its operation as its id's parameter."""

from __future__ import annotations

import pytest
from schemathesis.pytest.plugin import SchemathesisFunction


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, SchemathesisFunction) and item.operation_label and item.id.params is None:
            item._id = item.id.with_params(item.operation_label)  # no public setter for a node id
