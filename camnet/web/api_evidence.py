"""JSON API for incidents, extraction requests, evidence items, custody and verification."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ConfigDict, Field

from camnet.auth.principal import Principal
from camnet.errors import InvalidInput
from camnet.evidence import anchors, incidents, items, requests, verify
from camnet.evidence.models import (
    CustodyIn,
    ExternalItemIn,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    ItemOut,
    RequestIn,
    RequestOut,
    TransitionIn,
)
from camnet.evidence.package import build_package
from camnet.paging import Page, PageQuery
from camnet.validation import DbId
from camnet.vocab import RequestStatus
from camnet.web import keys
from camnet.web.routing import (
    RouteTable,
    attachment,
    json_response,
    next_part,
    open_multipart,
    part_chunks,
    path_id,
    read_body,
    read_query,
    remember_models,
    upload_name,
)

routes = RouteTable()
remember_models(IncidentIn, IncidentPatch, RequestIn, TransitionIn, ExternalItemIn, CustodyIn)
API = "/api/v1"


class IncidentList(BaseModel):
    """A page of incidents in scope."""

    items: list[IncidentOut]
    page: Page


class RequestQuery(PageQuery):
    """Filters for the request list."""

    status: RequestStatus | None = None
    incident_id: DbId | None = None


class RequestList(BaseModel):
    """Requests in scope (a page of them, except for the at-risk list)."""

    items: list[RequestOut]
    page: Page | None = None


class ItemList(BaseModel):
    """Items of a request."""

    items: list[ItemOut]


class UploadQuery(BaseModel):
    """Metadata of an uploaded file (the file itself is the multipart part ``file``)."""

    model_config = ConfigDict(extra="forbid")
    camera_id: DbId | None = None
    method: str = Field("", max_length=200)
    holder: str = Field("", max_length=200)


class CustodyList(BaseModel):
    """Custody events of an item, in chain order."""

    items: list[dict[str, Any]]


class Verification(BaseModel):
    """The result of recomputing a hash chain."""

    ok: bool
    rows_checked: int
    first_bad_id: int | None
    reason: str | None


class Created(BaseModel):
    """The id of a created record."""

    id: int


remember_models(RequestQuery, UploadQuery)


def _hours(request: web.Request) -> float:
    return request.app[keys.CONFIG].evidence.at_risk_hours


@routes.add("GET", f"{API}/incidents", permission="incident.read", summary="List incidents",
            tag="evidence", query=PageQuery, response=IncidentList)
async def list_incidents(request: web.Request, p: Principal) -> web.Response:
    """Incidents in the caller's zone, newest first, a page at a time."""
    q = read_query(request, PageQuery)
    found, page = await incidents.list_incidents(request.app[keys.DB], p, page=q.page,
                                                 per_page=q.per_page)
    return json_response({"items": found, "page": page})


@routes.add("POST", f"{API}/incidents", permission="incident.write", summary="Log an incident",
            tag="evidence", body=IncidentIn, response=IncidentOut, status=201)
async def create_incident(request: web.Request, p: Principal) -> web.Response:
    """Log an incident."""
    data = await read_body(request, IncidentIn)
    return json_response(await incidents.create_incident(request.app[keys.DB], p, data), 201)


@routes.add("GET", f"{API}/incidents/{{id}}", permission="incident.read",
            summary="Get an incident", tag="evidence", response=IncidentOut)
async def get_incident(request: web.Request, p: Principal) -> web.Response:
    """Return one incident."""
    return json_response(await incidents.get_incident(request.app[keys.DB], p, path_id(request)))


@routes.add("PATCH", f"{API}/incidents/{{id}}", permission="incident.write",
            summary="Change an incident", tag="evidence", body=IncidentPatch,
            response=IncidentOut)
async def update_incident(request: web.Request, p: Principal) -> web.Response:
    """Change an incident."""
    patch = await read_body(request, IncidentPatch)
    return json_response(
        await incidents.update_incident(request.app[keys.DB], p, path_id(request), patch))


@routes.add("GET", f"{API}/requests/at-risk", permission="incident.read",
            summary="Requests whose footage is overwritten soon", tag="evidence",
            response=RequestList)
async def at_risk(request: web.Request, p: Principal) -> web.Response:
    """Open requests with a camera whose recorder overwrites the window within the limit."""
    found = await requests.at_risk(request.app[keys.DB], p, _hours(request))
    await requests.audit_host_reads(request.app[keys.DB], p, found)
    return json_response({"items": found})


