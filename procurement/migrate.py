"""Alembic, driven from the app: upgrade, downgrade, revision, check (no Flask-SQLAlchemy)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Tables the migrations create for a library that owns them (the procrastinate job queue on
# PostgreSQL): not in our models, so the models-vs-database comparison leaves them out.
FOREIGN_TABLE_PREFIXES = ("procrastinate_",)


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Compare every object but the tables a library owns (``FOREIGN_TABLE_PREFIXES``)."""
    return not (type_ == "table" and (name or "").startswith(FOREIGN_TABLE_PREFIXES))


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
