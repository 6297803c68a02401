"""Which function each of `make invoke`'s event files goes to, settled before anything starts, so a wrong path, a
file that is not an event or an unknown function costs one line and no waiting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devserver.routing import UndecodablePathError, match_route
from devserver.template import Application, RouteSpec

GIVE_AN_EVENT = "give the path of a JSON event, e.g. events/submit-score.json"
AN_EVENT_IS = "an event is a JSON object like events/submit-score.json"
JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


class PlanError(Exception):
    """One line for the terminal: what is wrong with which file or name, and what to do about it."""


@dataclass(frozen=True)
class Invocation:
    event_file: Path
    event: dict[str, Any]
    function_id: str


def plan_invocations(
    app: Application, template: Path, events: list[tuple[Path, dict[str, Any]]], function: str | None = None
) -> list[Invocation]:
    """Each event with its function: `function` (a logical id or deployed name) for all, else the route it matches."""
    chosen = function_id_named(app, template, function) if function else None
    return [Invocation(path, event, chosen or routed_function_id(app, template, path, event)) for path, event in events]


def read_event(path: Path) -> dict[str, Any]:
    """The event a file holds, or a PlanError that says what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"event file {path} does not exist; {GIVE_AN_EVENT}") from None
    except IsADirectoryError:
        raise PlanError(f"{path} is a folder, not an event file; {GIVE_AN_EVENT}") from None
    except UnicodeDecodeError:
        raise PlanError(f"event file {path} is not UTF-8 text; {AN_EVENT_IS}") from None
    except OSError as error:
        raise PlanError(f"cannot read event file {path}: {error.strerror}") from None
    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
        raise PlanError(f"event file {path} is not JSON ({where}); {AN_EVENT_IS}") from None
    if not isinstance(event, dict):
        kind = "null" if event is None else JSON_TYPES.get(type(event), type(event).__name__)
        raise PlanError(f"event file {path} holds {kind}, not a JSON object; {AN_EVENT_IS}")
    return event


def function_id_named(app: Application, template: Path, name: str) -> str:
    """The logical id of a function named by its logical id or its deployed name, or a PlanError listing them."""
    for spec in app.functions.values():
        if name in (spec.logical_id, spec.function_name):
            return spec.logical_id
    raise PlanError(f"no function {name!r} in {template}; FN= takes one of: {', '.join(sorted(app.functions))}")


def routed_function_id(app: Application, template: Path, path: Path, event: dict[str, Any]) -> str:
    """The function API Gateway would invoke with this event: by its method and resource (or, lacking a resource,
    its path), as the template's routes say; for an EventBridge Scheduled Event, the one scheduled function; for a
    DynamoDB stream event, the one function a table's stream runs."""
    if event.get("detail-type") == "Scheduled Event" and event.get("source") == "aws.events":
        return scheduled_function_id(app, template, path)
    if _is_stream_event(event):
        return stream_function_id(app, template, path)
    method, resource, raw_path = event.get("httpMethod"), event.get("resource"), event.get("path")
    functions = ", ".join(sorted(app.functions))
    if not isinstance(method, str) or not (isinstance(resource, str) or isinstance(raw_path, str)):
        raise PlanError(
            f"event file {path} has no httpMethod and resource to route it by; name its function with FN=, "
            f"one of: {functions}"
        )
    route = _route_by_resource(app.routes, method.upper(), resource) if isinstance(resource, str) else None
    if route is None and not isinstance(resource, str) and isinstance(raw_path, str):
        try:
            match = match_route(app.routes, method.upper(), raw_path)
        except UndecodablePathError:
            match = None
        route = match.route if match else None
    if route is None:
        routes = ", ".join(sorted(f"{r.method} {r.resource}" for r in app.routes))
        where = resource if isinstance(resource, str) else raw_path
        raise PlanError(
            f"event file {path} is a {method} {where} event and no route of {template} takes it (routes: {routes}); "
            "correct its httpMethod and resource, or give FN= a function"
        )
    return route.function_id


def _route_by_resource(routes: list[RouteSpec], method: str, resource: str) -> RouteSpec | None:
    """The route for a method on a resource; a route for that very method wins over ANY, as in API Gateway."""
    candidates = [r for r in routes if r.resource == resource and r.method in (method, "ANY")]
    return min(candidates, key=lambda r: r.method == "ANY", default=None)


def scheduled_function_id(app: Application, template: Path, path: Path) -> str:
    """The function a Scheduled Event is for, when the template schedules exactly one; otherwise FN= must say."""
    scheduled = sorted(spec.logical_id for spec in app.functions.values() if spec.schedules)
    if len(scheduled) == 1:
        return scheduled[0]
    if not scheduled:
        raise PlanError(f"event file {path} is a Scheduled Event and no function of {template} has a schedule")
    raise PlanError(
        f"event file {path} is a Scheduled Event and several functions have a schedule; name one with FN=, "
        f"one of: {', '.join(scheduled)}"
    )


def _is_stream_event(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:dynamodb" for r in records)
    )


def stream_function_id(app: Application, template: Path, path: Path) -> str:
    """The function a DynamoDB stream event is for, when a table's stream runs exactly one; otherwise FN= must say."""
    run = sorted(spec.logical_id for spec in app.functions.values() if spec.streams)
    if len(run) == 1:
        return run[0]
    if not run:
        raise PlanError(f"event file {path} is a DynamoDB stream event and no function of {template} has a stream")
    raise PlanError(
        f"event file {path} is a DynamoDB stream event and several functions have a stream; name one with FN=, "
        f"one of: {', '.join(run)}"
    )
