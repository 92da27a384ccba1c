"""The ``camnet`` command line: the same functions the web app uses."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from camnet.app import create_app, open_database
from camnet.audit import record_personal_read
from camnet.auth import users
from camnet.auth.principal import ROLES, cli_principal
from camnet.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from camnet.db import Database
from camnet.errors import CamnetError
from camnet.logsetup import setup_logging
from camnet.registry import transfer
from camnet.registry.zones import get_zone_row
from camnet.sample import load_sample
from camnet.secretstore import CredentialCipher, load_secrets

T = TypeVar("T")
CONFIG_ENV = "CAMNET_CONFIG"


def _config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def _load(ctx: click.Context) -> Config:
    try:
        config = load_config(_config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_logging(config.logging.level)
    return config


def run_with_db(config: Config, work: Callable[[Database, CredentialCipher], Awaitable[T]]) -> T:
    """Open the database (migrating it), run ``work`` and close; user errors exit 1."""

    async def main() -> T:
        db = await open_database(config)
        try:
            cipher = CredentialCipher(load_secrets(config.data_dir).credentials_key)
            return await work(db, cipher)
        finally:
            await db.close()

    try:
        return asyncio.run(main())
    except transfer.ImportFailed as exc:
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        raise click.ClickException(exc.message) from exc
    except CamnetError as exc:
        where = f" [{exc.field}]" if exc.field else ""
        raise click.ClickException(f"{exc.message}{where}") from exc


@click.group()
@click.option("--config", "config_path", metavar="PATH",
              help=f"Config file (default: ${CONFIG_ENV} or {DEFAULT_CONFIG_PATH}).")
@click.version_option(package_name="camnet")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """camnet: registry and liveness monitor for community security cameras."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


