"""``procurement demo``: build a province-scale world on the embedded database and walk a year.

A plain click command (not an app-context one): it prepares the database itself, so an old
demo database is replaced before anything tries to migrate it.
"""

from __future__ import annotations

import click

from procurement.demo.world import DEMO_PASSWORD

ADDRESS = "http://127.0.0.1:5000"


@click.command("demo")
@click.option("--seed", default=2025, show_default=True, help="Same seed, same world and figures.")
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.05, 20),
    help="Grow (or shrink) hospitals, manufacturers and lots.",
)
@click.option("--database-url", default=None, help="Default: the app's (SQLite in instance/).")
@click.option(
    "--fresh/--keep",
    default=True,
    show_default=True,
    help="Drop and re-create the schema first, or keep the database as it is.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The demo's today (default: today in the business time zone); same seed and today, "
    "same figures.",
)
def demo(seed: int, scale: float, database_url: str | None, fresh: bool, today) -> None:
    """Create a realistic demo and walk it up to today: last year's tender (its contract year
    over, year-end and credit done), this year's (its contract year about seven months in:
    orders, deliveries, settlement, alerts), and the next tender, open for bids."""
    from procurement import create_app
    from procurement.bidding.seal import sealer_from_settings
    from procurement.core.clock import SystemClock, business_date
    from procurement.core.errors import DomainError
    from procurement.demo.runner import prepare_database, run_demo
    from procurement.demo.summary import render

    overrides = {"AUTO_MIGRATE": False}
    if database_url:
        overrides["DATABASE_URL"] = database_url
    app = create_app(overrides)
    url = app.config["DATABASE_URL"]
    app.extensions["procurement"]["session_factory"].kw["bind"].dispose()
    day = today.date() if today else business_date(SystemClock().now())
    click.echo(
        f"Demo database: {url} ({'fresh' if fresh else 'kept'}), seed {seed}, scale {scale}, "
        f"today {day}"
    )
    engine = prepare_database(url, fresh=fresh)
    try:
        result = run_demo(
            engine,
            seed=seed,
            scale=scale,
            today=day,
            sealer=sealer_from_settings(app.config),
            progress=click.echo,
        )
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    finally:
        engine.dispose()
    click.echo(f"\nDone in {result.seconds:.0f}s.\n")
    for line in render(result.summary):
        click.echo(line)
    click.echo("\nDemo logins (password for all: " + DEMO_PASSWORD + "):")
    for login in result.world.logins:
        click.echo(
            f"  {login.role:<24} {login.username:<10} {login.password}  {login.organization}"
        )
    click.echo(f"\nServe it with `procurement run` and open {ADDRESS}")
