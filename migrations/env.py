"""Alembic environment: the engine comes from the app (procurement.migrate), never a URL here."""

from alembic import context

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement.db import Base
from procurement.migrate import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