@main.command()
@click.option("--host", help="Override server.host.")
@click.option("--port", type=int, help="Override server.port.")
@click.option("--sample", is_flag=True, help="Load the fictional Phú Mỹ sample data if absent.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, sample: bool) -> None:
    """Run the web service (API, pages, monitor)."""
    from aiohttp import web

    config = _load(ctx)
    overrides: dict[str, Any] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    if overrides:
        config = config.model_copy(update={"server": config.server.model_copy(update=overrides)})
    if sample:
        loaded = run_with_db(config, load_sample)
        if loaded.loaded:
            click.echo(f"loaded SAMPLE data: {loaded.points} points, {loaded.cameras} cameras; "
                       "demo login admin / camnet-demo")
    app = create_app(config)
    ssl_context = None
    if config.server.tls_cert:
        import ssl

        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(config.server.tls_cert, config.server.tls_key or None)
    scheme = "https" if ssl_context else "http"
    click.echo(f"camnet listening on {scheme}://{config.server.host}:{config.server.port}/")
    web.run_app(app, host=config.server.host, port=config.server.port, ssl_context=ssl_context,
                print=None)


@main.command("check-config")
@click.argument("path", required=False)
@click.pass_context
def check_config(ctx: click.Context, path: str | None) -> None:
    """Validate a config file and print the effective settings (secrets masked)."""
    try:
        config = load_config(Path(path) if path else _config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    data = config.model_dump(mode="json")
    data["notify"]["webhook_url"] = _mask_webhook(data["notify"]["webhook_url"])
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    click.echo("secrets: credentials key and session key come from $CAMNET_CREDENTIALS_KEY / "
               f"$CAMNET_SESSION_KEY or files in {config.data_dir} (not shown)", err=True)
    click.echo("config OK", err=True)


def _mask_webhook(url: str) -> str:
    from urllib.parse import urlsplit

    if not url:
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/***"


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("migrate")
@click.pass_context
def db_migrate(ctx: click.Context) -> None:
    """Apply pending migrations (a backup is taken first)."""
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await database.schema_version()

    version = run_with_db(config, work)
    click.echo(f"database {config.database_path} at schema version {version}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_backup(ctx: click.Context, path: Path) -> None:
    """Copy the live database to PATH with SQLite's online backup API."""
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Path:
        try:
            return await database.backup(path)
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from exc

    click.echo(f"backup written to {run_with_db(config, work)}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "geojson"]), default="auto")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str) -> None:
    """Import points and cameras from CSV or GeoJSON (all or nothing)."""
    config = _load(ctx)
    if fmt == "auto":
        fmt = "geojson" if file.suffix.lower() in (".geojson", ".json") else "csv"
    text = file.read_text("utf-8")

    def progress(line: str) -> None:
        click.echo(f"  … {line}", err=True)

    async def work(database: Database, cipher: CredentialCipher) -> transfer.ImportReport:
        reader = transfer.read_geojson_rows if fmt == "geojson" else transfer.read_csv_rows
        return await transfer.import_rows(
            database, cli_principal(), cipher, reader(text), source=file.name, progress=progress
        )

    report = run_with_db(config, work)
    click.echo(
        f"imported {report.rows} rows: points {report.points_created} new, "
        f"{report.points_updated} updated; cameras {report.cameras_created} new, "
        f"{report.cameras_updated} updated"
    )


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv")
@click.option("--zone", "zone_code", help="Only this zone and its sub-zones.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to a file instead of standard output.")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, zone_code: str | None, output: Path | None) -> None:
    """Export points and cameras (passwords are never exported)."""
    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> str:
        actor = cli_principal()
        path = None
        if zone_code:
            path = (await get_zone_row(database, actor, code=zone_code, field="zone"))["path"]
        rows = await transfer.export_rows(database, actor, path)
        shown = sum(1 for r in rows if r["host_name"] or r["host_phone"])
        await record_personal_read(database, actor, "camera_point", [],
                                         {"export": fmt, "zone": zone_code or "*", "rows": shown})
        if fmt == "csv":
            return transfer.to_csv(rows)
        return json.dumps(transfer.to_geojson(rows), ensure_ascii=False, indent=1) + "\n"

    text = run_with_db(config, work)
    if output:
        output.write_text(text, "utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--zone", "zone_code", required=True, help="Zone code the user is bound to.")
@click.option("--full-name", default="")
@click.option("--password-env", metavar="VAR",
              help="Read the password from this environment variable instead of a prompt.")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, zone_code: str, full_name: str,
             password_env: str | None) -> None:
    """Add a user bound to a zone."""
    config = _load(ctx)
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"environment variable {password_env} is empty")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise click.ClickException("passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await users.add_user(database, cli_principal(), username=username, password=password,
                                    role=role, zone_code=zone_code, full_name=full_name)

    click.echo(f"user {username} added (id {run_with_db(config, work)})")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users."""
    config = _load(ctx)
    rows = run_with_db(config, lambda database, _: users.list_users(database, cli_principal()))
    click.echo(f"{'username':<20} {'role':<13} {'zone':<20} state")
    for row in rows:
        state = "disabled" if row.disabled else "active"
        click.echo(f"{row.username:<20} {row.role:<13} {row.zone_code:<20} {state}")


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Disable a user: their sessions and tokens stop working."""
    config = _load(ctx)
    run_with_db(config, lambda database, _: users.set_disabled(database, cli_principal(), username))
    click.echo(f"user {username} disabled")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="script", help="What the token is for.")
@click.pass_context
def token_create(ctx: click.Context, username: str, name: str) -> None:
    """Create an API token for USERNAME; it is printed once and stored only hashed."""
    config = _load(ctx)
    value = run_with_db(
        config, lambda database, _: users.create_token(database, cli_principal(), username, name)
    )
    click.echo(value)
    click.echo("store it now: it cannot be shown again. Send it as 'Authorization: Bearer …'",
               err=True)


@main.group()
def sample() -> None:
    """Sample data."""


@sample.command("load")
@click.pass_context
def sample_load(ctx: click.Context) -> None:
    """Load the fictional Phú Mỹ commune (24 points, 28 cameras) if it is not there."""
    config = _load(ctx)
    loaded = run_with_db(config, load_sample)
    if loaded.loaded:
        click.echo(f"loaded SAMPLE data: {loaded.zones} zones, {loaded.points} points, "
                   f"{loaded.cameras} cameras, {loaded.users} users (password camnet-demo)")
    else:
        click.echo("sample data already present")


@main.command()
@click.option("--camera", "camera_id", type=int, help="Only this camera.")
@click.option("--zone", "zone_code", help="Only cameras in this zone and below.")
@click.option("--no-frames", is_flag=True, help="Tier 1 only: skip the OpenCV frame check.")
@click.pass_context
def probe(ctx: click.Context, camera_id: int | None, zone_code: str | None, no_frames: bool) -> None:
    """Run one probe cycle now and print a table (records results like the service)."""
    from concurrent.futures import ThreadPoolExecutor

    from camnet.monitor.service import MonitorService

    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> Any:
        actor = cli_principal()
        path = "/"
        if zone_code:
            path = (await get_zone_row(database, actor, code=zone_code, field="zone"))["path"]
        with ThreadPoolExecutor(config.monitor.tier2_workers) as pool:
            service = MonitorService(database, cipher, config.monitor, pool)
            report = await service.run_cycle(
                camera_ids=[camera_id] if camera_id is not None else None, zone_path=path,
                spread_s=0, force_tier2=not no_frames, tier2=not no_frames,
            )
        names = {
            r["id"]: (r["point"], r["name"])
            for r in await database.fetchall(
                "SELECT c.id, c.name, p.name AS point FROM camera c"
                " JOIN camera_point p ON p.id = c.point_id")
        }
        return report, names

    report, names = run_with_db(config, work)
    if camera_id is not None and report.cameras == 0:
        raise click.ClickException(f"camera {camera_id} does not exist or is disabled")
    click.echo(f"{'id':>4}  {'point / camera':<44} {'result':<15} {'ms':>7}  {'picture':<9} status")
    for o in sorted(report.outcomes, key=lambda o: o.target.camera_id):
        point, name = names.get(o.target.camera_id, ("?", "?"))
        label = f"{point} / {name}"[:44]
        picture = o.frame.health if o.frame else "-"
        latency = f"{o.result.latency_ms:.0f}" if o.result.latency_ms is not None else "-"
        status = o.state.status if o.state else "?"
        click.echo(f"{o.target.camera_id:>4}  {label:<44} {o.result.status!s:<15} {latency:>7}  "
                   f"{picture:<9} {status}")
    click.echo(f"{report.completed}/{report.cameras} cameras in {report.duration_ms / 1000:.1f} s, "
               f"{report.grabbed} frames, {len(report.transitions)} status changes")


@main.group()
def report() -> None:
    """Reports."""


@report.command("uptime")
@click.option("--zone", "zone_code", help="Zone code (default: everything).")
@click.option("--period", type=click.Choice(["24h", "7d", "30d"]), default=None,
              help="Window ending now (default 24h) when --from is not given.")
@click.option("--from", "start", help="ISO-8601 start; local Asia/Ho_Chi_Minh if no offset.")
@click.option("--to", "end", help="ISO-8601 end (default now).")
@click.option("--group", type=click.Choice(["camera", "point", "zone"]), default="camera")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def report_uptime(ctx: click.Context, zone_code: str | None, period: str | None,
                  start: str | None, end: str | None, group: str, fmt: str) -> None:
    """Uptime per camera, point or zone, from outages (maintenance excluded)."""
    import csv

    from camnet.monitor.uptime import compute_uptime, resolve_window
    from camnet.web.api_monitor import uptime_body

    config = _load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> dict[str, Any]:
        window = resolve_window(period, start, end)
        rows = await compute_uptime(database, cli_principal(), start=window[0], end=window[1],
                                    zone_code=zone_code, group=group)  # type: ignore[arg-type]
        return uptime_body(rows, window[0], window[1], group)

    body = run_with_db(config, work)
    if fmt == "json":
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
        return
    items = body["items"]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(items[0]) if items else ["key"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
        return
    from camnet.timeutil import format_local

    click.echo(f"uptime {format_local(body['window_from'])} → {format_local(body['window_to'])}"
               " (Asia/Ho_Chi_Minh)")
    click.echo(f"{'':<50} {'uptime %':>9} {'down':>9} {'outages':>8}")
    for item in items:
        pct = "-" if item["uptime_pct"] is None else f"{item['uptime_pct']:.2f}"
        click.echo(f"{item['label'][:50]:<50} {pct:>9} {_duration(item['down_s']):>9} "
                   f"{item['outages']:>8}")
    overall = "-" if body["overall_pct"] is None else f"{body['overall_pct']:.2f}"
    click.echo(f"{'overall':<50} {overall:>9}")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


@main.command()
@click.option("--port", type=int, default=None, help="Web port (default server.port).")
@click.option("--fresh", is_flag=True, help="Start from an empty demo database.")
@click.pass_context
def demo(ctx: click.Context, port: int | None, fresh: bool) -> None:
    """Simulated Phú Mỹ fleet + the service with a fast cycle. Ctrl-C stops everything."""
    from aiohttp import web

    from camnet.config import _merge
    from camnet.demo import DEMO_OVERRIDES, demo_plan, simulator_ctx

    base = _load(ctx)
    raw = _merge(base.model_dump(), DEMO_OVERRIDES)
    if port:
        raw["server"]["port"] = port
    config = Config.model_validate(raw)
    if fresh and config.database_path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{config.database_path}{suffix}").unlink(missing_ok=True)
    run_with_db(config, load_sample)
    app = create_app(config, extra_cleanup=[simulator_ctx(demo_plan())])
    url = f"http://{config.server.host}:{config.server.port}/"
    click.echo(f"camnet demo: {url}  login admin / camnet-demo (SAMPLE data, simulated cameras)")
    click.echo(f"a probe cycle every {config.monitor.interval_s:.0f} s; Ctrl-C stops the service "
               "and the simulator")
    web.run_app(app, host=config.server.host, port=config.server.port, print=None)


@main.group()
def requests() -> None:
    """Footage-extraction requests."""


@requests.command("at-risk")
@click.option("--hours", type=float, default=None,
              help="Warn window (default evidence.at_risk_hours).")
@click.pass_context
def requests_at_risk(ctx: click.Context, hours: float | None) -> None:
    """Open requests whose footage a recorder overwrites soon; exit 3 if there are any."""
    from camnet.evidence.requests import at_risk
    from camnet.timeutil import format_local

    config = _load(ctx)
    limit = hours if hours is not None else config.evidence.at_risk_hours
    found = run_with_db(config, lambda database, _: at_risk(database, cli_principal(), limit))
    if not found:
        click.echo(f"no open request is overwritten within {limit:g} h")
        return
    for req in found:
        click.echo(f"request {req.id} ({req.case_no}, {req.status}):")
        for cam in req.cameras:
            if cam.at_risk:
                click.echo(f"  {cam.point} / {cam.camera}: overwritten {format_local(cam.overwrite_deadline)}"
                           f" (in {cam.hours_left:.1f} h)")
    ctx.exit(3)


@main.group()
def evidence() -> None:
    """Evidence items and their chain of custody."""


def _print_verification(name: str, result: dict[str, Any]) -> None:
    if result["ok"]:
        click.echo(f"{name}: OK, {result['rows_checked']} rows verified")
        return
    raise click.ClickException(
        f"{name}: BROKEN at row {result['first_bad_id']} ({result['reason']}); "
        f"{result['rows_checked']} rows checked")


@evidence.command("verify")
@click.argument("request_id", type=int, required=False)
@click.pass_context
def evidence_verify(ctx: click.Context, request_id: int | None) -> None:
    """Recompute the custody chain and re-hash stored files (all, or REQUEST's)."""
    from camnet.evidence.blobstore import BlobCorrupted, BlobStore
    from camnet.evidence.items import custody_log, list_items
    from camnet.evidence.verify import verify_custody

    config = _load(ctx)
    store = BlobStore(config.data_dir / "evidence", config.evidence.upload_max_bytes)
    bad_files = 0

    async def work(database: Database, _: CredentialCipher) -> dict[str, Any]:
        nonlocal bad_files
        result = await verify_custody(config)
        if request_id is None:  # re-hash every stored file, with a progress bar
            bad_files += await asyncio.to_thread(_rehash_all_files, config, store)
            return result
        found = await list_items(database, cli_principal(), request_id)
        log = await custody_log(database, cli_principal(), [i.id for i in found])
        bad = result["first_bad_id"]
        for item in found:
            events = [e for e in log if e["item_id"] == item.id]
            broken = bad is not None and any(e["id"] >= bad for e in events)
            state = "held elsewhere (hash only)"
            if item.stored:
                try:
                    await store.open_verified(item.sha256)
                    state = "file OK"
                except (BlobCorrupted, FileNotFoundError) as exc:
                    state = f"FILE DOES NOT MATCH ({exc})"
                    bad_files += 1
            click.echo(f"item {item.id} {item.filename} sha256={item.sha256} {state}; "
                       f"{len(events)} custody events{' (AFFECTED)' if broken else ''}")
        return result

    _print_verification("custody chain", run_with_db(config, work))
    if bad_files:
        raise click.ClickException(f"{bad_files} stored file(s) no longer match their hash")


def _rehash_all_files(config: Config, store: Any) -> int:
    from camnet.evidence.filecheck import check_all, stored_items

    total = sum(size for _sha, size, _ids in stored_items(config.database_path))
    with click.progressbar(length=total, label="re-hashing stored files",
                           file=sys.stderr) as bar:
        found = check_all(config.database_path, store, bar.update)
    for message in found.bad:
        click.echo(message, err=True)
    click.echo(f"stored files: {found.files} re-hashed, {len(found.bad)} bad")
    return len(found.bad)


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first bad row."""
    from camnet.evidence.verify import verify_audit

    config = _load(ctx)
    _print_verification("audit log", run_with_db(config, lambda _db, _c: verify_audit(config)))


from camnet.evidence_cli import register as _reg_evidence  # noqa: E402

_reg_evidence(main)
