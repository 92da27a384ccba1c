"""Registry editing pages: zones (admin), points and cameras (officer and up, own zone).

Thin over :mod:`camnet.registry`: the forms validate with the API's own input models
(``ZoneIn``, ``PointIn``, ``CameraIn`` and the patches) and show each problem in words
next to its field (:mod:`camnet.web.form_errors`), with the form filled in again. A
camera's password is never shown: the form offers "new password" and "clear password".
Deleting asks first and is refused, in words, while evidence refers to the row.
Every post checks the CSRF token and answers Post/Redirect/Get with a success message
(:mod:`camnet.web.flash`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from camnet.auth.principal import Principal
from camnet.errors import CamnetError, Forbidden, InvalidInput
from camnet.evidence.requests import requests_naming_camera
from camnet.i18n import translate
from camnet.monitor.testconn import check_connection
from camnet.registry import cameras, importer, points, zone_switch, zones
from camnet.registry.formats import ImportFailed, read_csv_rows, read_geojson_rows
from camnet.registry.models import (
    CameraIn,
    CameraPatch,
    PointIn,
    PointPatch,
    ZoneIn,
    ZonePatch,
)
from camnet.secretstore import split_credentials
from camnet.web import keys
from camnet.web.csrf import check_csrf
from camnet.web.flash import flash_text, see_other
from camnet.web.form_errors import FormProblems, check, domain_problem, message_words
from camnet.web.i18n import language_of
from camnet.web.pages import page_principal, render
from camnet.web.routing import next_part, open_multipart, part_chunks, path_id, upload_name

routes = web.RouteTableDef()
MAX_IMPORT_BYTES = 20 * 1024 * 1024
POINT_FIELDS = ("zone_code", "name", "lat", "lon", "address", "host_name", "host_phone",
                "funding", "installed_on", "notes")
CAMERA_FIELDS = ("point_id", "name", "rtsp_url", "username", "vendor", "azimuth_deg", "fov_deg",
                 "range_m", "retention_days", "monitor_tier")
_OPTIONAL = {"installed_on", "azimuth_deg", "fov_deg", "range_m"}


def _lang(request: web.Request) -> str:
    return language_of(request, request.app[keys.CONFIG].ui.language)


def _text(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {n: str(form.get(n, "")).strip() for n in names}


def _data(values: dict[str, str]) -> dict[str, Any]:
    """Posted text to model input: an empty optional field means "none"."""
    return {k: (None if (v == "" and k in _OPTIONAL) else v) for k, v in values.items()}


def _admin(p: Principal) -> None:
    if p.role != "admin":
        raise Forbidden("only an admin may change zones")


async def _form(request: web.Request, template: str, context: dict[str, Any],
                problems: FormProblems | None = None, status: int = 200) -> web.Response:
    problems = problems or FormProblems()
    return await render(request, template, {
        **context, "problems": problems.fields, "problem": problems.general}, status)


async def _save(request: web.Request, work: Any) -> tuple[Any, FormProblems]:
    try:
        return await work, FormProblems()
    except CamnetError as exc:
        return None, domain_problem(exc, _lang(request))


# --- overview ------------------------------------------------------------------------------

@routes.get("/registry")
async def registry_page(request: web.Request) -> web.Response:
    """Zones and points of the caller's scope, with links to add, edit and import."""
    p = page_principal(request, "registry.read")
    db = request.app[keys.DB]
    query = request.query.get("q", "").strip()[:200] or None
    text = request.query.get("page", "1")
    page = int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 8 else 1
    found, pager = await points.list_points(db, p, query=query, page=page, per_page=50)
    return await render(request, "registry.html", {
        "zones": await zones.list_zones(db, p), "points": found, "pager": pager,
        "pager_query": f"q={query}&" if query else "", "q": query or "",
        "flash": flash_text(request, _lang(request)),
        "can_edit": p.can("registry.write"), "is_admin": p.role == "admin"})


# --- zones (admin) ---------------------------------------------------------------------------

@routes.get("/zones/new")
async def zone_new(request: web.Request) -> web.Response:
    """The new-zone form."""
    p = page_principal(request, "registry.write")
    _admin(p)
    zs = await zones.list_zones(request.app[keys.DB], p)
    return await _form(request, "zone_form.html", {"zone": None, "zones": zs, "values": {
        "parent_code": request.query.get("parent", ""), "level": "hamlet"}})


