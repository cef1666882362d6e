"""The ``procurement`` command: run, db, create-org, create-user, audit verify, demo, ...

Areas add their own commands in ``procurement/<area>/commands.py`` with ``register(cli)``.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from procurement import AREAS, _area_module, create_app
from procurement.web.session import get_session, now


def _app_for_cli():
    # Commands that manage the schema must not auto-migrate before they run.
    auto = not (len(sys.argv) > 1 and sys.argv[1] == "db")
    return create_app({"AUTO_MIGRATE": auto} if not auto else None)


@click.group(cls=FlaskGroup, create_app=_app_for_cli, add_default_commands=True)
def cli() -> None:
    """Volume-based procurement platform."""


def _engine():
    return current_app.extensions["procurement"]["session_factory"].kw["bind"]


@cli.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    from procurement import migrate

    migrate.upgrade(_engine(), revision)
    click.echo(f"database at {migrate.current_revision(_engine())}")


@db.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (default: one step)."""
    from alembic import command

    from procurement import migrate

    command.downgrade(migrate.alembic_config(_engine()), revision)


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's revision and the code's head."""
    from procurement import migrate

    click.echo(
        f"database {migrate.current_revision(_engine())}, code {migrate.head_revision(_engine())}"
    )


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a revision from the models (review it before committing)."""
    from alembic import command

    from procurement import migrate

    command.revision(migrate.alembic_config(_engine()), message=message, autogenerate=True)


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Fail if the models declare anything the migrations do not create."""
    from alembic import command

    from procurement import migrate

    command.check(migrate.alembic_config(_engine()))
    click.echo("the schema matches the models")


@cli.command("create-org")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["regulator", "fund", "hospital", "manufacturer", "distributor"]),
)
@click.option("--region", "region_code", required=True, help="GB/T 2260 six-digit code")
@with_appcontext
def create_org(code: str, name: str, kind: str, region_code: str) -> None:
    """Register an organization."""
    from procurement.auth.services import create_org as create

    org = create(get_session(), code=code, name=name, kind=kind, region_code=region_code, now=now())
    click.echo(f"organization {org.id} {org.code} ({org.kind.value}, {org.region_code})")


@cli.command("create-user")
@click.option("--org", "org_code", required=True, help="organization code")
@click.option("--username", required=True)
@click.option("--role", default="staff", type=click.Choice(["admin", "staff", "viewer"]))
@click.option("--name", "display_name", default=None)
@click.password_option()
@with_appcontext
def create_user(
    org_code: str, username: str, role: str, display_name: str | None, password: str
) -> None:
    """Add a user to an organization."""
    from procurement.auth.services import create_user as create

    user = create(
        get_session(),
        org_code=org_code,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        now=now(),
    )
    click.echo(f"user {user.id} {user.username} ({user.role.value}) in {org_code}")


@cli.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute the chain; exit 1 if any event was edited, deleted or inserted."""
    from procurement.audit.services import verify_chain

    report = verify_chain(get_session())
    for problem in report.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"audit chain intact: {report.checked} events verified")


for _area in AREAS:
    _commands = _area_module(_area, "commands")
    if _commands is not None:
        _commands.register(cli)


def main() -> None:
    from procurement.core.errors import DomainError

    try:
        cli.main(standalone_mode=True)
    except DomainError as error:  # a refusal from a service: say what to fix, exit 2
        click.echo(f"error: {error.detail}", err=True)
        for field, messages in error.extra.get("errors", {}).items():
            click.echo(f"  {field}: {'; '.join(messages)}", err=True)
        raise SystemExit(2) from None
