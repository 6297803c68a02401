"""PUT /{leaderboard} with any of {"order", "update", "ties"}: sets the board's settings (admin); answers them all."""

from __future__ import annotations

from shared.api import api_handler
from shared.boards import leaderboards
from shared.leaderboard import SettingsChange, parse_settings_change
from shared.middy import Response
from shared.responses import ok
from shared.secret import Secret


@api_handler(parse_settings_change, json_body=True, admin=True)
def update_board_settings(change: SettingsChange, key: Secret) -> Response:
    settings = leaderboards().update_settings(change, key)
    return ok({"leaderboard": change.leaderboard, "settings": settings.as_json()})


lambda_handler = update_board_settings  # the entry point template.yaml names
