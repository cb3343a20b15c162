"""The OpenAPI document served at ``/openapi.json``: spectree's, completed with what it cannot say.

spectree describes bodies, queries and responses from the views' models, but gives every path
parameter a bare ``string``, adds its own 422 body (an array: not what the service answers) and
lists the review UI's HTML pages without a response. Sites generate clients from this document and
``tests/test_contract.py`` checks the service against it, so it is completed here from the same
models the views validate with: each path parameter's pattern, the one error body, optional bodies,
the JSON parts of multipart forms, and the pages' statuses as ``text/html``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask
from pydantic import BaseModel

PATH_MODELS = "raqib_path_models"  # a view's attribute: the models its path parameters are validated with
PAGE_STATUSES = "raqib_page_statuses"  # a view's attribute: the statuses an HTML page answers
BODY_OPTIONAL = "raqib_body_optional"  # a view's attribute: its JSON body may be left out
STATIC_STATUSES = (200, 304, 404)  # a blueprint's static files
_PARAMETER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _openapi_path(rule: str) -> str:
    return _PARAMETER.sub(r"{\1}", rule)


def _parameter_schemas(models: tuple[type[BaseModel], ...]) -> dict[str, dict[str, Any]]:
    """Each field of ``models`` as a JSON schema: pattern and lengths, as pydantic checks them."""
    schemas: dict[str, dict[str, Any]] = {}
    for model in models:
        for name, schema in model.model_json_schema().get("properties", {}).items():
            schemas[name] = {k: v for k, v in schema.items() if k != "title"}
    return schemas


def _page_responses(statuses: tuple[int, ...]) -> dict[str, Any]:
    html = {"text/html": {"schema": {"type": "string"}}}
    described = {200: "the page", 302: "to the sign-in page (no session) or the next page", 304: "not modified"}
    return {
        str(status): {"description": described.get(status, "the page, with the problem"), "content": html}
        if status not in (302, 304)
        else {"description": described[status]}
        for status in statuses
    }


def _complete_body(operation: dict[str, Any], schemas: dict[str, Any], optional: bool) -> None:
    """An optional body says so (spectree makes every body required); a multipart part that is JSON
    says so too."""
    body = operation.get("requestBody")
    if not body:
        return
    if optional:
        body["required"] = False
    for media, content in body.get("content", {}).items():
        ref = content.get("schema", {}).get("$ref", "")
        schema = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else content.get("schema", {})
        parts = {
            name: {"contentType": "application/json"}
            for name, part in schema.get("properties", {}).items()
            if isinstance(part, dict) and part.get("contentMediaType") == "application/json"
        }
        if media == "multipart/form-data" and parts:
            content["encoding"] = parts


def complete(app: Flask, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (spectree's) with path patterns, the service's error body and the pages' statuses."""
    done = copy.deepcopy(document)
    schemas = done.setdefault("components", {}).setdefault("schemas", {})
    error_ref = next((f"#/components/schemas/{name}" for name in schemas if name.startswith("ErrorBody")), None)
    for name in [n for n in schemas if n.startswith("ValidationError")]:
        del schemas[name]
    for rule in app.url_map.iter_rules():
        operations = done.get("paths", {}).get(_openapi_path(rule.rule))
        if not operations:
            continue
        view = app.view_functions[rule.endpoint]
        parameters = _parameter_schemas(getattr(view, PATH_MODELS, ()))
        static = rule.endpoint.endswith("static")
        statuses = STATIC_STATUSES if static else getattr(view, PAGE_STATUSES, None)
        for method in (m.lower() for m in rule.methods or () if m.lower() in _HTTP_METHODS):
            operation = operations.get(method)
            if operation is None:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in parameters:
                    parameter["schema"] = parameters[parameter["name"]]
            if statuses is not None:
                operation["responses"] = _page_responses(statuses)
                operation.pop("security", None)
            if static and error_ref:
                operation["responses"]["200"]["content"] = {"*/*": {"schema": {}}}
                operation["responses"]["404"]["content"] = {"application/json": {"schema": {"$ref": error_ref}}}
            _complete_body(operation, schemas, getattr(view, BODY_OPTIONAL, False))
            for response in operation.get("responses", {}).values():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if error_ref and schema.get("$ref", "").startswith("#/components/schemas/ValidationError"):
                    schema["$ref"] = error_ref
    return done