@routes.add("GET", f"{API}/requests", permission="incident.read", summary="List requests",
            tag="evidence", query=RequestQuery, response=RequestList)
async def list_requests(request: web.Request, p: Principal) -> web.Response:
    """Extraction requests in scope."""
    q = read_query(request, RequestQuery)
    found, page = await requests.list_requests(
        request.app[keys.DB], p, status=q.status, incident_id=q.incident_id,
        at_risk_hours=_hours(request), page=q.page, per_page=q.per_page)
    await requests.audit_host_reads(request.app[keys.DB], p, found)
    return json_response({"items": found, "page": page})


@routes.add("POST", f"{API}/requests", permission="request.draft", summary="Draft a request",
            tag="evidence", body=RequestIn, response=RequestOut, status=201)
async def create_request(request: web.Request, p: Principal) -> web.Response:
    """Draft an extraction request; each camera shows its availability and deadline."""
    data = await read_body(request, RequestIn)
    created = await requests.create_request(request.app[keys.DB], p, data)
    await requests.audit_host_reads(request.app[keys.DB], p, [created])  # hosts are shown
    return json_response(created, 201)


@routes.add("GET", f"{API}/requests/{{id}}", permission="incident.read",
            summary="Get a request", tag="evidence", response=RequestOut)
async def get_request(request: web.Request, p: Principal) -> web.Response:
    """Return a request with its cameras, availability and overwrite deadlines."""
    found = await requests.get_request(request.app[keys.DB], p, path_id(request), _hours(request))
    await requests.audit_host_reads(request.app[keys.DB], p, [found])
    return json_response(found)


@routes.add("POST", f"{API}/requests/{{id}}/transition", permission="incident.read",
            summary="Move a request to its next status", tag="evidence", body=TransitionIn,
            response=RequestOut)
async def transition(request: web.Request, p: Principal) -> web.Response:
    """Submit, approve, reject, mark extracted / handed over / unavailable (role-checked)."""
    step = await read_body(request, TransitionIn)
    sod = request.app[keys.CONFIG].evidence.separation_of_duties
    moved = await requests.transition(request.app[keys.DB], p, path_id(request), step,
                                      separation_of_duties=sod)
    await requests.audit_host_reads(request.app[keys.DB], p, [moved])  # hosts are shown
    return json_response(moved)


@routes.add("GET", f"{API}/requests/{{id}}/items", permission="incident.read",
            summary="Evidence items of a request", tag="evidence", response=ItemList)
async def list_items(request: web.Request, p: Principal) -> web.Response:
    """Items recorded for a request."""
    return json_response({"items": await items.list_items(request.app[keys.DB], p,
                                                           path_id(request))})


@routes.add("POST", f"{API}/requests/{{id}}/items", permission="evidence.write",
            summary="Upload a footage file (multipart part 'file')", tag="evidence",
            query=UploadQuery, response=ItemOut, status=201)
async def upload_item(request: web.Request, p: Principal) -> web.Response:
    """Stream a file to disk, hashing it; the client's file name is metadata only."""
    q = read_query(request, UploadQuery)
    reader = await open_multipart(request)
    part = await next_part(reader)
    while part is not None and getattr(part, "name", None) != "file":
        part = await next_part(reader)
    if not isinstance(part, BodyPartReader):
        raise InvalidInput("no part named 'file'", "file")
    item = await items.upload_item(
        request.app[keys.DB], p, request.app[keys.BLOBS], path_id(request), part_chunks(part),
        filename=upload_name(part), camera_id=q.camera_id, method=q.method or "upload",
        holder=q.holder,
    )
    return json_response(item, 201)


@routes.add("POST", f"{API}/requests/{{id}}/items/external", permission="evidence.write",
            summary="Register an item held elsewhere by hash and size", tag="evidence",
            body=ExternalItemIn, response=ItemOut, status=201)
async def register_item(request: web.Request, p: Principal) -> web.Response:
    """Record an item that camnet does not store."""
    data = await read_body(request, ExternalItemIn)
    return json_response(await items.register_item(request.app[keys.DB], p, path_id(request), data),
                         201)


@routes.add("GET", f"{API}/items/{{id}}/custody", permission="incident.read",
            summary="Custody log of an item", tag="evidence", response=CustodyList)
