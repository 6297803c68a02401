"""API Gateway REST resource matching: `{param}` takes one path segment, `{param+}` the rest; literals win."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from devserver.template import RouteSpec


@dataclass(frozen=True)
class Match:
    route: RouteSpec
    path_parameters: dict[str, str]


def match_route(routes: list[RouteSpec], method: str, raw_path: str) -> Match | None:
    """The route for a request, with its path parameters URL-decoded (as API Gateway passes them), or None.

    Matching runs on the still-encoded path, so an encoded '/' (%2F) stays inside its segment.
    """
    segments = _segments(raw_path)
    best: tuple[int, Match] | None = None
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        parameters = _match(_segments(route.resource), segments)
        if parameters is None:
            continue
        literals = sum(1 for s in _segments(route.resource) if not s.startswith("{"))
        if best is None or literals > best[0]:
            best = (literals, Match(route, parameters))
    return best[1] if best else None


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment != ""] if path.strip("/") else []


def _match(pattern: list[str], segments: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if not rest:
                return None
            parameters[part[1:-2]] = unquote("/".join(rest))
            return parameters
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            parameters[part[1:-1]] = unquote(segments[index])
        elif part != unquote(segments[index]):
            return None
    return parameters if len(pattern) == len(segments) else None
