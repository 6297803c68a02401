"""Routes are declared once, by the functions' Api events in template.yaml. What CloudFormation cannot compute from
them stays written out (the gateway responses' route lists, the descriptions); these tests keep it equal to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.template import listed_routes, load_template, routes


def texts(node: Any) -> Iterator[str]:
    """Every string a template value can take, through each branch of its Fn::Ifs."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from texts(value)


def route_lists() -> list[str]:
    """The messages of API Gateway's own answers that list the routes, one per combination of the parameters."""
    body = load_template()["Resources"]["LeaderboardApi"]["Properties"]["DefinitionBody"]
    answers = body["x-amazon-apigateway-gateway-responses"]
    return [text for answer in answers.values() for text in texts(answer) if "The routes:" in text]


@pytest.mark.parametrize("message", route_lists())
def test_each_gateway_route_list_names_exactly_the_routes_of_the_functions(message: str) -> None:
    # Given a message API Gateway sends for a method and path no route answers (CloudFormation cannot compute it
    # from the events, so it is written out, once per WriteAuth and AdminAuth combination)
    # When reading the routes it lists, Then they are the functions' Api events, methods and paths, no more, no less
    assert listed_routes(message) == {(route.method, route.path) for route in routes()}


def test_the_route_lists_are_there_to_check() -> None:
    assert len(route_lists()) == 4  # MISSING_AUTHENTICATION_TOKEN: one per combination of WriteAuth and AdminAuth


def test_every_description_of_a_route_names_the_route_of_its_function() -> None:
    # Given the template as written
    template = load_template()
    functions, outputs = template["Resources"], template["Outputs"]

    # Then each routed function's description, and its output's, name its event's route
    for route in routes():
        assert functions[route.function]["Properties"]["Description"].startswith(f"{route} - "), route
        assert outputs[f"{route.function}Name"]["Description"].startswith(f"Lambda function behind {route}"), route

    # And the stage's URL says which paths to append: every path but the root (the board page, its own output)
    appended = re.findall(r"\{[^\s,)]*", template["Outputs"]["ApiUrl"]["Description"])
    assert {"/" + path for path in appended} == {route.path for route in routes()} - {"/"}
