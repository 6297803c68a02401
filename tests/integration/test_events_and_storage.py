"""What only shows on the Lambda side: event details API Gateway controls, and what lands in Momento."""

from __future__ import annotations

from datetime import timedelta

import pytest
from momento import CacheClient, Configurations, CredentialProvider
from momento.responses import CacheSortedSetFetch

from tests.support.api_client import JOSE, InProcessClient, assert_error
from tests.support.lambda_fakes import submit_event
from tests.support.service import CACHE, Service, body_of


@pytest.fixture
def api(service: Service) -> InProcessClient:
    return InProcessClient(service)


def test_storage_layout_is_the_original_services(service: Service) -> None:
    # Given a submission through the API
    service.submit("weekly", JOSE, {"score": 12.5})
    # Then the board is a sorted set keyed by board name, valued by UTF-8 player name, scored by a double, plus the
    # two marks of a whole set (one rebuild's token, the same in both) and the board's settings (no player name can
    # be any of them; all rank below every allowed score; the default settings are code 0: -2^60)
    host, port = service.momento.host, service.momento.port
    credentials = CredentialProvider(service.api_key, host, host, host, port)
    with CacheClient.create(Configurations.Laptop.latest(), credentials, timedelta(minutes=1)) as client:
        fetched = client.sorted_set_fetch_by_rank(CACHE, "weekly")
    assert isinstance(fetched, CacheSortedSetFetch.Hit)
    elements = fetched.value_list_bytes
    marks = dict(elements[:3])
    assert marks.keys() == {b"\x00start", b"\x00whole", b"\x00settings"}
    assert marks[b"\x00start"] == marks[b"\x00whole"] < -(2.0**1000)
    assert marks[b"\x00settings"] == -(2.0**60)
    assert elements[3:] == [(JOSE.encode("utf-8"), 12.5)]


def test_each_write_refreshes_the_boards_ttl_to_a_day(service: Service) -> None:
    service.submit("weekly", "v", {"score": 1})
    with service.momento.store.session(CACHE) as cache:
        remaining = cache.remaining_ttl_s(b"weekly")
    assert remaining is not None
    assert 86_390 < remaining <= 86_400


def test_content_type_header_name_is_case_insensitive(service: Service) -> None:
    event = submit_event("weekly", "v", {"score": 1}, content_type=None)
    event["headers"]["content-type"] = "application/json"
    assert service.invoke("handlers.submit_score", event)["statusCode"] == 202


def test_base64_bodies_are_decoded(service: Service) -> None:
    assert body_of(service.submit("weekly", "v", {"score": 42.5}, base64_body=True))["score"] == 42.5
    event = submit_event("weekly", "v", {"score": 1})
    event["isBase64Encoded"] = True
    event["body"] = "%%% not base64"
    response = service.invoke("handlers.submit_score", event)
    assert response["statusCode"] == 400
    assert "base64" in body_of(response)["message"]


def test_path_parameters_are_taken_as_api_gateway_decoded_them(service: Service) -> None:
    # A name holding a percent sign followed by hex digits is that text, not an escape to decode again
    event = submit_event("weekly", "100%41", {"score": 3})
    assert body_of(service.invoke("handlers.submit_score", event))["name"] == "100%41"


@pytest.mark.parametrize(("name", "words"), [("bell\x07", ["control characters"]), ("", ["1-128"])])
def test_names_api_gateway_can_deliver_but_the_rules_refuse_are_400(
    api: InProcessClient, name: str, words: list[str]
) -> None:
    assert_error(api.submit("weekly", name, {"score": 1}), 400, *words)


def test_a_slash_inside_a_name_round_trips(api: InProcessClient) -> None:
    assert api.submit("weekly", "a/b", {"score": 1}).json()["name"] == "a/b"
    assert api.standing("weekly", "a/b").json() == {"score": 1, "rank": 0}


def test_an_empty_leaderboard_name_is_400(api: InProcessClient) -> None:
    assert_error(api.page(""), 400, "leaderboard name")