async def custody(request: web.Request, p: Principal) -> web.Response:
    """Custody events of one item, oldest first."""
    db = request.app[keys.DB]
    item = await items.get_item_row(db, p, path_id(request))
    return json_response({"items": await items.custody_log(db, p, [item["id"]])})


@routes.add("POST", f"{API}/items/{{id}}/custody", permission="evidence.write",
            summary="Record a custody action", tag="evidence", body=CustodyIn, response=Created,
            status=201)
async def add_custody(request: web.Request, p: Principal) -> web.Response:
    """Append a custody event (transferred, copied, viewed, returned, sealed)."""
    data = await read_body(request, CustodyIn)
    event_id = await items.record_custody(request.app[keys.DB], p, path_id(request), data)
    return json_response({"id": event_id}, 201)


@routes.add("GET", f"{API}/items/{{id}}/download", permission="evidence.write",
            summary="Download a stored file (hash re-checked)", tag="evidence")
async def download(request: web.Request, p: Principal) -> web.StreamResponse:
    """Send the stored file after re-checking its SHA-256; the copy is logged in custody."""
    path, item = await items.open_for_download(request.app[keys.DB], p, request.app[keys.BLOBS],
                                               path_id(request))
    return web.FileResponse(path, headers={
        "Content-Disposition": attachment(item["filename"]),
        "Content-Type": "application/octet-stream", "X-SHA256": item["sha256"]})


class FileCheck(BaseModel):
    """Each evidence file of a request, re-hashed now."""

    items: list[dict[str, Any]]
    bad: int


@routes.add("POST", f"{API}/requests/{{id}}/verify-files", permission="incident.read",
            summary="Re-hash a request's stored evidence files", tag="evidence", response=FileCheck)
async def verify_files(request: web.Request, p: Principal) -> web.Response:
    """Re-hash every stored file of the request; a file whose bytes changed is reported ``bad``."""
    found = await items.verify_request_files(request.app[keys.DB], p, request.app[keys.BLOBS],
                                             path_id(request))
    return json_response({"items": found, "bad": sum(1 for f in found if f["state"] == "bad")})


class AnchorList(BaseModel):
    """The newest signed chain-head anchors and the key that checks them."""

    log: str
    public_key: str
    problems: list[str]
    items: list[dict[str, Any]]


@routes.add("GET", f"{API}/anchors", permission="audit.read", summary="Signed chain-head anchors",
            tag="evidence", response=AnchorList)
async def list_anchors(request: web.Request, p: Principal) -> web.Response:
    """The newest anchors (chain, sequence, head hash, time, signature) for the audit viewer."""
    return json_response(await anchors.recent_anchors(request.app[keys.CONFIG]))


@routes.add("GET", f"{API}/custody/verify", permission="system.read",
            summary="Verify the custody chain", tag="evidence", response=Verification)
async def verify_custody(request: web.Request, p: Principal) -> web.Response:
    """Recompute every custody hash; name the first row that does not match."""
    return json_response(await verify.verify_custody(request.app[keys.CONFIG]))


@routes.add("GET", f"{API}/audit/verify", permission="system.read",
            summary="Verify the audit log", tag="evidence", response=Verification)
async def verify_audit(request: web.Request, p: Principal) -> web.Response:
    """Recompute every audit hash; name the first row that does not match."""
    return json_response(await verify.verify_audit(request.app[keys.CONFIG]))


@routes.add("GET", f"{API}/requests/{{id}}/package", permission="evidence.write",
            summary="Case package (zip: files, manifest, custody log, form)", tag="evidence")
async def package(request: web.Request, p: Principal) -> web.StreamResponse:
    """Build and send the case package of a request."""
    app = request.app
    path, name = await build_package(app[keys.DB], p, app[keys.BLOBS], path_id(request),
                                     app[keys.CONFIG], app[keys.FILE_EXECUTOR])
    loop = asyncio.get_running_loop()
    fh = await loop.run_in_executor(app[keys.FILE_EXECUTOR], path.open, "rb")
    path.unlink()  # the open handle keeps the data; nothing is left behind whatever happens
    try:
        size = os.fstat(fh.fileno()).st_size
        response = web.StreamResponse(headers={
            "Content-Disposition": attachment(name),
            "Content-Type": "application/zip", "Content-Length": str(size)})
        await response.prepare(request)
        while block := await loop.run_in_executor(app[keys.FILE_EXECUTOR], fh.read, 1024 * 1024):
            await response.write(block)
        await response.write_eof()
    finally:
        fh.close()
    return response
