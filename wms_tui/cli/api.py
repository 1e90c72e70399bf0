"""`wms api`: serve the HTTP API for ERPs, and manage the clients and keys that may call it.

FastAPI and uvicorn are imported only when the API is served, so `wms --help` stays quick.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import AsJson, fail, handles_errors, open_site
from wms_tui.cli.output import print_json
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import visible

if TYPE_CHECKING:
    from wms_tui.api.clients import ClientBook, Scope
    from wms_tui.api.webhook_worker import WebhookWorker
    from wms_tui.bootstrap import Site

api_app = typer.Typer(help="The HTTP API for ERPs (OpenAPI at /openapi.json): serve it, "
                           "manage its clients and keys.", invoke_without_command=True)
client_app = typer.Typer(help="API clients: add (the key is shown once), list, revoke.",
                         no_args_is_help=True)
api_app.add_typer(client_app, name="client")
webhook_app = typer.Typer(help="Webhooks: subscriptions per client (the secret is shown once), "
                               "dead letters, replay, and the delivery worker.",
                          no_args_is_help=True)
api_app.add_typer(webhook_app, name="webhook")

Delays = Annotated[str | None, typer.Option(
    help="Seconds before each retry, separated by commas (default 10,30,120,600,3600; the "
         "last repeats).", show_default=False)]
Tries = Annotated[int, typer.Option(help="Tries before a delivery goes to the dead letters.",
                                    min=1, max=100)]

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _book() -> ClientBook:
    from wms_tui.api.clients import ClientBook
    from wms_tui.bootstrap import data_dir

    return ClientBook.in_data_dir(data_dir())


@api_app.callback()
@handles_errors
def api(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        help="Address to listen on; anything but loopback needs --listen-public.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8080,
    listen_public: Annotated[bool, typer.Option(
        "--listen-public",
        help="Allow an address other than loopback: the API speaks plain HTTP, so keys and "
             "orders cross the network unencrypted unless a TLS proxy sits in front.")
    ] = False,
    poll: Annotated[float, typer.Option(
        help="Seconds between outbox reads while an event long-poll waits.", min=0.05,
        max=10)] = 0.25,
    webhooks: Annotated[bool, typer.Option(
        help="Deliver webhooks from this process too (`wms api webhook run` does it alone).")
    ] = True,
    delays: Delays = None,
    tries: Tries = 8,
) -> None:
    """Serve the HTTP API (default 127.0.0.1:8080); `wms api client add` makes its keys."""
    if ctx.invoked_subcommand is not None:
        return
    if not is_loopback(host) and not listen_public:
        fail(f"{visible(host)} is not a loopback address: the API is plain HTTP, so keys and "
             "orders would cross the network unencrypted; put a TLS proxy in front and pass "
             "--listen-public to listen there", 2)
    import uvicorn

    from wms_tui.api.app import create_app

    book = _book()
    if not any(c.active for c in book.clients()):
        typer.echo("warning: no API clients yet: add one with `wms api client add NAME "
                   "--scope read`", err=True)
    site = open_site(ctx)
    worker = _worker(site, delays, tries) if webhooks else None
    app = create_app(site, book, poll=poll, webhook_worker=worker)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def _client_user(site: Site, login: str, name: str, scopes: tuple[Scope, ...],
                 given: bool) -> str:
    """The WMS user a client acts as: an existing one named with --user, else API-NAME,
    made here as an inactive user (it cannot sign in on a terminal) with a PIN nobody knows."""
    from wms_tui.api.clients import Scope
    from wms_tui.domain import users
    from wms_tui.domain.user_import import import_users

    login = users.validate_login(login)
    with site.read_factory() as uow:
        found = uow.users.by_login(login)
    if found is not None:
        return login
    if given:
        raise BadInput(f"no user {login}: add it first, or leave --user out")
    # Cancels need a supervisor; admin clients may do all an admin may.
    role = "admin" if Scope.ADMIN in scopes else "supervisor"
    report = import_users(site.uow_factory, [{
        "login": login, "name": f"API client {name}", "role": role, "active": "false",
        "pin": f"{secrets.randbelow(10**8):08d}"}])
    if report.errors:
        raise BadInput(f"cannot add user {login}: {'; '.join(report.errors)}")
    return login


@client_app.command("add")
@handles_errors
def client_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="1-16 lower-case letters, digits or '-'.")],
    scope: Annotated[list[str], typer.Option(
        help="read, orders, masterdata or admin (repeat for several).")],
    user: Annotated[str | None, typer.Option(
        help="The WMS user the client acts as (default: API-NAME, made inactive here).",
        show_default=False)] = None,
    rate: Annotated[float, typer.Option(help="Requests a second.")] = 20.0,
    burst: Annotated[int, typer.Option(help="Requests at once after a quiet spell.")] = 40,
) -> None:
    """Add a client and print its key: it is shown this once and stored only as a hash."""
    from wms_tui.api.clients import check_name, client_login, parse_scopes

    check_name(name)
    scopes = parse_scopes(scope)
    book = _book()
    existing = book.get(name)
    if existing is not None and existing.active:
        raise BadInput(f"client {name} exists: revoke it first to give it a new key")
    login = _client_user(open_site(ctx), user or client_login(name), name, scopes,
                         user is not None)
    client, key = book.add(name, scopes, login, rate=rate, burst=burst)
    typer.echo(f"client {client.name} added ({', '.join(s.value for s in client.scopes)}; "
               f"acts as {client.login}); its key, shown only now:", err=True)
    typer.echo(key)


@client_app.command("list")
@handles_errors
def client_list(as_json: AsJson = False) -> None:
    """The clients, revoked ones too, with their scopes and the start of their key."""
    rows = [{"name": c.name, "scopes": ",".join(s.value for s in c.scopes), "user": c.login,
             "key": f"{c.key_hint}...", "rate": c.rate, "burst": c.burst,
             "created_at": c.created_at, "revoked_at": c.revoked_at}
            for c in _book().clients()]
    if as_json:
        print_json(rows)
    elif not rows:
        typer.echo("no API clients")
    else:
        from wms_tui.cli.output import console, table

        console().print(table("API clients", list(rows[0]), [list(r.values()) for r in rows],
                              numeric={"rate", "burst"}))


@client_app.command("revoke")
@handles_errors
def client_revoke(name: Annotated[str, typer.Argument(help="The client's name.")]) -> None:
    """Revoke a client's key at once (a running `wms api` sees it on its next request)."""
    client = _book().revoke(name)
    typer.echo(f"client {client.name} revoked at {client.revoked_at}")


