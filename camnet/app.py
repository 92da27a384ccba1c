"""The application factory: builds everything from a Config; nothing happens at import."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from camnet import keys
from camnet.auth.principal import Principal
from camnet.auth.throttle import LoginThrottle
from camnet.config import Config
from camnet.db import Database
from camnet.evidence import startup as evidence_startup
from camnet.evidence.blobstore import BlobStore
from camnet.monitor.scheduler import monitor_ctx
from camnet.secretstore import CredentialCipher, load_secrets
from camnet.web import (
    api_evidence,
    api_monitor,
    api_registry,
    api_system,
    ui_auth,
    ui_board,
    ui_evidence,
)
from camnet.web.middleware import errors, identify
from camnet.web.openapi import build_openapi
from camnet.web.routing import ApiRoute, RouteTable, json_response

log = logging.getLogger(__name__)
CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


docs_routes = RouteTable()


def api_route_tables() -> list[RouteTable]:
    """Every API route table, in registration order."""
    return [api_system.routes, api_registry.routes, api_monitor.routes, api_evidence.routes,
            docs_routes]


def all_api_routes() -> list[ApiRoute]:
    """Every API route (used by the OpenAPI document and its test)."""
    return [r for table in api_route_tables() for r in table.routes]


@docs_routes.add("GET", "/api/v1/openapi.json", permission=None, summary="This document",
                 tag="system")
async def openapi_json(request: web.Request, p: Principal | None) -> web.Response:
    """Serve the OpenAPI document."""
    return json_response(build_openapi(all_api_routes()))


async def open_database(config: Config) -> Database:
    """Open the configured database and bring its schema up to date (with a backup)."""
    db = await Database.open(config.database_path, busy_timeout_ms=config.storage.busy_timeout_ms)
    backup_dir = config.data_dir / "backups" if config.storage.backup_before_migrate else None
    try:
        applied = await db.migrate(backup_dir)
    except BaseException:
        await db.close()
        raise
    for migration in applied:
        log.info("database at schema %04d_%s", migration.version, migration.name)
    return db


def create_app(config: Config, extra_cleanup: list[CleanupCtx] | None = None) -> web.Application:
    """Build the aiohttp application for ``config``.

    Long-lived resources (database, executor, monitor) open in ``cleanup_ctx`` when the app
    starts and close when it stops.
    """
    secrets = load_secrets(config.data_dir)
    app = web.Application(
        middlewares=[errors],
        client_max_size=config.server.max_body_bytes,
    )
    app[keys.CONFIG] = config
    app[keys.SECRETS] = secrets
    app[keys.CIPHER] = CredentialCipher(secrets.credentials_key)
    app[keys.THROTTLE] = LoginThrottle(
        max_failures=config.security.login_max_failures,
        window_s=config.security.login_window_s,
        lockout_s=config.security.login_lockout_s,
    )
    app[keys.EXTRA] = {}
    app[keys.BLOBS] = BlobStore(config.data_dir / "evidence", config.evidence.upload_max_bytes)
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
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("camnet.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(_executor_ctx)
    for ctx in extra_cleanup or []:  # before the monitor, which may probe what they start
        app.cleanup_ctx.append(ctx)
    app.cleanup_ctx.append(monitor_ctx)
    for table in api_route_tables():
        table.install(app)
    app.router.add_routes(ui_auth.routes)
    app.router.add_routes(ui_board.routes)
    app.router.add_routes(ui_evidence.routes)
    app.router.add_static("/static", str(resources.files("camnet.web") / "static"))
    return app


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    db = await open_database(app[keys.CONFIG])
    await evidence_startup.on_open(db, app[keys.CONFIG], clean_partials=True)
    app[keys.DB] = db
    anchoring = asyncio.create_task(evidence_startup.run_forever(app[keys.CONFIG]))
    yield
    anchoring.cancel()
    await asyncio.gather(anchoring, return_exceptions=True)
    await db.close()


async def _executor_ctx(app: web.Application) -> AsyncIterator[None]:
    executor = ThreadPoolExecutor(
        max_workers=app[keys.CONFIG].monitor.tier2_workers, thread_name_prefix="camnet-io"
    )
    app[keys.EXECUTOR] = executor
    yield
    executor.shutdown(wait=True, cancel_futures=True)
