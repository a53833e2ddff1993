"""Alembic environment: runs on the connection handed over by :func:`serving.db.session.init_db`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from serving.db.models import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the given connection, or one made from ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(str(context.config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        _run(conn)


run_migrations_online()
