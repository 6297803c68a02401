"""openapi.yaml describes what template.yaml deploys and what the code enforces: same routes, same auth, same limits."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from typing import Any

import pytest
import schemathesis
import yaml  # type: ignore[import-untyped,unused-ignore]
from openapi_spec_validator import validate

from devserver.intrinsics import TemplateValues
from shared.domain.errors import InvalidInput
from shared.domain.periods import KINDS, MAX_YEAR, MIN_YEAR, parse_choice
from shared.domain.rules import (
    LEADERBOARD_NAME,
    MAX_ABS_SCORE,
    MAX_PAGE_SIZE,
    MAX_PLAYER_NAME_CHARS,
    MAX_RANK,
    SETTING_NAMES,
    SETTING_VALUES,
)
from shared.http.middlewares.json_body_parser import DEFAULT_MAX_BODY_BYTES
from tests.support import ROOT
from tests.support.template import load_template, routes

OPENAPI = ROOT / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PAGE = "/"
PLAYER = "/{leaderboard}/{name}"
BOARD = "/{leaderboard}"
AROUND = "/{leaderboard}/{name}/around"
WRITE_AUTH_SCHEMES: dict[str, list[dict[str, list[str]]]] = {
    "API_KEY": [{"api_key": []}],
    "IAM": [{"sigv4": []}],
    "NONE": [],
}
# The template's scheme for each AdminAuth mode, and the one openapi.yaml documents it as. API Gateway knows an API
# key requirement by its scheme (x-api-key in the header), so the template reuses `api_key`; the document names the
# admin key apart, since it is another key.
ADMIN_AUTH_SCHEMES = {"IAM": ("sigv4", "sigv4"), "API_KEY": ("api_key", "admin_api_key")}
ADMIN_OPERATIONS = {("PUT", BOARD), ("DELETE", BOARD), ("DELETE", PLAYER)}


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def definition_body(**overrides: str) -> dict[str, Any]:
    """The LeaderboardApi's DefinitionBody, intrinsics resolved for these parameter values (defaults otherwise)."""
    template = load_template()
    body: dict[str, Any] = TemplateValues(template, overrides).value(
        template["Resources"]["LeaderboardApi"]["Properties"]["DefinitionBody"]
    )
    return body


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS
    }


def function_api_events() -> set[tuple[str, str]]:
    """The routes template.yaml declares: its functions' Api events."""
    return {(route.method, route.path) for route in routes()}


