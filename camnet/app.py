"""The application factory: builds everything from a Config; nothing happens at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from importlib import resources

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from camnet.auth.principal import Principal
from camnet.auth.throttle import ThrottlePolicy
from camnet.config import Config
from camnet.evidence.blobstore import BlobStore
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.timeutil import set_display_timezone
from camnet.web import (
    api_accounts,
    api_alerts,
    api_board,
    api_coverage,
    api_evidence,
    api_maintenance,
    api_monitor,
    api_public,
    api_registry,
    api_system,
    keys,
    lifecycle,
    ui_alerts,
    ui_audit,
    ui_auth,
    ui_board,
    ui_cameras,
    ui_evidence,
    ui_home,
    ui_hosts,
    ui_hosts_review,
    ui_maintenance,
    ui_map,
    ui_public,
    ui_registry,
    ui_users,
)
from camnet.web.alerts_ctx import alerts_ctx
from camnet.web.middleware import errors, identify, same_origin, security_headers
from camnet.web.openapi import build_openapi
from camnet.web.routing import ApiRoute, RouteTable, json_response

log = logging.getLogger(__name__)
CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


docs_routes = RouteTable()


def api_route_tables() -> list[RouteTable]:
    """Every API route table, in registration order."""
    return [api_system.routes, api_accounts.routes, api_registry.routes, api_monitor.routes,
            api_maintenance.routes, api_evidence.routes, api_alerts.routes, api_coverage.routes,
            api_board.routes, api_public.routes, docs_routes]


def all_api_routes() -> list[ApiRoute]:
    """Every API route (used by the OpenAPI document and its test)."""
    return [r for table in api_route_tables() for r in table.routes]


@docs_routes.add("GET", "/api/v1/openapi.json", permission=None, summary="This document",
                 tag="system")
async def openapi_json(request: web.Request, p: Principal | None) -> web.Response:
    """Serve the OpenAPI document."""
    return json_response(build_openapi(all_api_routes()))


def create_app(config: Config, extra_cleanup: list[CleanupCtx] | None = None) -> web.Application:
    """Build the aiohttp application for ``config``.

    Long-lived resources (database, executor, monitor) open in ``cleanup_ctx`` when the app
    starts and close when it stops.
    """
    set_display_timezone(config.ui.timezone)
    secrets = load_secrets(config.data_dir)
    app = web.Application(
        middlewares=[security_headers, errors],
        client_max_size=config.server.max_body_bytes,
    )
    app[keys.CONFIG] = config
    app[keys.SECRETS] = secrets
    app[keys.CIPHER] = CredentialCipher(secrets.credentials_key)
    app[keys.THROTTLE] = ThrottlePolicy(
        max_failures=config.security.login_max_failures,
        window_s=config.security.login_window_s,
        lockout_s=config.security.login_lockout_s,
        max_lockout_s=config.security.login_max_lockout_s,
        address_ceiling=config.security.login_address_ceiling,
    )
    app[keys.EXTRA] = {}
    app[keys.BLOBS] = BlobStore(config.data_dir / "evidence", config.evidence.upload_max_bytes)
    app[keys.HOST_BLOBS] = BlobStore(config.data_dir / "evidence", config.hosts.upload_max_bytes)
    secure = config.security.secure_cookies == "always" or (
        config.security.secure_cookies == "auto" and bool(config.server.tls_cert)
    )
    setup_session(
        app,
        EncryptedCookieStorage(
            Fernet(secrets.session_key),
            cookie_name="CAMNET_SESSION",
            max_age=config.security.session_max_age_s,
            httponly=True,
            samesite="Strict",
            secure=secure,
        ),
    )
    app.middlewares.append(identify)
    app.middlewares.append(same_origin)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("camnet.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    app.cleanup_ctx.append(lifecycle.database_ctx)
    app.cleanup_ctx.append(lifecycle.executor_ctx)
    for ctx in extra_cleanup or []:  # before the monitor, which may probe what they start
        app.cleanup_ctx.append(ctx)
    app.cleanup_ctx.append(lifecycle.monitor_ctx)
    app.cleanup_ctx.append(lifecycle.rollup_ctx)
    app.cleanup_ctx.append(alerts_ctx)  # after the monitor: hooks its transitions
    for table in api_route_tables():
        table.install(app)
    app.router.add_routes(ui_auth.routes)
    app.router.add_routes(ui_board.routes)
    app.router.add_routes(ui_evidence.routes)
    app.router.add_routes(ui_alerts.routes)
    app.router.add_routes(ui_map.routes)
    app.router.add_routes(ui_hosts.routes)
    app.router.add_routes(ui_hosts_review.routes)
    for pages in (ui_registry, ui_cameras, ui_maintenance):  # uireg: /new before /{id}
        app.router.add_routes(pages.routes)
    ui_public.setup(app)
    app.router.add_routes(ui_users.routes)
    app.router.add_routes(ui_audit.routes)
    app.router.add_routes(ui_home.routes)
    app.router.add_static("/static", str(resources.files("camnet.web") / "static"))
    return app
