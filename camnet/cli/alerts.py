"""``camnet alerts …``: test messages, outbox state, subscriptions, secrets, link codes."""

from __future__ import annotations

import asyncio

import aiohttp
import click

from camnet.alerts import delivery, outbox, recipients
from camnet.alerts.channels import EmailChannel, Outgoing, SmtpSettings, ZaloBotChannel
from camnet.alerts.outbox import EVENT_KINDS
from camnet.alerts.secrets import SECRET_NAMES, get_secret, masked_secrets, set_secret
from camnet.auth.principal import cli_principal
from camnet.cli.base import load, main, run_with_db
from camnet.config import Config
from camnet.db import Database
from camnet.errors import InvalidInput, NotFound
from camnet.secretstore import CredentialCipher
from camnet.timeutil import now_iso


def register(main: click.Group) -> None:
    """Add the ``alerts`` command group to the main CLI."""

    @main.group()
    def alerts() -> None:
        """Alerts: Zalo, e-mail and webhook notifications."""

    @alerts.command("test")
    @click.option("--channel", type=click.Choice(["zalo", "email"]), required=True)
    @click.option("--to", "username", required=True, help="username of the recipient")
    @click.pass_context
    def alerts_test(ctx: click.Context, channel: str, username: str) -> None:
        """Send a test message to a user now and print the outcome."""
        config = load(ctx)
        ok, error = run_with_db(config, lambda db, c: _send_test(config, db, c, channel, username))
        if not ok:
            raise click.ClickException(f"not delivered: {error}")
        click.echo(f"test message delivered to {username} by {channel}")

    @alerts.command("outbox")
    @click.pass_context
    def alerts_outbox(ctx: click.Context) -> None:
        """Show the outbox backlog and the latest deliveries."""
        config = load(ctx)

        async def work(db: Database, _c: CredentialCipher) -> None:
            click.echo(f"unrouted events: {await outbox.pending_count(db)}")
            click.echo(f"deliveries: {await delivery.counts(db)}")
            for r in await delivery.delivery_log(db, limit=20):
                click.echo(f"#{r['id']} {r['created_at']} {r['channel']:7} {r['status']:7} "
                           f"tries={r['attempts']} {r['subject']} {r['last_error']}")

        run_with_db(config, work)

    @alerts.command("subscribe")
    @click.option("--zone", "zone_code", required=True)
    @click.option("--user", "username")
    @click.option("--role", type=click.Choice(["viewer", "officer", "investigator", "commander",
                                               "admin"]))
    @click.option("--chat-id", default="", help="a Zalo group chat the bot was added to")
    @click.option("--events", default="", help=f"comma list of: {', '.join(EVENT_KINDS)} (default all)")
    @click.option("--channels", default="zalo", help="comma list of zalo, email, webhook")
    @click.option("--quiet", default="", help="quiet hours HH:MM-HH:MM, local time")
    @click.pass_context
    def alerts_subscribe(ctx: click.Context, zone_code: str, username: str | None,
                         role: str | None, chat_id: str, events: str, channels: str,
                         quiet: str) -> None:
        """Subscribe a user, a role or a group chat to events in a zone."""
        config = load(ctx)
        start, _, end = quiet.partition("-")
        sub_id = run_with_db(config, lambda db, _c: recipients.add_subscription(
            db, cli_principal(), zone_code=zone_code, username=username, role=role,
            chat_id=chat_id, events=[e for e in events.split(",") if e],
            channels=[c for c in channels.split(",") if c], quiet_start=start, quiet_end=end,
            event_kinds=EVENT_KINDS))
        click.echo(f"subscription {sub_id}")

    @alerts.command("subscriptions")
    @click.pass_context
    def alerts_subscriptions(ctx: click.Context) -> None:
        """List subscriptions."""
        config = load(ctx)
        for r in run_with_db(config, lambda db, _c: recipients.list_subscriptions(db, cli_principal())):
            who = r["username"] or (f"role:{r['role']}" if r["role"] else f"chat:{r['chat_id']}")
            quiet = f" quiet {r['quiet_start']}-{r['quiet_end']}" if r["quiet_start"] else ""
            click.echo(f"{r['id']:4} {r['zone']:12} {who:20} {r['channels']:18} {r['events']}{quiet}")

    @alerts.command("unsubscribe")
    @click.argument("sub_id", type=int)
    @click.pass_context
    def alerts_unsubscribe(ctx: click.Context, sub_id: int) -> None:
        """Delete a subscription."""
        config = load(ctx)
        run_with_db(config, lambda db, _c: recipients.delete_subscription(db, cli_principal(), sub_id))
        click.echo(f"subscription {sub_id} deleted")

    @alerts.command("secret")
    @click.argument("name", type=click.Choice(SECRET_NAMES))
    @click.option("--value", prompt=True, hide_input=True, default="", show_default=False,
                  help="empty deletes it")
    @click.pass_context
    def alerts_secret(ctx: click.Context, name: str, value: str) -> None:
        """Store a channel secret (encrypted); it is never shown again."""
        config = load(ctx)

        async def work(db: Database, c: CredentialCipher) -> dict[str, str]:
            await set_secret(db, c, name, value)
            return await masked_secrets(db, c)

        for key, shown in run_with_db(config, work).items():
            click.echo(f"{key}: {shown or '(unset)'}")

    @alerts.command("link-code")
    @click.argument("username")
    @click.pass_context
    def alerts_link_code(ctx: click.Context, username: str) -> None:
        """Make a one-time code the user sends to the Zalo bot to link their chat."""
        config = load(ctx)

        async def work(db: Database, _c: CredentialCipher) -> tuple[str, str]:
            row = await db.fetchone("SELECT id FROM user WHERE username = ?", (username,))
            if row is None:
                raise NotFound(f"user {username!r} not found", "username")
            return await recipients.create_link_code(db, row["id"], config.alerts.link_code_ttl_s)

        code, expires = run_with_db(config, work)
        click.echo(f"code {code} (valid until {expires}, single use)")


async def _send_test(config: Config, db: Database, cipher: CredentialCipher, channel: str,
                     username: str) -> tuple[bool, str]:
    row = await db.fetchone("SELECT id FROM user WHERE username = ?", (username,))
    if row is None:
        raise NotFound(f"user {username!r} not found", "to")
    contact = await recipients.get_contact(db, row["id"])
    stored = await db.fetchone("SELECT zalo_chat_id, email FROM alert_contact WHERE user_id = ?",
                               (row["id"],))
    address = "" if stored is None else stored["zalo_chat_id" if channel == "zalo" else "email"]
    if not address:
        raise InvalidInput(f"user {username!r} has no {channel} address", "to")
    cfg = config.alerts
    text = f"Tin nhắn thử từ camnet ({now_iso()}) / camnet test message"
    msg = Outgoing(f"cli-test:{row['id']}:{now_iso()}", address, "[camnet] Tin nhắn thử", text,
                   f"<p>{text}</p>")
    async with aiohttp.ClientSession() as session:
        if channel == "zalo":
            sender = ZaloBotChannel(session, cfg.zalo_base_url,
                                    await get_secret(db, cipher, "zalo_token"), cfg.http_timeout_s)
            result = await sender.send(msg)
        else:
            smtp = SmtpSettings(cfg.smtp_host, cfg.smtp_port, cfg.smtp_security, cfg.smtp_username,
                                await get_secret(db, cipher, "smtp_password"), cfg.smtp_from,
                                cfg.http_timeout_s)
            result = await asyncio.wait_for(EmailChannel(smtp).send(msg), cfg.http_timeout_s * 3)
    del contact
    return result.ok, result.error


register(main)
