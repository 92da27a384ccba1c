"""The OpenAPI document matches the routes the app really serves."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from camnet.app import all_api_routes


async def test_openapi_matches_routes(client: TestClient) -> None:
    resp = await client.get("/api/v1/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    assert doc["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    served = set()
    for resource in client.app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter")
        if not path or not (path.startswith("/api/") or path == "/healthz"):
            continue
        for route in resource:
            if route.method != "HEAD":
                served.add((route.method, path))
    assert documented == served
    assert {(r.method, r.path) for r in all_api_routes()} == served
    for ops in doc["paths"].values():
        for op in ops.values():
            for response in op["responses"].values():
                ref = response.get("content", {}).get("application/json", {}).get("schema", {})
                if "$ref" in ref:
                    assert ref["$ref"].rsplit("/", 1)[1] in doc["components"]["schemas"]
    cam = doc["paths"]["/api/v1/cameras"]["post"]
    assert cam["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CameraIn")
    assert "password" not in doc["components"]["schemas"]["CameraOut"]["properties"]


def test_created_ids_are_linked_to_their_operations() -> None:
    from camnet.app import all_api_routes
    from camnet.web.openapi import build_openapi

    doc = build_openapi(all_api_routes())
    links = doc["paths"]["/api/v1/incidents"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    assert {"get_incident", "update_incident"} <= targets
    assert all(link["parameters"] == {"path.id": "$response.body#/id"} for link in links.values())
