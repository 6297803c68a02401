"""Idempotency-Key on score submissions, over every transport: a request sent again with its key is answered as the
first was and writes nothing; the same key with another body is 422; a malformed key is 400."""

from __future__ import annotations

import uuid

from tests.contract.test_board_rules import configure
from tests.support.api_client import ApiClient, assert_error


def test_an_increment_sent_again_with_its_key_is_answered_as_before_and_counted_once(
    api: ApiClient, board: str
) -> None:
    configure(api, board, update="increment")
    key = uuid.uuid4().hex
    first = api.submit(board, "ada", {"score": 5}, idempotency_key=key)
    assert first.status == 202
    again = api.submit(board, "ada", {"score": 5}, idempotency_key=key)
    assert (again.status, again.json()) == (202, first.json())
    # Spaced or ordered differently, the same JSON is the same body.
    assert api.submit(board, "ada", '{ "score" : 5 }', raw=True, idempotency_key=key).json() == first.json()
    assert api.standing(board, "ada").json()["score"] == 5  # counted once
    assert api.submit(board, "ada", {"score": 5}).json()["scoreOnBoard"] == 10  # no key: counted


def test_a_key_is_scoped_by_its_board_and_player(api: ApiClient, board: str) -> None:
    key = uuid.uuid4().hex
    assert api.submit(board, "ada", {"score": 1}, idempotency_key=key).status == 202
    assert api.submit(board, "bob", {"score": 2}, idempotency_key=key).json()["scoreOnBoard"] == 2


def test_a_key_sent_again_with_another_body_is_422(api: ApiClient, board: str) -> None:
    key = uuid.uuid4().hex
    assert api.submit(board, "ada", {"score": 1}, idempotency_key=key).status == 202
    assert_error(api.submit(board, "ada", {"score": 2}, idempotency_key=key), 422, "Idempotency-Key", "different")
    assert api.standing(board, "ada").json()["score"] == 1


def test_a_malformed_key_is_400(api: ApiClient, board: str) -> None:
    for key in ("", "with space", "x" * 256):
        assert_error(api.submit(board, "ada", {"score": 1}, idempotency_key=key), 400, "Idempotency-Key")
