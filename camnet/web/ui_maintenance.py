"""Maintenance pages: list, schedule (camera, point or zone; one-off or weekly), edit, cancel.

Thin over :mod:`camnet.monitor.maintenance`, validated with the API's own models
(``WindowIn``, ``WindowPatch``). Times are typed and shown in ``ui.timezone``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from camnet.auth.principal import Principal
from camnet.errors import CamnetError, NotFound
from camnet.monitor import maintenance
from camnet.registry import cameras, points, zones
from camnet.timeutil import to_local
from camnet.web import keys
from camnet.web.api_maintenance import WindowIn, WindowPatch
from camnet.web.csrf import check_csrf
from camnet.web.flash import flash_text, see_other
from camnet.web.form_errors import FormProblems, check, domain_problem
from camnet.web.i18n import language_of
from camnet.web.pages import page_principal, render
from camnet.web.routing import path_id

routes = web.RouteTableDef()
FIELDS = ("target", "target_id", "starts_at", "ends_at", "reason", "repeat_until")


def _lang(request: web.Request) -> str:
    return language_of(request, request.app[keys.CONFIG].ui.language)


def _local_input(value: str | None) -> str:
    """A stored UTC time as a ``datetime-local`` value in the display zone."""
    return to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


async def _target_label(db: Any, p: Principal, target: str, target_id: str) -> str:
    """The name of a window's target, or ``""`` when unknown or out of scope."""
    if not (target_id.isascii() and target_id.isdigit()):
        return ""
    try:
        if target == "camera":
            cam = await cameras.get_camera(db, p, int(target_id))
            return f"{cam.point_name} / {cam.name}"
        if target == "point":
            return (await points.get_point(db, p, int(target_id))).name
        if target == "zone":
            return (await zones.get_zone(db, p, int(target_id))).name
    except NotFound:
        return ""
    return ""


async def _form(request: web.Request, p: Principal, window: Any, values: dict[str, Any],
                problems: FormProblems | None = None, status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    problems = problems or FormProblems()
    return await render(request, "maintenance_form.html", {
        "window": window, "values": values, "zones": await zones.list_zones(db, p),
        "label": await _target_label(db, p, str(values.get("target", "")),
                                     str(values.get("target_id", ""))),
        "problems": problems.fields, "problem": problems.general}, status)


@routes.get("/maintenance")
async def maintenance_page(request: web.Request) -> web.Response:
    """Current and future windows in the caller's zone (``?all=1``: past and cancelled too)."""
    p = page_principal(request, "monitor.read")
    include_past = request.query.get("all") == "1"
    found = await maintenance.list_windows(request.app[keys.DB], p, include_past=include_past)
    return await render(request, "maintenance.html", {
        "windows": found, "all": include_past, "can_maint": p.can("monitor.write"),
        "flash": flash_text(request, _lang(request))})


@routes.get("/maintenance/new")
async def maintenance_new(request: web.Request) -> web.Response:
    """The schedule form, for the camera, point or zone named in the query (else a zone)."""
    p = page_principal(request, "monitor.write")
    return await _form(request, p, None, {
        "target": request.query.get("target", "zone"),
        "target_id": request.query.get("target_id", "")})


@routes.post("/maintenance/new")
async def maintenance_create(request: web.Request) -> web.Response:
    """Schedule a window."""
    p = page_principal(request, "monitor.write")
    form = await request.post()
    await check_csrf(request, form)
    values: dict[str, Any] = {n: str(form.get(n, "")).strip() for n in FIELDS}
    values["weekly"] = bool(form.get("weekly"))
    data = {**values, "repeat_until": values["repeat_until"] or None}
    model, problems = check(WindowIn, data, _lang(request))
    if model is not None:
        try:
            await maintenance.add_window(
                request.app[keys.DB], p, target=model.target, target_id=model.target_id,
                starts_at=model.starts_at, ends_at=model.ends_at, reason=model.reason,
                weekly=model.weekly, repeat_until=model.repeat_until)
        except CamnetError as exc:
            problems = domain_problem(exc, _lang(request))
    if problems:
        return await _form(request, p, None, values, problems, 422)
    back = {"camera": "/cameras/", "point": "/points/"}.get(model.target if model else "")
    raise see_other(f"{back}{values['target_id']}" if back else "/maintenance", "scheduled")


async def _window(request: web.Request, p: Principal) -> maintenance.Window:
    window_id = path_id(request)
    for w in await maintenance.list_windows(request.app[keys.DB], p, include_past=True):
        if w.id == window_id:
            return w
    raise NotFound("maintenance window does not exist or is outside your zone", "id")


def _values_of(w: maintenance.Window) -> dict[str, Any]:
    return {"target": w.target, "target_id": str(w.target_id),
            "starts_at": _local_input(w.starts_at), "ends_at": _local_input(w.ends_at),
            "reason": w.reason, "weekly": w.weekly, "repeat_until": _local_input(w.repeat_until)}


@routes.get("/maintenance/{id:\\d+}/edit")
async def maintenance_edit(request: web.Request) -> web.Response:
    """The edit form of one window (with its cancel button)."""
    p = page_principal(request, "monitor.write")
    w = await _window(request, p)
    return await _form(request, p, w, _values_of(w))


@routes.post("/maintenance/{id:\\d+}/edit")
async def maintenance_update(request: web.Request) -> web.Response:
    """Change a window, or cancel it (``action=cancel``)."""
    p = page_principal(request, "monitor.write")
    form = await request.post()
    await check_csrf(request, form)
    db = request.app[keys.DB]
    w = await _window(request, p)
    lang = _lang(request)
    if form.get("action") == "cancel":
        try:
            await maintenance.cancel_window(db, p, w.id)
        except CamnetError as exc:
            return await _form(request, p, w, _values_of(w), domain_problem(exc, lang), exc.status)
        raise see_other("/maintenance", "cancelled")
    values: dict[str, Any] = {**_values_of(w),
                              **{n: str(form.get(n, "")).strip()
                                 for n in ("starts_at", "ends_at", "reason", "repeat_until")}}
    data = {k: values[k] for k in ("starts_at", "ends_at", "reason")}
    if w.weekly:
        data["repeat_until"] = values["repeat_until"] or None
    model, problems = check(WindowPatch, data, lang)
    if model is not None:
        try:
            await maintenance.update_window(db, p, w.id, starts_at=model.starts_at or None,
                                            ends_at=model.ends_at or None, reason=model.reason,
                                            repeat_until=model.repeat_until)
        except CamnetError as exc:
            problems = domain_problem(exc, lang)
    if problems:
        return await _form(request, p, w, values, problems, 422)
    raise see_other("/maintenance", "saved")