@client_app.command("map")
@handles_errors
def client_map(
    name: Annotated[str, typer.Argument(help="The client's name.")],
    file: Annotated[Path | None, typer.Argument(
        help="A field mapping, JSON or *.toml (docs/api.md, Field mapping).",
        show_default=False)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Drop the client's mapping.")] = False,
) -> None:
    """Give a client a field mapping from its ERP's field names and codes to ours, applied to
    its order and master-data writes (a running `wms api` sees it on its next request)."""
    from wms_tui.api.mapping import read_file

    if clear == (file is not None):
        raise BadInput("give a mapping FILE, or --clear")
    book = _book()
    if book.get(name) is None:
        raise BadInput(f"no client {name[:20]!r}")
    if file is None:
        book.set_mapping(name, None)
        typer.echo(f"client {name}: mapping dropped")
        return
    stored, mapping = read_file(file)
    book.set_mapping(name, stored)
    kinds = ", ".join(f"{k} ({len(v)})" for k, v in mapping.fields.items() if v) or "none"
    codes = ", ".join(f"{k} ({len(v)})" for k, v in mapping.codes.items()) or "none"
    typer.echo(visible(f"client {name}: fields renamed: {kinds}; codes: {codes}"))


@api_app.command("openapi")
@handles_errors
def api_openapi(out: Annotated[Path | None, typer.Option(
        help="Write the document here (docs/openapi.json in the repository) instead of to "
             "standard output.", show_default=False)] = None) -> None:
    """Print the OpenAPI document the API serves, in the committed form (sorted, stable)."""
    from wms_tui.api.openapi import document, render

    text = render(document())
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def _worker(site: Site, delays: str | None, tries: int) -> WebhookWorker:
    from wms_tui.api.webhook_worker import WebhookWorker
    from wms_tui.domain.webhooks import RetryPolicy

    return WebhookWorker(site.uow_factory, policy=RetryPolicy.parse(delays, tries))


def _client_of(name: str) -> str:
    """An active API client's name, or a refusal naming the fix."""
    found = _book().get(name)
    if found is None or not found.active:
        raise BadInput(f"no active API client {name}: add it with `wms api client add`")
    return found.name


@webhook_app.command("add")
@handles_errors
def webhook_add(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="The API client the webhook belongs to.")],
    url: Annotated[str, typer.Argument(help="Where to POST the events (http or https).")],
    kind: Annotated[list[str] | None, typer.Option(
        help="Only these events: receipt, shipment, pick, adjustment, move, status (repeat; "
             "default: all).", show_default=False)] = None,
    since: Annotated[str, typer.Option(
        help="Start after this event cursor (0: every event in the database; now: only "
             "events from now on).")] = "now",
) -> None:
    """Subscribe a client's URL to the events and print its signing secret, shown only now."""
    from wms_tui.api import subscriptions

    site = open_site(ctx)
    sub, secret = subscriptions.subscribe(site.uow_factory, _client_of(client), url,
                                          kind or (), since)
    kinds = ", ".join(k.value for k in sub.kinds) or "all events"
    typer.echo(f"webhook {sub.id} added for {sub.client} ({kinds}) from cursor "
               f"{sub.cursor}; its signing secret, shown only now:", err=True)
    typer.echo(secret)


