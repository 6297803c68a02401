"""API Gateway REST resource matching: `{param}` takes one path segment, `{param+}` the rest; literals win."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from devserver.template import RouteSpec


@dataclass(frozen=True)
class Match:
    route: RouteSpec
    path_parameters: dict[str, str]


class UndecodablePathError(ValueError):
    """A path parameter's percent-encoding is not UTF-8: API Gateway refuses the request (400)."""


def match_route(routes: list[RouteSpec], method: str, raw_path: str, *, decode: bool = True) -> Match | None:
    """The route for a request, with its path parameters URL-decoded (as API Gateway passes them), or None.

    Matching runs on the still-encoded path, so an encoded '/' (%2F) stays inside its segment. With `decode` off,
    parameters stay as sent (for answers that never read them, such as CORS preflights).
    """
    decoder = _decode if decode else _as_sent
    segments = _segments(raw_path)
    best: tuple[int, Match] | None = None
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        parameters = _match(_segments(route.resource), segments, decoder)
        if parameters is None:
            continue
        literals = sum(1 for s in _segments(route.resource) if not s.startswith("{"))
        if best is None or literals > best[0]:
            best = (literals, Match(route, parameters))
    return best[1] if best else None


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment != ""] if path.strip("/") else []


def _match(pattern: list[str], segments: list[str], decode: Callable[[str], str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if not rest:
                return None
            parameters[part[1:-2]] = decode("/".join(rest))
            return parameters
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            parameters[part[1:-1]] = decode(segments[index])
        elif part != unquote(segments[index], errors="replace"):
            return None
    return parameters if len(pattern) == len(segments) else None


def _decode(segment: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise UndecodablePathError(segment) from None


def _as_sent(segment: str) -> str:
    return segment
