"""The sample events in events/ work as they are, against the real handlers (what `sam local invoke` would send)."""

from __future__ import annotations

from tests.support.lambda_fakes import load_event
from tests.support.service import Service, body_of


def test_the_sample_events_drive_the_whole_api(service: Service) -> None:
    # Given the sample submissions, as files
    submitted = service.invoke("handlers.submit_score", load_event("submit-score.json"))
    assert submitted["statusCode"] == 202
    assert body_of(submitted) == {"leaderboard": "weekly", "name": "v", "score": 2077, "scoreOnBoard": 2077}
    base64_submitted = service.invoke("handlers.submit_score", load_event("submit-score-base64.json"))
    assert base64_submitted["statusCode"] == 202
    assert body_of(base64_submitted) == {
        "leaderboard": "weekly",
        "name": "José María 🏎",
        "score": 42.5,
        "scoreOnBoard": 42.5,
    }
    # When the sample reads run
    standing = service.invoke("handlers.get_standing", load_event("get-standing.json"))
    page = service.invoke("handlers.get_leaderboard", load_event("get-leaderboard.json"))
    # Then they see those submissions
    assert body_of(standing) == {"score": 2077, "rank": 0}
    assert body_of(page) == {
        "leaderboard": [
            {"rank": 0, "name": "v", "score": 2077},
            {"rank": 1, "name": "José María 🏎", "score": 42.5},
        ],
        "total": 2,
        "settings": {"order": "desc", "update": "latest", "ties": "distinct"},
    }
