"""The board page's answer: the HTML file as it is, a Content-Security-Policy that allows exactly its own style and
script (by their SHA-256), and nothing else a browser would otherwise allow."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from shared.http import page


def csp_directives() -> dict[str, str]:
    policy = page.page_response()["headers"]["Content-Security-Policy"]
    return dict(directive.split(" ", 1) for directive in policy.split("; "))


def test_a_hash_source_is_the_base64_sha256_of_the_text_as_utf8() -> None:
    assert page.source_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    text = "body { color: #ffd54f } /* é */"
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    assert page.source_hash(text) == f"'sha256-{digest}'"


def test_the_policy_allows_the_pages_own_style_and_script_and_nothing_else() -> None:
    (style,) = re.findall(r"<style>(.*?)</style>", page.HTML, re.DOTALL)
    (script,) = re.findall(r"<script>(.*?)</script>", page.HTML, re.DOTALL)
    assert csp_directives() == {
        "default-src": "'none'",
        "script-src": page.source_hash(script),
        "style-src": page.source_hash(style),
        "connect-src": "'self'",
        "img-src": "data:",
        "base-uri": "'none'",
        "form-action": "'none'",
    }


def test_an_injected_inline_script_is_not_allowed() -> None:
    injected = page.HTML.replace("<script>", "<script>alert(1);", 1)
    assert page.content_security_policy(injected) != page.content_security_policy(page.HTML)


def test_a_page_with_a_second_script_is_refused_at_import_rather_than_served_half_allowed() -> None:
    with pytest.raises(ValueError, match="too many values to unpack"):
        page.content_security_policy(page.HTML + "<script>more()</script>")


def test_the_answer_is_the_file_with_headers_that_keep_it_to_itself() -> None:
    answer = page.page_response()
    assert (answer["statusCode"], answer["body"], answer["isBase64Encoded"]) == (200, page.HTML, False)
    assert answer["headers"]["X-Content-Type-Options"] == "nosniff"
    assert answer["headers"]["Referrer-Policy"] == "no-referrer"
    answer["headers"]["X-Test"] = "changed"
    assert "X-Test" not in page.page_response()["headers"]  # each answer has its own headers


def test_any_query_is_accepted_and_left_to_the_pages_script() -> None:
    page.parse_page_request({"queryStringParameters": {"board": "weekly", "embed": "1", "anything": "<b>"}})