@webhook_app.command("list")
@handles_errors
def webhook_list(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option(help="Only this client's webhooks.")] = None,
    as_json: AsJson = False,
) -> None:
    """The webhooks, removed ones too, with their deliveries by state (no secrets)."""
    from wms_tui.api import subscriptions

    rows = [{"id": v.id, "client": v.client, "url": v.url, "kinds": ",".join(v.kinds) or "all",
             "active": v.active, "cursor": v.cursor, "pending": v.pending,
             "delivered": v.delivered, "dead": v.dead, "created_at": v.created_at.isoformat()}
            for v in subscriptions.listing(open_site(ctx).read_factory, client)]
    if as_json:
        print_json(rows)
    elif not rows:
        typer.echo("no webhooks")
    else:
        from wms_tui.cli.output import console, table

        console().print(table("Webhooks", list(rows[0]), [list(r.values()) for r in rows],
                              numeric={"id", "pending", "delivered", "dead"}))


@webhook_app.command("remove")
@handles_errors
def webhook_remove(
    ctx: typer.Context,
    webhook: Annotated[int, typer.Argument(help="The webhook's id (`wms api webhook list`).")],
) -> None:
    """Stop a webhook: nothing more is sent to it; its deliveries stay listed."""
    from wms_tui.api import subscriptions

    sub = subscriptions.unsubscribe(open_site(ctx).uow_factory, webhook)
    typer.echo(f"webhook {sub.id} ({sub.client}, {sub.url}) removed")


@webhook_app.command("dead")
@handles_errors
def webhook_dead(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option(help="Only this client's.")] = None,
    as_json: AsJson = False,
) -> None:
    """Deliveries that failed every try: replay them with `wms api webhook replay`."""
    from wms_tui.api import subscriptions

    rows = [{"id": d.id, "webhook": d.subscription_id, "event_id": d.event_id,
             "event": d.event, "tries": d.tries, "last_error": d.last_error or "",
             "dead_at": d.finished_at.isoformat() if d.finished_at else ""}
            for d in subscriptions.dead_letters(open_site(ctx).read_factory, client)]
    if as_json:
        print_json(rows)
    elif not rows:
        typer.echo("no dead deliveries")
    else:
        from wms_tui.cli.output import console, table

        console().print(table("Dead webhook deliveries", list(rows[0]),
                              [list(r.values()) for r in rows],
                              numeric={"id", "webhook", "tries"}))


@webhook_app.command("replay")
@handles_errors
def webhook_replay(
    ctx: typer.Context,
    delivery: Annotated[list[int] | None, typer.Argument(
        help="Dead delivery ids (`wms api webhook dead`).", show_default=False)] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Every dead delivery.")] = False,
) -> None:
    """Put dead deliveries back in their webhook's queue, their tries counted from zero."""
    from wms_tui.api import subscriptions

    if bool(delivery) == replay_all:
        fail("name dead delivery ids, or pass --all", 2)
    count = subscriptions.replay(open_site(ctx).uow_factory, None if replay_all else delivery)
    typer.echo(f"{count} dead deliveries queued again")


@webhook_app.command("run")
@handles_errors
def webhook_run(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option(
        "--once", help="One pass (queue, send what is due), then stop.")] = False,
    idle: Annotated[float, typer.Option(
        help="Seconds to rest when a pass found nothing to do.", min=0.05, max=60)] = 1.0,
    delays: Delays = None,
    tries: Tries = 8,
) -> None:
    """Deliver webhooks without serving the API (any number of these may run at once)."""
    import threading

    worker = _worker(open_site(ctx), delays, tries)
    if once:
        report = worker.run_once()
        typer.echo(f"queued {report.queued}, delivered {report.delivered}, failed "
                   f"{report.failed} (dead {report.dead})")
        return
    stop = threading.Event()
    try:
        worker.run(stop, idle)
    except KeyboardInterrupt:
        stop.set()