@routes.post("/zones/new")
async def zone_create(request: web.Request) -> web.Response:
    """Create a zone."""
    p = page_principal(request, "registry.write")
    _admin(p)
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    values = _text(form, ("parent_code", "level", "code", "name"))
    data = {**values, "parent_code": values["parent_code"] or None}
    model, problems = check(ZoneIn, data, _lang(request))
    if model is not None:
        _, problems = await _save(request, zones.create_zone(db, p, model))
    if problems:
        return await _form(request, "zone_form.html", {
            "zone": None, "zones": await zones.list_zones(db, p), "values": values}, problems, 422)
    raise see_other("/registry", "created")


@routes.get("/zones/{id}/edit")
async def zone_edit(request: web.Request) -> web.Response:
    """The zone form (name; code and parent are fixed)."""
    p = page_principal(request, "registry.write")
    _admin(p)
    zone = await zones.get_zone(request.app[keys.DB], p, path_id(request))
    return await _form(request, "zone_form.html", {"zone": zone, "zones": [],
                                                   "values": zone.model_dump()})


@routes.post("/zones/{id}/edit")
async def zone_update(request: web.Request) -> web.Response:
    """Rename a zone, or delete it when empty (``action=delete``, confirmed)."""
    p = page_principal(request, "registry.write")
    _admin(p)
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    zone = await zones.get_zone(db, p, path_id(request))
    if form.get("action") == "delete":
        if form.get("confirm") != "yes":
            return await render(request, "confirm_delete.html", {
                "what": f"{zone.name} ({zone.code})", "action": f"/zones/{zone.id}/edit",
                "back": f"/zones/{zone.id}/edit", "problem": ""})
        _, problems = await _save(request, zones.delete_zone(db, p, zone.id))
        if problems:
            return await render(request, "confirm_delete.html", {
                "what": f"{zone.name} ({zone.code})", "action": "", "back": "/registry",
                "problem": problems.general}, 409)
        raise see_other("/registry", "deleted")
    if form.get("action") in ("disable", "enable"):
        off = form["action"] == "disable"
        if off and form.get("confirm") != "yes":
            return await render(request, "confirm_zone_off.html", {"zone": zone})
        _, problems = await _save(request, zone_switch.set_zone_disabled(db, p, zone.id, off))
        if problems:
            return await _form(request, "zone_form.html", {"zone": zone, "zones": [],
                                                           "values": zone.model_dump()},
                               problems, 409)
        raise see_other("/registry", "disabled" if off else "enabled")
    values = {**zone.model_dump(), **_text(form, ("name",))}
    model, problems = check(ZonePatch, {"name": values["name"]}, _lang(request))
    if model is not None:
        _, problems = await _save(request, zones.update_zone(db, p, zone.id, model))
    if problems:
        return await _form(request, "zone_form.html", {"zone": zone, "zones": [],
                                                       "values": values}, problems, 422)
    raise see_other("/registry", "saved")


# --- points ------------------------------------------------------------------------------------

async def _point_form(request: web.Request, p: Principal, point: Any, values: dict[str, Any],
                      problems: FormProblems | None = None, status: int = 200) -> web.Response:
    return await _form(request, "point_form.html", {
        "point": point, "zones": await zones.list_zones(request.app[keys.DB], p),
        "values": values}, problems, status)


@routes.get("/points/new")
async def point_new(request: web.Request) -> web.Response:
    """The new-point form."""
    p = page_principal(request, "registry.write")
    return await _point_form(request, p, None, {"zone_code": request.query.get("zone", "")})


@routes.post("/points/new")
async def point_create(request: web.Request) -> web.Response:
    """Create a point in the caller's zone."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    values = _text(form, POINT_FIELDS)
    model, problems = check(PointIn, _data(values), _lang(request))
    created = None
    if model is not None:
        created, problems = await _save(request, points.create_point(request.app[keys.DB], p,
                                                                     model))
    if problems or created is None:
        return await _point_form(request, p, None, values, problems, 422)
    raise see_other(f"/points/{created.id}", "created")


@routes.get("/points/{id:\\d+}/edit")
async def point_edit(request: web.Request) -> web.Response:
    """The point form, filled in."""
    p = page_principal(request, "registry.write")
    point = await points.get_point(request.app[keys.DB], p, path_id(request))
    return await _point_form(request, p, point, point.model_dump())


@routes.post("/points/{id:\\d+}/edit")
async def point_update(request: web.Request) -> web.Response:
    """Save a point."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    point = await points.get_point(db, p, path_id(request))
    values = _text(form, POINT_FIELDS)
    model, problems = check(PointPatch, _data(values), _lang(request))
    if model is not None:
        _, problems = await _save(request, points.update_point(db, p, point.id, model))
    if problems:
        return await _point_form(request, p, point, values, problems, 422)
    raise see_other(f"/points/{point.id}", "saved")


