"""OpenAPI 3.1 document generated from the route table and its pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from camnet import __version__
from camnet.errors import ErrorBody
from camnet.web.routing import ApiRoute

_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")


def build_openapi(routes: list[ApiRoute]) -> dict[str, Any]:
    """Describe every API route: parameters, bodies, responses and the security scheme."""
    schemas: dict[str, Any] = {"Error": {k: v for k, v in _ERROR_SCHEMA.items() if k != "$defs"},
                               **_ERROR_SCHEMA.get("$defs", {})}
    paths: dict[str, Any] = {}
    for route in routes:
        op: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": route.handler.__name__,
            "parameters": _path_params(route.path),
            "responses": {},
        }
        if route.permission is None:
            op["security"] = []
        else:
            op["x-camnet-permission"] = route.permission
            op["responses"]["401"] = _resp("not logged in", _ERROR)
            op["responses"]["403"] = _resp("role does not allow it", _ERROR)
        if route.query is not None:
            op["parameters"] += _query_params(route.query, schemas)
        if route.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(route.body, schemas)}},
            }
            op["responses"]["422"] = _resp("invalid input", _ERROR)
        if route.response is not None:
            op["responses"][str(route.status)] = _resp("OK", _ref(route.response, schemas))
        else:
            op["responses"][str(route.status)] = {"description": "OK"}
        if "{" in route.path:
            op["responses"]["404"] = _resp("not found or outside your zone", _ERROR)
        paths.setdefault(route.path, {})[route.method.lower()] = op
    _link_created_ids(routes, paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "camnet API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "CAMNET_SESSION"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }


def _link_created_ids(routes: list[ApiRoute], paths: dict[str, Any]) -> None:
    """OpenAPI links: what a POST creates (its ``id``) feeds the operations on ``…/{id}``.

    Lets clients and stateful testers (schemathesis) follow create → read → change → delete.
    """
    for route in routes:
        if route.method != "POST" or route.response is None or "id" not in route.response.model_fields:
            continue
        links = {}
        for path, ops in paths.items():
            if not path.startswith(route.path.rstrip("/") + "/{id}"):
                continue
            for method, op in ops.items():
                links[f"{method}_{op['operationId']}"] = {
                    "operationId": op["operationId"],
                    "parameters": {"path.id": "$response.body#/id"},
                }
        if links:
            paths[route.path]["post"]["responses"][str(route.status)]["links"] = links


def _resp(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF)
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _path_params(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 1} if name.endswith("id") else {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _query_params(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]
