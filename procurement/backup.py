"""``procurement backup``: a consistent copy of the running platform's database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
while writers go on, and the copy is a point in time (WAL included). PostgreSQL: ``pg_dump`` in
its custom format (a consistent snapshot taken in one transaction), when a ``pg_dump`` is on
PATH or in Debian's ``/usr/lib/postgresql/*/bin``; otherwise the commands to run are printed.
Continuous archiving (point-in-time recovery) is set up on the server, not here (see README).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_PAGES_PER_STEP = 1024  # pages copied per step; writers may run between steps


class BackupUnavailable(RuntimeError):
    """No backup could be made here; the message says what to run instead."""


def backup(database_url: str, target: Path) -> str:
    """Copy the database at ``database_url`` to ``target``; a line saying what was written and
    how to restore it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite(url, target)
    if url.get_backend_name() == "postgresql":
        return _postgresql(url, target)
    raise BackupUnavailable(f"no backup for {url.get_backend_name()} databases")


def _sqlite(url: URL, target: Path) -> str:
    if url.database in (None, "", ":memory:"):
        raise BackupUnavailable("an in-memory SQLite database has nothing to back up")
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=SQLITE_PAGES_PER_STEP)
    finally:
        copy.close()
        source.close()
    return (
        f"backed up {url.database} to {target} (SQLite online backup); restore: stop the app, "
        f"copy {target} over the database file and delete its -wal/-shm files"
    )


def pg_dump_command() -> str | None:
    """``pg_dump`` on PATH, else the newest in Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """The URL for libpq tools without its password, and the environment that carries it
    (a password in argv would show in ``ps``)."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _postgresql(url: URL, target: Path) -> str:
    address, secret = libpq_url(url)
    pg_dump = pg_dump_command()
    server = address.rsplit("/", 1)[0]
    restore = (
        f"createdb NEW && pg_restore --no-owner --exit-on-error --dbname {server}/NEW {target}, "
        "then DATABASE_URL=... procurement audit verify (same AUDIT_KEYS)"
    )
    if pg_dump is None:
        raise BackupUnavailable(
            "pg_dump is not installed here; run on a machine with the PostgreSQL client tools: "
            f"pg_dump --format=custom --no-owner --file {target} --dbname {address}  "
            f"(restore: {restore})"
        )
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={address}"]
    done = subprocess.run(
        command, env={**os.environ, **secret}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupUnavailable(f"pg_dump failed: {done.stderr.strip()}")
    return f"backed up {address} to {target} with {pg_dump} (custom format); restore: {restore}"
