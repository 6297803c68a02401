"""API Gateway events into the domain's requests: the path, the query and the parsed body, read through Powertools'
APIGatewayProxyEvent. A broken rule raises InvalidInput naming it (the validator middleware applies these); the rules
themselves (a board name, a player name, a score, a setting) are the domain's.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from shared.domain.errors import InvalidInput
from shared.domain.periods import PeriodChoice, parse_choice
from shared.domain.rules import (
    DEFAULT_AROUND,
    DEFAULT_PAGE_SIZE,
    MAX_AROUND,
    MAX_FRIENDS,
    MAX_PAGE_SIZE,
    MAX_RANK,
    AroundRequest,
    BoardRef,
    FriendsRequest,
    PageRequest,
    PlayerRef,
    SettingsChange,
    Submission,
    exact_score,
    leaderboard_name,
    player_name,
    player_name_to_find,
    settings_changes,
)

RANK_PARAMETERS = ("startRank", "endRank")


def parse_player_ref(event: dict[str, Any]) -> PlayerRef:
    """A player to read or remove: any name a board may hold, even one today's submission rules would refuse (see
    player_name_to_find)."""
    path = APIGatewayProxyEvent(event).path_parameters
    return PlayerRef(leaderboard_name(path.get("leaderboard")), player_name_to_find(path.get("name")))


def parse_board_ref(event: dict[str, Any]) -> BoardRef:
    return BoardRef(_board(APIGatewayProxyEvent(event)))


def parse_standing_request(event: dict[str, Any]) -> PlayerRef:
    return parse_player_ref(event)._replace(period=_period(APIGatewayProxyEvent(event)))


def parse_submission(event: dict[str, Any]) -> Submission:
    """A score for a player, who joins the board by it: the name is held to every rule of a new name."""
    request = APIGatewayProxyEvent(event)
    board = leaderboard_name(request.path_parameters.get("leaderboard"))
    player = player_name(request.path_parameters.get("name"))
    body = _parsed_body(request)
    if not isinstance(body, dict):
        raise InvalidInput('Request body must be a JSON object such as {"score": 42}.')
    if "score" not in body:
        raise InvalidInput('Request body must have a "score" field: {"score": 42}.')
    double, exact = exact_score(body["score"])
    return Submission(board, player, double, exact)


def parse_page_request(event: dict[str, Any]) -> PageRequest:
    return _page_request(APIGatewayProxyEvent(event))


def parse_board_query(event: dict[str, Any]) -> PageRequest | FriendsRequest:
    """GET /{leaderboard}: a page by rank, or (with ?name=...) the standings of the named players."""
    request = APIGatewayProxyEvent(event)
    names = request.multi_value_query_string_parameters.get("name")
    if names is None:
        return _page_request(request)
    if any(name in request.query_string_parameters for name in RANK_PARAMETERS):
        raise InvalidInput("name cannot be combined with startRank or endRank: it asks for those players' standings.")
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_FRIENDS:
        given = len(names) if isinstance(names, list) else 0
        raise InvalidInput(f"Give 1-{MAX_FRIENDS} name parameters (got {given}).")
    players = tuple(dict.fromkeys(player_name_to_find(name) for name in names))
    return FriendsRequest(_board(request), players, _period(request))


def parse_around_request(event: dict[str, Any]) -> AroundRequest:
    ref = parse_player_ref(event)
    request = APIGatewayProxyEvent(event)
    _given_once(request, ("count",))
    raw = request.query_string_parameters.get("count")
    if raw is None:
        return AroundRequest(ref.leaderboard, ref.player, DEFAULT_AROUND, _period(request))
    digits = isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_AROUND)) + 1
    if not digits or not 1 <= int(raw) <= MAX_AROUND:
        raise InvalidInput(f"count must be an integer from 1 to {MAX_AROUND} (got {raw!r}).")
    return AroundRequest(ref.leaderboard, ref.player, int(raw), _period(request))


def parse_settings_change(event: dict[str, Any]) -> SettingsChange:
    request = APIGatewayProxyEvent(event)
    board = _board(request)
    return SettingsChange(board, settings_changes(_parsed_body(request)))


def _page_request(request: APIGatewayProxyEvent) -> PageRequest:
    board = _board(request)
    query = request.query_string_parameters
    _given_once(request, RANK_PARAMETERS)
    start = rank_parameter("startRank", query.get("startRank"), default=0)
    end = rank_parameter("endRank", query.get("endRank"), default=start + DEFAULT_PAGE_SIZE)
    if end > MAX_RANK:  # only the default gets here: an explicit endRank was held to the same bound just above
        raise InvalidInput(f"endRank must be at most {MAX_RANK} (without one, it is startRank + {DEFAULT_PAGE_SIZE}).")
    if end <= start:
        raise InvalidInput(f"endRank ({end}) must be greater than startRank ({start}).")
    if end - start > MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds at most {MAX_PAGE_SIZE} entries: endRank - startRank was {end - start}.")
    return PageRequest(board, start, end, _period(request))


def rank_parameter(name: str, raw: object, default: int) -> int:
    if raw is None:
        return default
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        raise InvalidInput(f"{name} must be a non-negative integer (got {raw!r}).")
    if len(raw) > len(str(MAX_RANK)) or (value := int(raw)) > MAX_RANK:
        raise InvalidInput(f"{name} must be at most {MAX_RANK}.")
    return value


def _board(request: APIGatewayProxyEvent) -> str:
    return leaderboard_name(request.path_parameters.get("leaderboard"))


def _parsed_body(request: APIGatewayProxyEvent) -> object:
    """The body as the JSON body parser left it: already parsed (APIGatewayProxyEvent types it as the raw text)."""
    body: object = request.body
    return body


def _period(request: APIGatewayProxyEvent) -> PeriodChoice | None:
    _given_once(request, ("period",))
    raw = request.query_string_parameters.get("period")
    return None if raw is None else parse_choice(raw)


def _given_once(request: APIGatewayProxyEvent, names: tuple[str, ...]) -> None:
    """A repeated parameter is refused: API Gateway keeps its last value, a client may mean the first."""
    for name in names:
        if len(values := request.multi_value_query_string_parameters.get(name) or []) > 1:
            raise InvalidInput(f"{name} is given {len(values)} times; give it once.")
