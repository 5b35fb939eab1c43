"""Engine, sessions and schema migration for the compliance database."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection, Dialect, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from compliance.base.errors import DatabaseUnavailableError, SettingsError
from compliance.base.i18n import N_
from compliance.store.models import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


_JSON_ENCODER = json.JSONEncoder()
# Bulk rows go to PostgreSQL through COPY (see insert_rows); false: through INSERT, as on SQLite.
COPY_ROWS = True


def _reusable_encoder() -> Callable[[Any], str] | None:
    """The C encoder ``json.dumps`` builds afresh on every call, built once: with the options of a
    plain ``json.dumps`` (ASCII, ``", "`` and ``": "``), without its check for circular values (rows
    are made from documents, which have none). ``None`` where the interpreter has no C encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    encode = make(None, _JSON_ENCODER.default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


_ENCODE_JSON = _reusable_encoder() or _JSON_ENCODER.encode


def json_text(value: Any) -> str:
    """JSON column values exactly as ``json.dumps`` writes them, at a third of its cost for the small lists and
    mappings ingest writes on every line; an empty list (no notes, no labels) without starting the encoder.
    A value JSON cannot hold raises ``TypeError`` as there; a value that contains itself (no row does)
    would raise ``RecursionError`` instead of ``ValueError``."""
    if isinstance(value, list) and not value:
        return "[]"
    return _ENCODE_JSON(value)


def insert_rows(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]], copy: bool | None = None) -> None:
    """INSERT many rows with one driver-level ``executemany``, each value converted by its column type.

    The statement and values SQLAlchemy would send, without its per-row parameter set-up, which
    costs more than the database itself when ingest writes tens of thousands of lines. The columns
    are the keys of the first row; every row must have them. On PostgreSQL (psycopg) the same values
    go through ``COPY … FROM STDIN`` instead (``copy=False``, or ``COPY_ROWS`` false: INSERT), which stores the same rows
    at less client and server time; defaults, triggers and constraints apply as for an INSERT.
    """
    if not rows:
        return
    names = tuple(rows[0])
    insert_values(connection, model, names, driver_values(connection.dialect, model, names, rows), copy)


