"""Entity tags of GET answers and the If-None-Match test (RFC 9110, 8.8.3 and 13.1.2), so a poller whose copy is
current gets a 304 with no body."""

from __future__ import annotations

import base64
import hashlib
import re

# An entity tag, optionally weak: W/"...". Ours hold base64url only, but a client may send any tag.
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')


def etag_of(body: str) -> str:
    """A strong tag that changes exactly when the body does: 128 bits of BLAKE2b over its UTF-8 bytes."""
    digest = hashlib.blake2b(body.encode("utf-8"), digest_size=16).digest()
    return '"' + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether the request's If-None-Match names this tag: a weak comparison, as the RFC asks for this header (a
    CDN that compressed our answer may hand the client W/"<our tag>"), or `*` (any current answer)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/").strip('"')
    return any(opaque == wanted for opaque in _ENTITY_TAG.findall(if_none_match))
