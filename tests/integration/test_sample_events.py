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
        "settings": {"order": "desc", "update": "latest", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"},
    }


def test_the_board_rules_sample_events_drive_their_routes(service: Service) -> None:
    # Given two players submitted by the sample events
    service.invoke("handlers.submit_score", load_event("submit-score.json"))
    service.invoke("handlers.submit_score", load_event("submit-score-base64.json"))
    # When the sample settings, around, and removal events run in turn
    settings = service.invoke("handlers.update_board_settings", load_event("update-board-settings.json"))
    around = service.invoke("handlers.get_around", load_event("get-around.json"))
    removed_player = service.invoke("handlers.remove_player", load_event("remove-player.json"))
    page_after = service.invoke("handlers.get_leaderboard", load_event("get-leaderboard.json"))
    removed_board = service.invoke("handlers.remove_board", load_event("remove-board.json"))
    # Then each route answers as the API says
    assert body_of(settings) == {
        "leaderboard": "weekly",
        "settings": {"order": "desc", "update": "best", "ties": "distinct", "periods": ["all"], "timeZone": "UTC"},
    }
    assert [e["name"] for e in body_of(around)["leaderboard"]] == ["v", "José María 🏎"]
    assert (removed_player["statusCode"], removed_player["body"]) == (204, "")
    assert [e["name"] for e in body_of(page_after)["leaderboard"]] == ["José María 🏎"]
    assert (removed_board["statusCode"], removed_board["body"]) == (204, "")


def test_the_periods_sample_events_keep_daily_boards_and_read_yesterday(service: Service) -> None:
    # Given the sample board keeping daily periods in Berlin, and a submission today
    periods = service.invoke("handlers.update_board_settings", load_event("update-board-periods.json"))
    service.invoke("handlers.submit_score", load_event("submit-score.json"))
    today = body_of(service.invoke("handlers.get_leaderboard", load_event("get-leaderboard.json")))
    # When the sample read of yesterday runs
    yesterday = body_of(service.invoke("handlers.get_leaderboard", load_event("get-leaderboard-yesterday.json")))
    # Then today's page holds the submission, yesterday's (before the board kept days) nothing, and each says which
    # day it is, in Berlin
    assert body_of(periods)["settings"]["periods"] == ["daily", "all"]
    assert [e["name"] for e in today["leaderboard"]] == ["v"]
    assert today["period"]["kind"] == "daily"
    assert yesterday["leaderboard"] == []
    assert yesterday["period"]["end"] == today["period"]["start"]
    assert yesterday["period"]["start"][-6:] in {"+01:00", "+02:00"}
