"""PUT /{leaderboard} with any of {"order", "update", "ties"}: sets the board's settings (admin); answers them all."""

from __future__ import annotations

from shared.composition import service
from shared.domain.rules import SettingsChange
from shared.http.api import api_handler
from shared.http.middy import Response
from shared.http.parsing import parse_settings_change
from shared.http.responses import ok
from shared.platform.secret import Secret

SERVICE = service()  # at init: the stores' clients are made during the cold start


@api_handler(parse_settings_change, json_body=True, admin=True, connect=SERVICE.connect)
def update_board_settings(change: SettingsChange, key: Secret) -> Response:
    settings = SERVICE.leaderboards.update_settings(change, key)
    return ok({"leaderboard": change.leaderboard, "settings": settings.as_json()})


lambda_handler = update_board_settings  # the entry point template.yaml names