@routes.get("/points/{id:\\d+}/delete")
async def point_delete_ask(request: web.Request) -> web.Response:
    """Ask before deleting a point (and its cameras)."""
    p = page_principal(request, "registry.write")
    point = await points.get_point(request.app[keys.DB], p, path_id(request))
    return await render(request, "confirm_delete.html", {
        "what": point.name, "action": f"/points/{point.id}/delete", "back": f"/points/{point.id}",
        "problem": "", "cameras": point.camera_count})


@routes.post("/points/{id:\\d+}/delete")
async def point_delete(request: web.Request) -> web.Response:
    """Delete a point; refused in words while evidence refers to one of its cameras."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    point = await points.get_point(db, p, path_id(request))
    _, problems = await _save(request, points.delete_point(db, p, point.id))
    if problems:
        return await render(request, "confirm_delete.html", {
            "what": point.name, "action": "", "back": f"/points/{point.id}",
            "problem": problems.general}, 409)
    raise see_other("/registry", "deleted")


# --- cameras -----------------------------------------------------------------------------------

async def _camera_form(request: web.Request, p: Principal, cam: Any, values: dict[str, Any],
                       problems: FormProblems | None = None, status: int = 200,
                       test: Any = None) -> web.Response:
    choice = await _point_choices(request, p, values.get("point_id"))
    return await _form(request, "camera_form.html", {
        "cam": cam, "values": values, "test": test, **choice,
        "flash": flash_text(request, _lang(request))}, problems, status)


POINT_CHOICES = 50  # points offered at once; at province scale the officer searches


async def _point_choices(request: web.Request, p: Principal, selected: Any) -> dict[str, Any]:
    """Points to choose from: the search (``?point_q=``) or the first ones, and the chosen one.

    A province has tens of thousands of points: the form never lists them all; it offers
    :data:`POINT_CHOICES` matches of a search by name or address (in the caller's zone) and
    always keeps the point already chosen.
    """
    db = request.app[keys.DB]
    query = request.query.get("point_q", "").strip()[:100]
    found, pager = await points.list_points(db, p, query=query or None, per_page=POINT_CHOICES)
    chosen = str(selected or "")
    if chosen.isdigit() and all(str(pt.id) != chosen for pt in found):
        try:
            found.insert(0, await points.get_point(db, p, int(chosen)))
        except CamnetError:
            pass  # not in scope or gone: the form says so when posted
    return {"points": found, "point_q": query, "points_total": pager.total}


def _camera_values(cam: Any) -> dict[str, Any]:
    values: dict[str, Any] = cam.model_dump()
    values["rtsp_url"] = split_credentials(cam.rtsp_url)[0]  # the user is its own field
    return values


def _camera_input(form: Any) -> tuple[dict[str, str], dict[str, Any]]:
    values = _text(form, CAMERA_FIELDS)
    values["enabled"] = "on" if form.get("enabled") else ""
    data: dict[str, Any] = {**_data(values), "enabled": bool(values["enabled"])}
    if values["monitor_tier"] in ("1", "2"):
        data["monitor_tier"] = int(values["monitor_tier"])  # a Literal takes no text
    new_password = str(form.get("new_password", ""))
    if form.get("clear_password"):
        data["password"] = ""
    elif new_password:
        data["password"] = new_password
    return values, data


@routes.get("/cameras/new")
async def camera_new(request: web.Request) -> web.Response:
    """The new-camera form."""
    p = page_principal(request, "registry.write")
    return await _camera_form(request, p, None, {
        "point_id": request.query.get("point_id", ""), "retention_days": 7, "monitor_tier": 2,
        "enabled": True})


@routes.post("/cameras/new")
async def camera_create(request: web.Request) -> web.Response:
    """Create a camera (its password is stored encrypted)."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    values, data = _camera_input(form)
    data = {k: v for k, v in data.items() if not (k == "username" and v == "")}
    model, problems = check(CameraIn, data, _lang(request))
    created = None
    if model is not None:
        app = request.app
        created, problems = await _save(
            request, cameras.create_camera(app[keys.DB], p, app[keys.CIPHER], model))
    if problems or created is None:
        return await _camera_form(request, p, None, values, problems, 422)
    raise see_other(f"/cameras/{created.id}", "created")


@routes.get("/cameras/{id:\\d+}/edit")
async def camera_edit(request: web.Request) -> web.Response:
    """The camera form, filled in (password never shown)."""
    p = page_principal(request, "registry.write")
    cam = await cameras.get_camera(request.app[keys.DB], p, path_id(request))
    return await _camera_form(request, p, cam, _camera_values(cam))


@routes.post("/cameras/{id:\\d+}/edit")
async def camera_update(request: web.Request) -> web.Response:
    """Save a camera; an empty "new password" keeps the stored one."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    app = request.app
    cam = await cameras.get_camera(app[keys.DB], p, path_id(request))
    values, data = _camera_input(form)
    model, problems = check(CameraPatch, data, _lang(request))
    if model is not None:
        _, problems = await _save(
            request, cameras.update_camera(app[keys.DB], p, app[keys.CIPHER], cam.id, model))
    if problems:
        return await _camera_form(request, p, cam, {**values, "has_password": cam.has_password},
                                  problems, 422)
    raise see_other(f"/cameras/{cam.id}", "saved")


@routes.post("/cameras/{id:\\d+}/test")
async def camera_test(request: web.Request) -> web.Response:
    """Run one probe (and with ``frame``, one frame grab) now; show the result in words."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    app = request.app
    cam = await cameras.get_camera(app[keys.DB], p, path_id(request))
    found = await check_connection(app[keys.DB], app[keys.CIPHER], p, cam.id,
                                  app[keys.CONFIG].monitor, grab=bool(form.get("frame")))
    return await _camera_form(request, p, cam, _camera_values(cam), test=found)


@routes.get("/cameras/{id:\\d+}/delete")
async def camera_delete_ask(request: web.Request) -> web.Response:
    """Ask before deleting a camera."""
    p = page_principal(request, "registry.write")
    cam = await cameras.get_camera(request.app[keys.DB], p, path_id(request))
    return await render(request, "confirm_delete.html", {
        "what": f"{cam.point_name} / {cam.name}", "action": f"/cameras/{cam.id}/delete",
        "back": f"/cameras/{cam.id}", "problem": ""})


@routes.post("/cameras/{id:\\d+}/delete")
async def camera_delete(request: web.Request) -> web.Response:
    """Delete a camera; refused in words (naming the requests) while evidence refers to it."""
    p = page_principal(request, "registry.write")
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    cam = await cameras.get_camera(db, p, path_id(request))
    _, problems = await _save(request, cameras.delete_camera(db, p, cam.id))
    if problems:
        named = (await requests_naming_camera(db, p, cam.id)) if p.can("incident.read") else []
        return await render(request, "confirm_delete.html", {
            "what": f"{cam.point_name} / {cam.name}", "action": "", "back": f"/cameras/{cam.id}",
            "problem": problems.general, "requests": named,
            "disable_instead": f"/cameras/{cam.id}/edit"}, 409)
    raise see_other(f"/points/{cam.point_id}", "deleted")


# --- import ------------------------------------------------------------------------------------

async def _read_upload(request: web.Request) -> tuple[str, str]:
    """The uploaded file (name, text) and a checked CSRF field, from a multipart form."""
    reader = await open_multipart(request)
    csrf, name, body = "", "", bytearray()
    while (part := await next_part(reader)) is not None:
        if part.name == "csrf":
            csrf = (await part.read(decode=True)).decode("utf-8", "replace")[:200]
        elif part.name == "file":
            name = upload_name(part)
            async for chunk in part_chunks(part):
                body += chunk
                if len(body) > MAX_IMPORT_BYTES:
                    raise InvalidInput("the file is larger than 20 MB", "file")
    await check_csrf(request, {"csrf": csrf})
    if not body:
        raise InvalidInput("choose a CSV or GeoJSON file", "file")
    try:
        return name, bytes(body).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", "file") from exc


@routes.get("/registry/import")
async def import_page(request: web.Request) -> web.Response:
    """The upload form."""
    page_principal(request, "registry.write")
    return await render(request, "import.html", {"errors": [], "problem": "", "report": None,
                                                 "flash": flash_text(request, _lang(request))})


@routes.post("/registry/import")
async def import_post(request: web.Request) -> web.Response:
    """Import a CSV or GeoJSON file: all or nothing, every problem listed with its line."""
    p = page_principal(request, "registry.write")
    app = request.app
    try:
        name, text = await _read_upload(request)
        geojson = name.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{")
        rows = read_geojson_rows(text) if geojson else read_csv_rows(text)
        report = await importer.import_rows(app[keys.DB], p, app[keys.CIPHER], rows, source=name)
    except ImportFailed as exc:
        lang = _lang(request)
        errors = [{"where": e.where, "field": e.field, "message": message_words(e.message, lang)}
                  for e in exc.errors]
        return await render(request, "import.html", {
            "errors": errors, "problem": "", "report": None, "flash": ""}, 422)
    except CamnetError as exc:
        if isinstance(exc, Forbidden):
            raise
        return await render(request, "import.html", {
            "errors": [], "problem": domain_problem(exc, _lang(request)).general,
            "report": None, "flash": ""}, exc.status)
    return await render(request, "import.html", {
        "errors": [], "problem": "", "report": report,
        "flash": translate("flash_imported", _lang(request))})
