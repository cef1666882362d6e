"""Alembic, driven from the app: upgrade, downgrade, revision, check (no Flask-SQLAlchemy)."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Tables the migrations create that the models do not declare: those of a library that owns
# them (the procrastinate job queue on PostgreSQL) and the monthly partitions of a partitioned
# table (PostgreSQL: the models declare the parent ``trace_events``; the migrations and the
# trace ingest create its partitions).
FOREIGN_TABLE_PREFIXES = ("procrastinate_",)

# procrastinate's objects (its schema.sql creates exactly these kinds): dropped by the jobs
# revision's downgrade and by the demo when it rebuilds a PostgreSQL schema.
QUEUE_DROP = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE fn record;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || fn.signature || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type,
    procrastinate_job_to_defer_v1 CASCADE;
"""
PARTITION = re.compile(r"trace_events_y[0-9]{4}m[0-9]{2}")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Compare the schema with the models, leaving out the tables a library owns
    (``FOREIGN_TABLE_PREFIXES``) and the partitions of partitioned tables."""
    if type_ != "table" or name is None:
        return True
    return not (name.startswith(FOREIGN_TABLE_PREFIXES) or PARTITION.fullmatch(name))


def alembic_config(engine: Engine, *, quiet: bool = False) -> Config:
    """Alembic's config for our migrations on ``engine``; ``quiet`` drops Alembic's own chatter
    (we print our own summary)."""
    config = Config(str(MIGRATIONS / "alembic.ini"), stdout=io.StringIO() if quiet else sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def upgrade_if_needed(engine: Engine) -> bool:
    """Run the migrations when the database is behind (first start of the embedded default)."""
    if current_revision(engine) == head_revision(engine):
        return False
    upgrade(engine)
    return True
