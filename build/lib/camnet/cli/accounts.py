"""``camnet user …`` and ``camnet token …``: accounts."""

from __future__ import annotations

import getpass
import os
import sys

import click

from camnet.accounts import users
from camnet.auth.principal import ROLES, cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.db import Database
from camnet.secretstore import CredentialCipher


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
    config = load(ctx)
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
    config = load(ctx)
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
    config = load(ctx)
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
    config = load(ctx)
    value = run_with_db(
        config, lambda database, _: users.create_token(database, cli_principal(), username, name)
    )
    click.echo(value)
    click.echo("store it now: it cannot be shown again. Send it as 'Authorization: Bearer …'",
               err=True)


