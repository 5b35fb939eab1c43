"""Engine, sessions and schema migration for the compliance database."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url``; a SQLite file's folder is created and foreign keys enforced."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def alembic_config(db_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return config


def migrate_database(db_url: str) -> None:
    """Create the database or bring it to the newest schema (``alembic upgrade head``)."""
    make_engine(db_url).dispose()  # creates the SQLite folder
    command.upgrade(alembic_config(db_url), "head")


WRITER_WAIT_SECONDS = 3600  # how long a second run waits for the first one's writing stage


@contextmanager
def session_scope(engine: Engine, exclusive: bool = False) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any error.

    ``exclusive``: first take the pipeline's writer lock (the ``pipeline_lock`` row), so that stages
    that read, decide and write (checks, notices, hearing steps) never interleave with another run's.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        if exclusive:
            if engine.dialect.name == "sqlite":
                session.execute(text(f"PRAGMA busy_timeout={WRITER_WAIT_SECONDS * 1000}"))
            holder = f"{socket.gethostname()}:{os.getpid()}"
            session.execute(
                text("UPDATE pipeline_lock SET holder = :holder, taken_at = :now WHERE id = 1"),
                {"holder": holder, "now": datetime.now(UTC)},
            )
        yield session
