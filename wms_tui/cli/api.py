"""`wms api`: serve the HTTP API for ERPs, and manage the clients and keys that may call it.

FastAPI and uvicorn are imported only when the API is served, so `wms --help` stays quick.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import AsJson, fail, handles_errors, open_site
from wms_tui.cli.output import print_json
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import visible

if TYPE_CHECKING:
    from wms_tui.api.clients import ClientBook, Scope
    from wms_tui.bootstrap import Site

api_app = typer.Typer(help="The HTTP API for ERPs (OpenAPI at /openapi.json): serve it, "
                           "manage its clients and keys.", invoke_without_command=True)
client_app = typer.Typer(help="API clients: add (the key is shown once), list, revoke.",
                         no_args_is_help=True)
api_app.add_typer(client_app, name="client")

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
    app = create_app(open_site(ctx), book, poll=poll)
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
