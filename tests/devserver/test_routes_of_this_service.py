"""The dev server serves this service's template: its routes, events and environment as `sam local` would."""

from __future__ import annotations

import json

from devserver.events import HttpRequest, build_event
from devserver.routing import match_route
from devserver.template import load_application
from tests.support import ROOT


def test_routes_and_handlers_come_from_the_template() -> None:
    app = load_application(ROOT / "template.yaml", ROOT / "events" / "env.json")
    routes = {(r.method, r.resource): r.function_id for r in app.routes}
    assert routes == {
        ("POST", "/{leaderboard}/{name}"): "SubmitScoreFunction",
        ("GET", "/{leaderboard}/{name}"): "GetStandingFunction",
        ("GET", "/{leaderboard}"): "GetLeaderboardFunction",
    }
    submit = app.functions["SubmitScoreFunction"]
    assert submit.handler == "handlers.submit_score.lambda_handler"
    assert submit.code_dir == ROOT / "src"
    assert (submit.timeout_s, submit.memory_mb) == (10, 1024)
    assert app.stage == "dev"
    # Globals and parameter defaults resolve; env.json overrides what it names
    assert submit.environment["MOMENTO_CACHE_NAME"] == "leaderboard"
    assert submit.environment["MOMENTO_API_KEY_PARAM_NAME"] == "/leaderboard-api/dev/momento-api-key"
    assert submit.environment["MOMENTO_LOCAL_ADDRESS"] == "host.docker.internal:8080"


def test_a_request_becomes_the_event_the_sample_file_shows() -> None:
    app = load_application(ROOT / "template.yaml", ROOT / "events" / "env.json")
    sample = json.loads((ROOT / "events" / "submit-score.json").read_text(encoding="utf-8"))
    request = HttpRequest(
        method="POST",
        raw_path="/weekly/v",
        query="",
        headers=[("Content-Type", "application/json")],
        body=b'{"score": 2077}',
        source_ip="127.0.0.1",
    )
    match = match_route(app.routes, "POST", "/weekly/v")
    assert match is not None
    event = build_event(request, match, app.stage)
    for key in ("resource", "path", "httpMethod", "pathParameters", "body", "isBase64Encoded", "stageVariables"):
        assert event[key] == sample[key], key
    assert event["requestContext"]["resourcePath"] == sample["requestContext"]["resourcePath"]
    assert event["requestContext"]["stage"] == "dev"
