"""``procurement worker``: run queued jobs (JOB_QUEUE = "procrastinate", PostgreSQL). Start
as many as you like, on this machine or others: they share only the database."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from procurement.jobs import worker as worker_mod


@click.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="jobs run side by side")
@click.option(
    "--heartbeat",
    default=worker_mod.HEARTBEAT_SECONDS,
    show_default=True,
    help="seconds between the worker's heartbeats",
)
@click.option(
    "--stalled-after",
    default=worker_mod.STALLED_AFTER_SECONDS,
    show_default=True,
    help="seconds without a heartbeat before a worker's running jobs go to another worker",
)
@click.option("--until-empty", is_flag=True, help="stop once the queue is empty")
@click.option(
    "--import",
    "modules",
    multiple=True,
    help="also load the tasks of this module (a plugin's); repeatable",
)
@with_appcontext
def worker(
    concurrency: int, heartbeat: float, stalled_after: float, until_empty: bool, modules
) -> None:
    """Run queued jobs until stopped (Ctrl-C or SIGTERM finishes the running ones first)."""
    import importlib

    from procurement.jobs.services import queue

    for module in modules:
        importlib.import_module(module)
    if current_app.config.get("JOB_QUEUE") != "procrastinate":
        raise click.UsageError('set JOB_QUEUE = "procrastinate" (PROCUREMENT_JOB_QUEUE) first')
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    queue.install(queue="procrastinate")
    engine = current_app.extensions["procurement"]["session_factory"].kw["bind"]
    click.echo(f"worker on {engine.url.render_as_string(hide_password=True)}")
    worker_mod.run_worker(
        engine,
        concurrency=concurrency,
        heartbeat=heartbeat,
        stalled_after=stalled_after,
        recovery_every=min(worker_mod.RECOVERY_EVERY_SECONDS, stalled_after),
        wait=not until_empty,
    )
