"""The board page (GET /): one self-contained HTML file, src/page/board.html, with its style and script inline.

Read once, at import (the cold start). Its Content-Security-Policy allows exactly that style and that script, by their
SHA-256 (so no other inline code, injected or not, can run), and network reads from the page's own origin only,
which is the API's: the page calls the API on the URL it was served from. The page only reads: no key is in it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from http import HTTPStatus
from pathlib import Path

from shared.http.middy import Event, Response

PAGE_FILE = Path(__file__).resolve().parents[2] / "page" / "board.html"
# The page holds exactly one <style> and one <script> element, with no attributes.
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def source_hash(text: str) -> str:
    """A CSP hash source: 'sha256-<base64 of the SHA-256 of the element's text as UTF-8>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(html: str) -> str:
    """Nothing by default; the page's own style and script by hash; fetch() to its own origin (the API's); the
    empty data: favicon (so browsers do not ask the API for /favicon.ico); no forms posted, no <base>, no plugins."""
    (style,) = _STYLE.findall(html)
    (script,) = _SCRIPT.findall(html)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {source_hash(script)}",
            f"style-src {source_hash(style)}",
            "connect-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


HTML = PAGE_FILE.read_text(encoding="utf-8")
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": content_security_policy(HTML),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def parse_page_request(event: Event) -> None:
    """The page is the same whatever the query says (?board=, ?embed=1, ...): its script reads them."""


def page_response() -> Response:
    return {"statusCode": int(HTTPStatus.OK), "headers": dict(HEADERS), "body": HTML, "isBase64Encoded": False}
