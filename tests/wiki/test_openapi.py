"""GET /api/openapi.json describes every API route of the app, and is a valid OpenAPI 3.1 document."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH"}


def api_routes(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /api/ rule: `<path:path>` becomes `{path}`."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        template = ARGUMENT.sub(lambda m: "{" + m.group(1) + "}", rule.rule)
        routes |= {(template, method.lower()) for method in rule.methods & METHODS}
    return routes


def documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item
            if method.upper() in METHODS}


def test_document_is_openapi_3_1_and_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_the_validator_does_reject_a_broken_document(client):
    """The check above means something: the same validator refuses the document once it is broken."""
    document = client.get("/api/openapi.json").get_json()
    document["paths"]["/api/v1/pages/{path}"]["get"]["parameters"][0]["in"] = "body"  # an OpenAPI 2 leftover
    with pytest.raises(OpenAPIValidationError):
        validate(document)


def test_every_api_route_and_method_is_described(app, client):
    document = client.get("/api/openapi.json").get_json()
    routes = api_routes(app)
    assert ("/api/v1/pages/{path}", "put") in routes and ("/api/v1/pages/{path}/attachments/{name}", "get") in routes
    missing = routes - documented(document)
    assert not missing, f"routes without a description in /api/openapi.json: {sorted(missing)}"
    stale = {(path, method) for path, method in documented(document) - routes if path.startswith("/api/")}
    assert not stale, f"described but not served: {sorted(stale)}"


def test_path_parameters_are_declared_and_errors_have_the_error_shape(client):
    document = client.get("/api/openapi.json").get_json()
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method.upper() not in METHODS:
                continue
            declared = {p["name"] for p in operation.get("parameters", []) + item.get("parameters", [])
                        if p["in"] == "path"}
            assert declared == names, (path, method, declared)
            assert any(code.startswith("2") for code in operation["responses"]), (path, method)
            for code, answer in operation["responses"].items():
                if code.startswith(("4", "5")):
                    schema = answer["content"]["application/json"]["schema"]
                    assert set(schema["required"]) >= {"error", "message"}, (path, method, code)


def test_documented_success_codes_match_the_contract(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "201" in paths["/api/v1/auth/token"]["post"]["responses"]
    assert "201" in paths["/api/v1/pages/{path}/attachments/{name}"]["put"]["responses"]
    assert "409" in paths["/api/v1/pages/{path}"]["put"]["responses"]
    assert set(paths["/api/v1/pages/{path}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
               ["required"]) == {"path", "title", "markdown", "revision", "author", "date"}
