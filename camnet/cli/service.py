"""``camnet serve``, ``camnet demo`` and ``camnet check-config``.

``serve`` and ``demo`` are the only commands that build the web app; they import it when
they run, so the rest of the CLI starts without aiohttp's server, OpenCV or the scheduler.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from camnet.cli.base import config_path, load, main, run_with_db
from camnet.config import Config, ConfigError, load_config, merge
from camnet.sample import load_sample
from camnet.secretstore import mask_endpoint


@main.command()
@click.option("--host", help="Override server.host.")
@click.option("--port", type=int, help="Override server.port.")
@click.option("--sample", is_flag=True, help="Load the fictional Phú Mỹ sample data if absent.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, sample: bool) -> None:
    """Run the web service (API, pages, monitor)."""
    from aiohttp import web

    from camnet.app import create_app
    from camnet.eventloop import new_event_loop

    config = load(ctx)
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
    loop = new_event_loop(prefer_uvloop=config.server.uvloop)
    web.run_app(app, host=config.server.host, port=config.server.port, ssl_context=ssl_context,
                print=None, loop=loop)


@main.command("check-config")
@click.argument("path", required=False)
@click.pass_context
def check_config(ctx: click.Context, path: str | None) -> None:
    """Validate a config file and print the effective settings (secrets masked)."""
    try:
        config = load_config(Path(path) if path else config_path(ctx.obj.get("config_path")))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    data = config.model_dump(mode="json")
    data["notify"]["webhook_url"] = mask_endpoint(data["notify"]["webhook_url"])
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    click.echo("secrets: credentials key and session key come from $CAMNET_CREDENTIALS_KEY / "
               f"$CAMNET_SESSION_KEY or files in {config.data_dir} (not shown)", err=True)
    click.echo("config OK", err=True)


@main.command()
@click.option("--port", type=int, default=None, help="Web port (default server.port).")
@click.option("--fresh", is_flag=True, help="Start from an empty demo database.")
@click.pass_context
def demo(ctx: click.Context, port: int | None, fresh: bool) -> None:
    """Simulated Phú Mỹ fleet + the service with a fast cycle. Ctrl-C stops everything."""
    from aiohttp import web

    from camnet.app import create_app
    from camnet.demo import DEMO_OVERRIDES, demo_plan, simulator_ctx

    base = load(ctx)
    raw = merge(base.model_dump(), DEMO_OVERRIDES)
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


