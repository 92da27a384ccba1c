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
from camnet.timeutil import format_local


@main.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--zone", "zone_code", required=True, help="Zone code the user is bound to.")
@click.option("--full-name", default="", help="Shown instead of the login name.")
@click.option("--title", default="", help='Job title, e.g. "Trung úy, cán bộ Công an xã".')
@click.option("--password-env", metavar="VAR",
              help="Read the password from this environment variable instead of a prompt.")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, zone_code: str, full_name: str,
             title: str, password_env: str | None) -> None:
    """Add a user bound to a zone."""
    config = load(ctx)
    password = _read_password(password_env)

    async def work(database: Database, cipher: CredentialCipher) -> int:
        return await users.add_user(database, cli_principal(), username=username, password=password,
                                    role=role, zone_code=zone_code, full_name=full_name,
                                    title=title)

    click.echo(f"user {username} added (id {run_with_db(config, work)})")


def _read_password(password_env: str | None) -> str:
    """A password from an environment variable, a prompt (twice), or one line of stdin."""
    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"environment variable {password_env} is empty")
        return password
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise click.ClickException("passwords differ")
        return password
    return sys.stdin.readline().rstrip("\n")


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List users."""
    config = load(ctx)
    rows = run_with_db(config, lambda database, _: users.list_users(database, cli_principal()))
    click.echo(f"{'username':<20} {'role':<13} {'zone':<20} {'state':<9} name")
    for row in rows:
        state = "disabled" if row.disabled else "active"
        name = users.display_name("", row.full_name, row.title)
        click.echo(f"{row.username:<20} {row.role:<13} {row.zone_code:<20} {state:<9} {name}")


@user.command("set-name")
@click.argument("username")
@click.option("--full-name", required=True, help="Shown instead of the login name.")
@click.option("--title", default="", help='Job title, e.g. "Trung úy, cán bộ Công an xã".')
@click.pass_context
def user_set_name(ctx: click.Context, username: str, full_name: str, title: str) -> None:
    """Set the full name and job title people see (history, approvals, printed forms)."""
    config = load(ctx)
    run_with_db(config, lambda database, _: users.set_profile(
        database, cli_principal(), username, full_name=full_name, title=title))
    click.echo(f"user {username}: {users.display_name(username, full_name.strip(), title.strip())}")


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Disable a user: their sessions and tokens stop working."""
    config = load(ctx)
    run_with_db(config, lambda database, _: users.set_disabled(database, cli_principal(), username))
    click.echo(f"user {username} disabled")


@user.command("enable")
@click.argument("username")
@click.pass_context
def user_enable(ctx: click.Context, username: str) -> None:
    """Re-enable a disabled user."""
    config = load(ctx)
    run_with_db(config, lambda database, _: users.set_disabled(database, cli_principal(), username,
                                                               disabled=False))
    click.echo(f"user {username} enabled")


@user.command("set-role")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--zone", "zone_code", default=None, help="Move the user to this zone.")
@click.pass_context
def user_set_role(ctx: click.Context, username: str, role: str | None, zone_code: str | None) -> None:
    """Change a user's role and/or zone; their sessions end."""
    if role is None and zone_code is None:
        raise click.UsageError("give --role, --zone or both")
    config = load(ctx)
    run_with_db(config, lambda database, _: users.set_role(database, cli_principal(), username,
                                                           role=role, zone_code=zone_code))
    click.echo(f"user {username} changed; their sessions ended")


@user.command("reset-password")
@click.argument("username")
@click.option("--password-env", metavar="VAR",
              help="Read the new password from this environment variable instead of a prompt.")
@click.pass_context
def user_reset_password(ctx: click.Context, username: str, password_env: str | None) -> None:
    """Set a new password; every session of the user ends."""
    config = load(ctx)
    password = _read_password(password_env)
    run_with_db(config, lambda database, _: users.set_password(database, cli_principal(), username,
                                                               password))
    click.echo(f"password of {username} changed; their sessions ended")


@user.command("unlock")
@click.argument("username")
@click.pass_context
def user_unlock(ctx: click.Context, username: str) -> None:
    """Lift login lockouts of a user name (after too many wrong passwords)."""
    from camnet.accounts import logins

    config = load(ctx)

    async def work(database: Database, cipher: CredentialCipher) -> int:
        async with database.transaction() as tx:
            return await logins.unlock(tx, username)

    click.echo(f"{run_with_db(config, work)} lockout(s) of {username} lifted")


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="script", help="What the token is for.")
@click.option("--expires-days", type=float, default=None, help="Stop working after this many days.")
@click.pass_context
def token_create(ctx: click.Context, username: str, name: str, expires_days: float | None) -> None:
    """Create an API token for USERNAME; it is printed once and stored only hashed."""
    config = load(ctx)
    value = run_with_db(
        config, lambda database, _: users.create_token(database, cli_principal(), username, name,
                                                       expires_days)
    )
    click.echo(value)
    click.echo("store it now: it cannot be shown again. Send it as 'Authorization: Bearer …'",
               err=True)


@token.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@click.pass_context
def token_list(ctx: click.Context, username: str | None) -> None:
    """List API tokens: first characters, owner, last use, expiry, state."""
    config = load(ctx)
    found = run_with_db(config, lambda database, _: users.list_tokens(database, cli_principal(),
                                                                      username))
    click.echo(f"{'id':>4}  {'prefix':<11} {'user':<16} {'name':<16} {'last used':<17} "
               f"{'expires':<17} state")
    for t in found:
        state = "revoked" if t.revoked else "active"
        click.echo(f"{t.id:>4}  {t.prefix:<11} {t.username:<16} {t.name[:16]:<16} "
                   f"{format_local(t.last_used_at) or '-':<17} {format_local(t.expires_at) or '-':<17} "
                   f"{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token by its id (see ``camnet token list``); it stops working at once."""
    config = load(ctx)
    run_with_db(config, lambda database, _: users.revoke_token(database, cli_principal(), token_id))
    click.echo(f"token {token_id} revoked")
