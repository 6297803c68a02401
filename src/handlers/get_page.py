"""GET /: the board page, a live leaderboard in the browser (src/page/board.html), served from the API's own URL so
it reads the API on its own origin. It needs no key and no store: an ETag, and a 304 when the browser has it."""

from __future__ import annotations

from shared.http.api import keyless_handler
from shared.http.middy import Response
from shared.http.page import page_response, parse_page_request


@keyless_handler(parse_page_request)
def get_page(_: None) -> Response:
    return page_response()


lambda_handler = get_page  # the entry point template.yaml names
