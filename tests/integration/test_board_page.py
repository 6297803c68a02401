"""GET /, the board page, in-process: one self-contained HTML page whose Content-Security-Policy allows exactly its
own style and script, tagged and answered 304 when the browser has it, and needing neither the key nor a store."""

from __future__ import annotations

import re
from typing import Any

from shared.http.page import HTML, source_hash
from tests.support.lambda_fakes import load_event
from tests.support.service import Service

MAX_PAGE_BYTES = 40 * 1024  # "a few tens of KB at most"


def get_page(service: Service, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("get-page.json")
    event["headers"] = {**event["headers"], **(headers or {})}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    return service.invoke("handlers.get_page", event)


def test_the_page_is_html_with_a_policy_that_allows_only_its_own_style_and_script(service: Service) -> None:
    # When a browser asks for the page
    response = get_page(service)
    headers = response["headers"]

    # Then it is the HTML, small, with its own inline style and script allowed by hash and requests only to its origin
    assert response["statusCode"] == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert response["body"] == HTML
    assert len(HTML.encode("utf-8")) < MAX_PAGE_BYTES
    policy = dict(directive.split(" ", 1) for directive in headers["Content-Security-Policy"].split("; "))
    (style,) = re.findall(r"<style>(.*?)</style>", HTML, re.DOTALL)
    (script,) = re.findall(r"<script>(.*?)</script>", HTML, re.DOTALL)
    assert policy == {
        "default-src": "'none'",
        "script-src": source_hash(script),
        "style-src": source_hash(style),
        "connect-src": "'self'",
        "img-src": "data:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_the_page_is_self_contained_and_holds_no_key() -> None:
    # No external script, style, font or image, no inline handler attribute or style attribute the policy would block,
    # and nothing that looks like a key
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", HTML)
    assert "@import" not in HTML
    assert "url(" not in HTML
    assert not re.search(r"\son[a-z]+\s*=", HTML)
    assert not re.search(r"\sstyle\s*=", HTML)
    assert "x-api-key" not in HTML.lower()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in HTML


def test_a_browser_that_has_the_page_gets_304(service: Service) -> None:
    etag = get_page(service)["headers"]["ETag"]
    again = get_page(service, {"If-None-Match": etag})
    assert again["statusCode"] == 304
    assert again["body"] == ""
    assert again["headers"]["ETag"] == etag
