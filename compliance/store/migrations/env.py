"""Alembic environment: the URL comes from the config set by ``compliance.store.db``."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import event

from compliance.store.db import make_engine
from compliance.store.models import Base

config = context.config
target_metadata = Base.metadata


def _sqlite_foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by compliance.store.db.alembic_config"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    given = config.attributes.get("connection")
    if given is not None:  # compliance.store.db.migrate_database: its locked transaction
        context.configure(connection=given, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # A batch migration rebuilds a table (copy, drop, rename); with foreign keys on, dropping a table
        # others refer to fails. They are off for this migration connection only (as in migrate_database).
        event.listen(engine, "connect", _sqlite_foreign_keys_off)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