def operation(path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec()["paths"][path][method]
    return found


def parameter(path: str, method: str, name: str) -> dict[str, Any]:
    """A parameter of an operation, its own or its path's, with a `$ref` followed."""
    declared = operation(path, method).get("parameters", []) + spec()["paths"][path].get("parameters", [])
    for entry in declared:
        resolved = resolve(entry)
        if resolved["name"] == name:
            return resolved
    raise KeyError(name)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def component(name: str) -> dict[str, Any]:
    return resolve({"$ref": f"#/components/schemas/{name}"})


# --- The document itself ----------------------------------------------------------------------------------------------


def test_openapi_yaml_is_a_valid_openapi_document() -> None:
    validate(spec())
    loaded = schemathesis.openapi.from_path(OPENAPI)
    for method, path in operations(spec()):
        assert loaded[path][method].label == f"{method} {path}"


# --- Routes -------------------------------------------------------------------------------------------------------


def test_operations_equal_the_definition_body_preflights_included() -> None:
    assert operations(spec()) == operations(definition_body())
    assert {("OPTIONS", path) for path in spec()["paths"]} <= operations(spec())


def test_operations_other_than_preflights_equal_the_functions_api_events() -> None:
    assert function_api_events() == {(method, path) for method, path in operations(spec()) if method != "OPTIONS"}
    assert function_api_events() >= ADMIN_OPERATIONS


def test_preflight_headers_are_the_mock_integrations() -> None:
    body = definition_body()
    for path in body["paths"]:
        integration = body["paths"][path]["options"]["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock"
        default = integration["responses"]["default"]
        documented = resolve(operation(path, "options")["responses"][default["statusCode"]])
        for name, value in default["responseParameters"].items():
            header = resolve(documented["headers"][name.removeprefix("method.response.header.")])
            assert header["required"] is True
            if "enum" in header["schema"]:  # the origin is a deployment parameter; the rest are fixed
                assert header["schema"]["enum"] == [value.strip("'")]


# --- Security -----------------------------------------------------------------------------------------------------


def test_post_security_is_the_default_write_auth() -> None:
    default_mode = load_template()["Parameters"]["WriteAuth"]["Default"]
    assert default_mode == "API_KEY"
    assert operation(PLAYER, "post")["security"] == WRITE_AUTH_SCHEMES[default_mode]
    assert definition_body()["paths"][PLAYER]["post"]["security"] == operation(PLAYER, "post")["security"]


def test_reads_and_preflights_are_public() -> None:
    assert spec()["security"] == []
    for method, path in operations(spec()) - {("POST", PLAYER)} - ADMIN_OPERATIONS:
        assert operation(path, method.lower()).get("security", []) == []
        for mode in ADMIN_AUTH_SCHEMES:
            assert not definition_body(AdminAuth=mode)["paths"][path][method.lower()].get("security")


def test_admin_security_is_the_default_admin_auth() -> None:
    default_mode = load_template()["Parameters"]["AdminAuth"]["Default"]
    assert default_mode == "IAM"
    deployed, documented = ADMIN_AUTH_SCHEMES[default_mode]
    for method, path in ADMIN_OPERATIONS:
        assert operation(path, method.lower())["security"] == [{documented: []}]
        assert definition_body()["paths"][path][method.lower()]["security"] == [{deployed: []}]


@pytest.mark.parametrize("mode", sorted(ADMIN_AUTH_SCHEMES))
def test_every_admin_auth_mode_is_documented_with_the_template_scheme(mode: str) -> None:
    assert mode in load_template()["Parameters"]["AdminAuth"]["AllowedValues"]
    deployed, documented = ADMIN_AUTH_SCHEMES[mode]
    body = definition_body(AdminAuth=mode)
    scheme = body["components"]["securitySchemes"][deployed]
    described = spec()["components"]["securitySchemes"][documented]
    assert {key: described[key] for key in scheme} == scheme
    for method, path in ADMIN_OPERATIONS:
        assert body["paths"][path][method.lower()]["security"] == [{deployed: []}]
        description = " ".join(operation(path, method.lower())["description"].split())
        assert f"AdminAuth={mode}" in description or f"(`{mode}`)" in description
        assert documented in description


@pytest.mark.parametrize("mode", ["API_KEY", "IAM", "NONE"])
def test_every_write_auth_mode_is_documented_with_the_template_scheme(mode: str) -> None:
    assert mode in load_template()["Parameters"]["WriteAuth"]["AllowedValues"]
    body = definition_body(WriteAuth=mode)
    assert body["paths"][PLAYER]["post"]["security"] == WRITE_AUTH_SCHEMES[mode]
    schemes = spec()["components"]["securitySchemes"]
    for requirement in WRITE_AUTH_SCHEMES[mode]:
        for name in requirement:
            deployed = body["components"]["securitySchemes"][name]
            assert {key: schemes[name][key] for key in deployed} == deployed
    if mode != "API_KEY":
        assert f"WriteAuth={mode}" in operation(PLAYER, "post")["description"]


# --- The code's rules ---------------------------------------------------------------------------------------------


def test_leaderboard_name_pattern_is_the_codes() -> None:
    expected = f"^{LEADERBOARD_NAME.pattern}$"
    for method, path in operations(spec()):
        if method != "OPTIONS" and path != PAGE:  # the board page takes its board in the query, read by its script
            assert parameter(path, method.lower(), "leaderboard")["schema"]["pattern"] == expected
    assert component("SubmissionAccepted")["properties"]["leaderboard"]["pattern"] == expected
    assert component("BoardSettings")["properties"]["leaderboard"]["pattern"] == expected
    limits = re.fullmatch(r".*\{(\d+),(\d+)\}", LEADERBOARD_NAME.pattern)
    assert limits is not None
    schema = parameter(BOARD, "get", "leaderboard")["schema"]
    assert (schema["minLength"], schema["maxLength"]) == (int(limits[1]), int(limits[2]))


def test_player_name_limits_are_the_codes() -> None:
    for path, method in ((PLAYER, "post"), (PLAYER, "get"), (PLAYER, "delete"), (AROUND, "get")):
        schema = parameter(path, method, "name")["schema"]
        assert (schema["minLength"], schema["maxLength"]) == (1, MAX_PLAYER_NAME_CHARS)
        assert schema["pattern"].endswith(f"{{1,{MAX_PLAYER_NAME_CHARS}}}$")
    # The names of a friends page are player names too, by the same rules
    names = parameter(BOARD, "get", "name")["schema"]["items"]
    assert names == {key: parameter(PLAYER, "get", "name")["schema"][key] for key in names}
    for name in ("SubmissionAccepted", "Entry"):
        schema = component(name)["properties"]["name"]
        assert (schema["minLength"], schema["maxLength"]) == (1, MAX_PLAYER_NAME_CHARS)


def test_player_name_pattern_refuses_exactly_the_control_characters() -> None:
    """The code refuses categories Cc and Cs; a URL-decoded name cannot hold Cs (lone surrogates are not UTF-8)."""
    pattern = re.compile(parameter(PLAYER, "get", "name")["schema"]["pattern"])
    refused = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) != "Cs" and pattern.fullmatch(chr(code)) is None
    }
    assert refused == {code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cc"}


def test_score_bounds_are_the_codes() -> None:
    score = component("Score")
    assert (score["minimum"], score["maximum"]) == (-MAX_ABS_SCORE, MAX_ABS_SCORE)
    assert component("Submission")["properties"]["score"] == {"$ref": "#/components/schemas/Score"}
    assert component("Submission")["required"] == ["score"]


def test_page_limits_are_the_codes() -> None:
    assert component("Page")["properties"]["leaderboard"]["maxItems"] == MAX_PAGE_SIZE
    for name in ("startRank", "endRank"):
        schema = parameter(BOARD, "get", name)["schema"]
        assert schema["type"] == "integer"
        assert schema["maximum"] == MAX_RANK
    description = " ".join(operation(BOARD, "get")["description"].split())
    assert f"endRank - startRank <= {MAX_PAGE_SIZE}" in description


@pytest.mark.parametrize(("path", "method"), [(PLAYER, "post"), (BOARD, "put")])
def test_body_limit_is_the_codes(path: str, method: str) -> None:
    request_body = operation(path, method)["requestBody"]
    assert request_body["x-max-body-bytes"] == DEFAULT_MAX_BODY_BYTES
    assert f"{DEFAULT_MAX_BODY_BYTES} bytes" in request_body["description"]
    assert set(request_body["content"]) == {"application/json"}


# --- The new routes' parameters and answers -----------------------------------------------------------------------


def test_around_takes_a_count_of_1_to_50_defaulting_to_5() -> None:
    count = parameter(AROUND, "get", "count")
    assert (count["in"], count["required"]) == ("query", False)
    assert count["schema"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}
    entries = component("Around")["properties"]["leaderboard"]
    assert entries["items"] == {"$ref": "#/components/schemas/Entry"}


def test_a_friends_page_takes_1_to_50_repeated_names() -> None:
    names = parameter(BOARD, "get", "name")
    assert (names["in"], names["required"], names["style"], names["explode"]) == ("query", False, "form", True)
    assert (names["schema"]["type"], names["schema"]["minItems"], names["schema"]["maxItems"]) == ("array", 1, 50)
    assert "not combinable" in " ".join(names["description"].split())


def test_a_page_carries_the_total_and_the_settings() -> None:
    page = component("Page")
    assert page["required"] == ["leaderboard", "total", "settings"]
    assert page["properties"]["total"] == {**page["properties"]["total"], "type": "integer", "minimum": 0}
    assert page["properties"]["settings"] == {"$ref": "#/components/schemas/Settings"}


SETTINGS = {"order": ["desc", "asc"], "update": ["latest", "best", "increment"], "ties": ["distinct", "shared"]}


def test_settings_are_three_closed_enums_periods_and_a_time_zone_and_an_update_names_only_them() -> None:
    settings, update = component("Settings"), component("SettingsUpdate")
    assert settings["required"] == [*SETTING_NAMES]
    assert list(settings["properties"]) == list(update["properties"]) == [*SETTING_NAMES]
    for name in ("Settings", "SettingsUpdate", "BoardSettings", "Period"):
        assert component(name)["additionalProperties"] is False
    for schema in (settings, update):
        ranking = {name: resolve(schema["properties"][name])["enum"] for name in SETTING_VALUES}
        assert ranking == SETTINGS == {name: list(values) for name, values in SETTING_VALUES.items()}
        periods = resolve(schema["properties"]["periods"])
        assert (periods["type"], periods["minItems"], periods["uniqueItems"]) == ("array", 1, True)
        assert periods["items"]["enum"] == list(KINDS)
        assert resolve(schema["properties"]["timeZone"])["type"] == "string"
    assert "required" not in update  # an empty object only reads the settings
    assert operation(BOARD, "put")["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SettingsUpdate"
    }
    assert component("BoardSettings")["required"] == ["leaderboard", "settings"]


# ?period= values, and what the code makes of each: "read", refused by its "syntax", or refused by the "meaning" of
# an id of the right shape (no such day, week or month; a year out of range), which the pattern cannot know.
PERIOD_VALUES = {
    **dict.fromkeys(KINDS, "read"),
    **{f"{kind}:previous": "read" for kind in KINDS if kind != "all"},
    "daily:2026-11-27": "read",
    "weekly:2026-W47": "read",
    "monthly:2026-10": "read",
    "daily:2026-02-30": "meaning",
    "weekly:2025-W53": "meaning",
    "monthly:2026-13": "meaning",
    "daily:1970-12-31": "meaning",
    "monthly:9999-01": "meaning",
    "all:previous": "syntax",
    "all:2026": "syntax",
    "daily:": "syntax",
    "daily:2026-11": "syntax",
    "weekly:2026-47": "syntax",
    "weekly:2026-w47": "syntax",
    "monthly:2026-1": "syntax",
    "monthly:2026-10-01": "syntax",
    "Daily": "syntax",
    "daily ": "syntax",
    "daily\n": "syntax",
    "hourly": "syntax",
    ":previous": "syntax",
    "daily:previous:previous": "syntax",
    "daily:\uff12\uff10\uff12\uff16-11-27": "syntax",  # fullwidth digits
    "": "syntax",
}


def test_the_period_parameter_is_the_codes_syntax_on_every_read() -> None:
    period = resolve({"$ref": "#/components/parameters/Period"})
    assert (period["in"], period["required"], period["schema"]["type"]) == ("query", False, "string")
    for path in (PLAYER, BOARD, AROUND):
        assert parameter(path, "get", "period") == period
    # A JSON Schema pattern's `$` ends the text (ECMA-262); Python's would also match before a final newline.
    pattern = re.compile(period["schema"]["pattern"].replace("$", r"\Z"))
    for value, expected in PERIOD_VALUES.items():
        try:
            parse_choice(value)
        except InvalidInput:
            outcome = "meaning" if pattern.search(value) else "syntax"
        else:
            outcome = "read" if pattern.search(value) else "read, but the pattern refuses it"
        assert outcome == expected, value
    assert f"{MIN_YEAR}-{MAX_YEAR}" in " ".join(period["description"].split())


def test_a_periodic_answer_says_which_period_it_read() -> None:
    for name in ("Standing", "Page", "Around"):
        assert component(name)["properties"]["period"] == {"$ref": "#/components/schemas/Period"}
        assert "period" not in component(name)["required"]  # all-time answers are v1's
    assert component("Period")["required"] == ["kind", "id", "start", "end"]
    assert component("Period")["properties"]["kind"]["enum"] == [kind for kind in KINDS if kind != "all"]


def test_an_accepted_submission_carries_the_score_on_the_board() -> None:
    accepted = component("SubmissionAccepted")
    assert accepted["required"] == ["leaderboard", "name", "score", "scoreOnBoard"]
    assert accepted["properties"]["scoreOnBoard"]["type"] == "number"


@pytest.mark.parametrize(("method", "path"), sorted(ADMIN_OPERATIONS | {("GET", AROUND)}))
def test_the_new_routes_answer_as_documented(method: str, path: str) -> None:
    responses = operation(path, method.lower())["responses"]
    success = {"PUT": "200", "DELETE": "204", "GET": "200"}[method]
    assert min(status for status in responses if status.startswith("2")) == success
    if method == "DELETE":
        assert "content" not in resolve(responses["204"])


# --- Errors and headers -------------------------------------------------------------------------------------------

FUNCTION_ERRORS = {
    ("GET", PAGE): {"500"},  # the board page reads nothing: only a bug fails it
    ("POST", PLAYER): {"400", "413", "415", "429", "500", "503", "504", "507"},
    ("GET", PLAYER): {"400", "404", "429", "500", "503", "504"},
    ("GET", BOARD): {"400", "429", "500", "503", "504"},
    ("GET", AROUND): {"400", "404", "429", "500", "503", "504"},
    # The admin routes' 403 may be the function's: a key of the stage that is not the admin key (AdminAuth=API_KEY)
    ("PUT", BOARD): {"400", "403", "413", "415", "429", "500", "503", "504"},
    ("DELETE", BOARD): {"400", "403", "429", "500", "503", "504"},
    ("DELETE", PLAYER): {"400", "403", "429", "500", "503", "504"},
}
GATEWAY_ERRORS = {"403", "413", "429", "502", "504"}  # unknown route or key, 10 MB, throttled, failed, slow


def error_schemas(response: dict[str, Any]) -> set[str]:
    schema = response["content"]["application/json"]["schema"]
    if schema["$ref"] == "#/components/schemas/AnyError":
        schema = component("AnyError")
    refs = [schema["$ref"]] if "$ref" in schema else [entry["$ref"] for entry in schema["anyOf"]]
    return {ref.rsplit("/", 1)[1] for ref in refs}


@pytest.mark.parametrize(("method", "path"), sorted(FUNCTION_ERRORS))
def test_every_error_status_is_documented_with_the_body_of_whoever_sends_it(method: str, path: str) -> None:
    responses = {status: resolve(entry) for status, entry in operation(path, method.lower())["responses"].items()}
    for status in FUNCTION_ERRORS[(method, path)]:
        assert "Error" in error_schemas(responses[status]), status
    for status in GATEWAY_ERRORS:
        assert "GatewayError" in error_schemas(responses[status]), status
    for status in FUNCTION_ERRORS[(method, path)] & GATEWAY_ERRORS:
        assert error_schemas(responses[status]) == {"Error", "GatewayError"}, status
    for status in ("429", "503"):
        assert status not in responses or "Retry-After" in responses[status]["headers"]
    if "503" in responses or path != PAGE:
        assert resolve(responses["503"]["headers"]["Retry-After"])["required"] is True


def test_every_function_route_is_in_the_error_table_above() -> None:
    assert set(FUNCTION_ERRORS) == {(method, path) for method, path in operations(spec()) if method != "OPTIONS"}


def test_error_bodies_are_closed_objects() -> None:
    assert component("Error")["required"] == ["message", "requestId"]
    assert component("GatewayError")["required"] == ["message", "requestId"]
    for name in ("Error", "GatewayError", "SubmissionAccepted", "Standing", "Page", "Entry", "Around"):
        assert component(name)["additionalProperties"] is False


def test_every_response_carries_the_cors_origin_header() -> None:
    for method, path in operations(spec()):
        for status, entry in operation(path, method.lower())["responses"].items():
            header = resolve(resolve(entry)["headers"]["Access-Control-Allow-Origin"])
            assert header["required"] is True, (method, path, status)