def driver_values(
    dialect: Dialect, model: type[Base], names: Sequence[str], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` as the tuples the database driver is given for the columns ``names``: each value
    converted by its column type for ``dialect`` (a date as text on SQLite, JSON as its text, …).
    Plain values, so parse workers can make them and send them to the writer cheaply.

    Only the columns whose type converts a value call a function (a few of each row), and an empty JSON
    list, most of the JSON ingest writes, is taken as the text its converter makes of it.
    """
    row_values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    converters = _converters(dialect, model.__tablename__, tuple(names))
    converted: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row_values(row))
        for index, convert, empty_list in converters:
            value = values[index]
            values[index] = empty_list if empty_list is not None and value == [] else convert(value)
        converted.append(tuple(values))
    return converted


@lru_cache(maxsize=256)
def _converters(
    dialect: Dialect, table_name: str, names: tuple[str, ...]
) -> tuple[tuple[int, Callable[[Any], Any], str | None], ...]:
    """The columns of ``names`` whose type converts a value for ``dialect``: (index, the bind processor
    SQLAlchemy converts it with, and for a JSON column what it makes of an empty list), looked up once."""
    table = Base.metadata.tables[table_name]
    found = []
    for index, name in enumerate(names):
        kind = table.c[name].type
        convert = kind.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            found.append((index, convert, convert([]) if isinstance(kind, JSON) else None))
    return tuple(found)


def insert_values(
    connection: Connection, model: type[Base], names: Sequence[str], values: list[tuple[Any, ...]], copy: bool | None = None
) -> None:
    """INSERT the driver values of :func:`driver_values` (made for this connection's dialect) into the
    columns ``names`` with one ``executemany`` (on PostgreSQL with psycopg: one COPY)."""
    if not values:
        return
    dialect = connection.dialect
    table = Base.metadata.tables[model.__tablename__]
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    if (COPY_ROWS if copy is None else copy) and dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(connection, f"COPY {quote(table.name)} ({columns}) FROM STDIN", values)
        return
    parameters: Sequence[Any] = values
    if dialect.paramstyle == "pyformat":
        placeholders = ", ".join(f"%({name})s" for name in names)
        parameters = [dict(zip(names, row, strict=True)) for row in values]
    else:
        placeholder = {"qmark": "?", "format": "%s"}.get(dialect.paramstyle)
        if placeholder is None:
            raise SettingsError(
                f"the database driver passes parameters in the {dialect.paramstyle!r} style, which bulk ingest does not write",
                expected="a SQLite or PostgreSQL (psycopg) database URL in COMPLIANCE_DB_URL",
            )
        placeholders = ", ".join(placeholder for _ in names)
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})", parameters)


def _copy_rows(connection: Connection, statement: str, values: Sequence[tuple[Any, ...]]) -> None:
    """Send ``values`` through psycopg's COPY (text format: each value written by psycopg's own
    adapter for its Python type, as an INSERT parameter would be)."""
    import psycopg

    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except psycopg.Error as error:
        # Raised as SQLAlchemy raises a driver's error (IntegrityError, DataError, …), so callers see one kind.
        raise DBAPIError.instance(statement, None, error, psycopg.Error, dialect=connection.dialect) from error


def ids_by_key(connection: Connection, model: type[Base], key: str, values: Sequence[Any], chunk: int = 900) -> dict[Any, int]:
    """The ``id`` of each row whose unique ``key`` column is in ``values`` (rows just written by
    :func:`insert_rows`, which returns nothing), queried ``chunk`` values at a time."""
    table = Base.metadata.tables[model.__tablename__]
    found: dict[Any, int] = {}
    for start in range(0, len(values), chunk):
        query = select(table.c[key], table.c.id).where(table.c[key].in_(values[start : start + chunk]))
        found.update((key_value, row_id) for key_value, row_id in connection.execute(query))
    return found


# SQLSTATEs (PostgreSQL appendix A) after which the same work may succeed: connection exceptions
# (class 08), insufficient resources (class 53: too many connections, disk full), the server
# shutting down or starting up, and losing a lock or serialization race to another transaction.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53")
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01", "55P03"})
# What the drivers say when there is no SQLSTATE (SQLite; a connection that never opened).
_UNAVAILABLE_TEXTS = (
    "database is locked",
    "database table is locked",
    "connection refused",
    "could not connect",
    "server closed the connection",
    "connection already closed",
    "connection is closed",
    "timeout expired",
    "timed out",
)


def safe_url(db_url: str | URL) -> str:
    """``db_url`` with its password replaced by ``***``, fit for messages and logs."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database URL in COMPLIANCE_DB_URL"  # unparsable: not shown, it may hold a password


def unavailable_reason(error: BaseException) -> str | None:
    """Why the database could not do the work now (locked, busy, unreachable), or ``None`` when
    ``error`` is something else — a schema or SQL mistake, a refused value — which must surface as is."""
    if isinstance(error, DisconnectionError):
        return str(error) or "the connection was lost"
    if not isinstance(error, OperationalError | InterfaceError):
        return None
    original = error.orig
    detail = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if error.connection_invalidated:
        return detail
    if str(getattr(original, "sqlite_errorname", "")).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return detail
    if sqlstate and (sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES)):
        return detail
    if not sqlstate and any(text in detail.lower() for text in _UNAVAILABLE_TEXTS):
        return detail
    return None


@contextmanager
def database_errors(db_url: str | URL) -> Iterator[None]:
    """Turn "the database is locked, busy or unreachable" inside the block into a transient
    :class:`DatabaseUnavailableError` naming the database (password hidden); anything else passes unchanged."""
    try:
        yield
    except (OperationalError, InterfaceError, DisconnectionError) as error:
        reason = unavailable_reason(error)
        if reason is None:
            raise
        raise DatabaseUnavailableError(
            N_("the database cannot be used now: {reason}"),
            file=safe_url(db_url),
            expected=N_("the database to be reachable and free of other writers; the same work can be tried again later"),
            values={"reason": reason},
        ) from error


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url``; a SQLite file's folder is created and foreign keys enforced.

    A URL SQLAlchemy cannot read, or whose database kind has no installed driver, is a
    :class:`SettingsError` (terminal); connecting happens later, inside :func:`session_scope`.
    """
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise SettingsError(
            N_("COMPLIANCE_DB_URL is not a database URL"),
            expected=N_("sqlite:///path/to/compliance.db or postgresql+psycopg://…"),
        ) from exc
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, json_serializer=json_text)
    except NoSuchModuleError as exc:
        raise SettingsError(
            N_("COMPLIANCE_DB_URL names the database kind {kind}, which has no driver here"),
            file=safe_url(db_url),
            expected=N_("sqlite or postgresql+psycopg"),
            values={"kind": repr(url.drivername)},
        ) from exc
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def alembic_config(db_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return config


# The key of the PostgreSQL advisory lock the migration holds (any 64-bit number no other code uses;
# these are the bytes of "gpc-migr").
MIGRATION_LOCK_KEY = 0x6770632D6D696772
MIGRATION_WAIT_SECONDS = 600  # how long a second migrating process waits for the first one (SQLite)


def migrate_database(db_url: str) -> None:
    """Create the database or bring it to the newest schema (``alembic upgrade head``), one process at a time.

    Every DAG task migrates first, so on an empty database several tasks start migrating at once; run
    unlocked, all but one fail creating the same tables. Here the whole upgrade runs in one transaction
    that first takes a lock: on PostgreSQL a transaction-level advisory lock (DDL is transactional, so
    the next process waits, then finds the schema at head and does nothing); on SQLite the database's
    write lock (``BEGIN IMMEDIATE``), which the next process waits for the same way.
    """
    if _at_head(db_url):
        return  # the usual case: nothing to do, and no lock that would wait for another run's writing stage
    from alembic import command

    config = alembic_config(db_url)
    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        _begin_immediately(engine)
    try:
        with database_errors(db_url), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection  # env.py migrates on it, inside this transaction
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def _at_head(db_url: str) -> bool:
    """Whether the database's schema is already the newest (read without taking any lock).

    Read without Alembic (its import, with Mako and Pygments, is half a second of every command's
    start-up): the revision stored in ``alembic_version`` against the head of the migration scripts.
    """
    heads = script_heads()
    engine = make_engine(db_url)  # also creates a SQLite file's folder
    try:
        with database_errors(db_url), engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    return bool(current) and current == heads


@cache
def script_heads() -> set[str]:
    """The head revisions of the migration scripts: those no other script names as its ``down_revision``
    (what Alembic's ``ScriptDirectory.get_heads`` gives, read from the scripts' assignments without
    importing them). A script whose revisions are not plain literals is read by Alembic itself."""
    revisions: set[str] = set()
    below: set[str] = set()
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values: dict[str, Any] = {}
        for statement in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"} and statement.value:
                        try:
                            values[target.id] = ast.literal_eval(statement.value)
                        except ValueError:
                            return _alembic_heads()
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return _alembic_heads()
        revisions.add(revision)
        below.update([down] if isinstance(down, str) else list(down or ()))
    return revisions - below


def _alembic_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _begin_immediately(engine: Engine) -> None:
    """Make ``engine``'s transactions start with ``BEGIN IMMEDIATE`` (SQLite's write lock, taken at once)
    and include DDL: the driver's own transaction handling is turned off (SQLAlchemy's documented recipe)."""

    @event.listens_for(engine, "connect")
    def _driver_autocommit(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_SECONDS * 1000}")
        # A batch migration rebuilds a table (copy, drop, rename) inside the one transaction, and SQLite
        # cannot switch foreign keys inside a transaction: they are off for the migration connection only.
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


WRITER_WAIT_SECONDS = 3600  # how long a second run waits for the first one's writing stage

# PostgreSQL advisory lock keys of the writing stages (numbers no other code uses): the whole pipeline
# (one bigint key), and one key per contract in a namespace of the two-integer form (which never
# collides with the one-bigint form).
ALL_CONTRACTS_LOCK_KEY = 0x6770632D616C6C  # "gpc-all"
CONTRACT_LOCK_NAMESPACE = 0x67706331  # "gpc1"


def contract_lock_key(contract_id: str) -> int:
    """The advisory lock key of one contract (a signed 32-bit number; two ids sharing one only wait for each other)."""
    return int.from_bytes(hashlib.sha256(contract_id.encode("utf-8")).digest()[:4], "big", signed=True)


def _take_writer_locks(session: Session, contracts: Sequence[str] | None) -> None:
    """Wait for the writer locks of a stage that reads, decides and writes (see :func:`session_scope`)."""
    if session.get_bind().dialect.name == "postgresql":
        if contracts is None:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALL_CONTRACTS_LOCK_KEY})
            return
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": ALL_CONTRACTS_LOCK_KEY})
        # Sorted, so two stages locking several contracts always take them in the same order (no deadlock).
        for key in sorted({contract_lock_key(contract_id) for contract_id in contracts}):
            session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": CONTRACT_LOCK_NAMESPACE, "key": key})
        return
    # SQLite has one writer at a time anyway: the UPDATE takes the database's write lock at once, so a
    # second run waits here, before it reads anything it will decide on.
    session.execute(
        text("UPDATE pipeline_lock SET holder = :holder, taken_at = :now WHERE id = 1"),
        {"holder": f"{socket.gethostname()}:{os.getpid()}", "now": datetime.now(UTC)},
    )


@contextmanager
def session_scope(engine: Engine, exclusive: bool = False, contracts: Sequence[str] | None = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any error.

    ``exclusive``: first take the writer locks, so that stages that read, decide and write (checks,
    notices, hearing steps) never interleave with another run's on the same contracts. ``contracts``
    names the contracts the stage writes: on PostgreSQL it waits only for stages writing one of them
    (an advisory lock per contract, held to the end of the transaction), so the mapped per-contract
    tasks of a DAG run side by side; ``None`` (every contract) waits for every writing stage and they
    for it. SQLite has one writer at a time whatever the contracts (the ``pipeline_lock`` row).
    A database that is locked, busy or unreachable — here or inside the block — raises the transient
    :class:`DatabaseUnavailableError`; every other database error passes unchanged.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    long_wait = exclusive and engine.dialect.name == "sqlite"
    with database_errors(engine.url), factory() as session:
        try:
            with session.begin():
                if long_wait:
                    session.execute(text(f"PRAGMA busy_timeout={WRITER_WAIT_SECONDS * 1000}"))
                if exclusive:
                    _take_writer_locks(session, contracts)
                yield session
        finally:
            if long_wait:
                # The pooled connection goes back with the usual 30 s wait, so later stages of the same
                # engine (one per context) raise the transient error instead of waiting an hour.
                with suppress(OperationalError, InterfaceError):  # a broken connection is discarded anyway
                    session.connection().exec_driver_sql("PRAGMA busy_timeout=30000")
