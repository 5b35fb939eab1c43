"""The vehicle register's one upsert policy, for both sources of a plate's record.

Two sources write the ``vehicle`` table, one row per plate:

- the **DMR register extract** (``origin = "dmr"``), which knows with authority whether a plate is
  registered, its total weight, its Euro norm and its DMR vehicle id; and
- a **declared-vehicles file** (``origin = "declared"``), in which the authority declares what the
  DMR cannot say: biogas with its evidence, cargo bikes, foreign plates.

The policy, whichever order the files arrive in:

- A plate not yet in the register is inserted from the record that brings it.
- A declaration replaces the plate's whole record (kind, fuel, Euro norm, weight, registration
  status, evidence, source file and row; origin becomes ``declared``); only the DMR vehicle id is
  kept. The last declaration imported wins.
- A DMR record always replaces registration status, total weight, Euro norm and DMR vehicle id.
  It replaces kind and fuel too, clears the evidence, and takes over source file, row and origin
  (``dmr``), except for a plate declared as biogas: the DMR has no biogas code, so a biogas
  declaration and its evidence stand (§2.1).
- Within one file a plate's last record wins. A DMR extract has several records for many plates;
  its current one per plate (registered before deregistered, then the later status date, then the
  later record) is picked by :class:`DmrStaging` in the database, so that importing the national
  register (~10 M records) holds one chunk of records in memory, not one record per plate.

Beside the current record, the register keeps what each source said over time (``vehicle_period``,
issue 16 item 6): every DMR record of a plate in the extract, with the days it held (registered
from its status date, open; deregistered until its plate expiry or status date, from its first
registration), and every declared row with its own ``valid_from``/``valid_to``. An import replaces
the periods of the plates it brings from its own origin; a trip's day is judged by the period that
covers it (``compliance.checks.green_vehicles.vehicle_on_day``: the same precedence as above).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from compliance.base.documents import VehicleRecord
from compliance.ingest.dmr import DmrVehicle
from compliance.store.models import Vehicle, VehiclePeriod

# Plates looked up and written per round trip when a register extract is stored (a first import has millions).
UPSERT_CHUNK = 5000


@dataclass(frozen=True)
class _IncomingVehicle:
    """One plate's record from either source, in the register's columns."""

    registration: str
    kind: str
    fuel: str
    euro_norm: int | None
    total_weight_kg: int | None
    registered: bool
    green_evidence: str | None
    row: int
    origin: str  # "dmr" | "declared"
    dmr_vehicle_id: str | None

    def new_row(self, source_id: int) -> dict[str, Any]:
        """The columns of a plate the register does not hold yet."""
        return {
            "registration": self.registration,
            "kind": self.kind,
            "fuel": self.fuel,
            "euro_norm": self.euro_norm,
            "total_weight_kg": self.total_weight_kg,
            "registered": self.registered,
            "green_evidence": self.green_evidence,
            "source_file_id": source_id,
            "row": self.row,
            "origin": self.origin,
            "dmr_vehicle_id": self.dmr_vehicle_id,
        }


def _update(vehicle: Vehicle, incoming: _IncomingVehicle, source_id: int) -> None:
    """Apply the module's policy to a plate the register already holds."""
    if incoming.origin == "dmr":
        # What the DMR knows with authority, whatever the plate's origin.
        vehicle.registered = incoming.registered
        vehicle.total_weight_kg = incoming.total_weight_kg
        vehicle.euro_norm = incoming.euro_norm
        vehicle.dmr_vehicle_id = incoming.dmr_vehicle_id
        if vehicle.origin == "declared" and vehicle.fuel == "biogas":
            return  # a declared biogas fuel and its evidence are kept (§2.1)
    vehicle.kind = incoming.kind
    vehicle.fuel = incoming.fuel
    vehicle.euro_norm = incoming.euro_norm
    vehicle.total_weight_kg = incoming.total_weight_kg
    vehicle.registered = incoming.registered
    vehicle.green_evidence = incoming.green_evidence
    vehicle.source_file_id = source_id
    vehicle.row = incoming.row
    vehicle.origin = incoming.origin


def _upsert(session: Session, source_id: int, records: Iterable[_IncomingVehicle]) -> None:
    """Insert the plates the register lacks in one statement and update the others by the policy."""
    latest: dict[str, _IncomingVehicle] = {}
    for record in records:
        latest[record.registration] = record  # the first occurrence's place, the last occurrence's values
    existing = {
        vehicle.registration: vehicle
        for vehicle in session.scalars(select(Vehicle).where(Vehicle.registration.in_(list(latest))))
    }
    new_rows = [record.new_row(source_id) for plate, record in latest.items() if plate not in existing]
    if new_rows:
        session.execute(insert(Vehicle), new_rows)
    for plate, record in latest.items():
        if plate in existing:
            _update(existing[plate], record, source_id)
    session.flush()


def _replace_periods(session: Session, origin: str, source_id: int, periods: Sequence[dict[str, Any]]) -> None:
    """Replace the periods of the plates in ``periods`` that came from ``origin`` with these."""
    plates = sorted({period["registration"] for period in periods})
    for start in range(0, len(plates), UPSERT_CHUNK):
        chunk = plates[start : start + UPSERT_CHUNK]
        session.execute(delete(VehiclePeriod).where(VehiclePeriod.origin == origin, VehiclePeriod.registration.in_(chunk)))
    rows = [period | {"origin": origin, "source_file_id": source_id} for period in periods]
    for start in range(0, len(rows), UPSERT_CHUNK):
        session.execute(insert(VehiclePeriod), rows[start : start + UPSERT_CHUNK])


def dmr_periods(records: Sequence[DmrVehicle]) -> list[dict[str, Any]]:
    """The days each DMR record of one plate held the plate (DMR_FIELDS.md; interpretation, README).

    A registered record holds it from its registration status date, open-ended; a deregistered one
    (afmeldt, eksporteret, skrottet …) from its first registration until its plate expiry date, else
    its status date. Records are ordered by their start; where two would overlap, the earlier one
    ends the day before the later one starts, and a record without a start begins the day after the
    previous one ends.
    """
    spans = []
    for record in records:
        if record.registered:
            start, end = _day(record.status_date), None
        else:
            start, end = _day(record.first_registration), _day(record.plate_expiry) or _day(record.status_date)
        spans.append((start, end, record))
    spans.sort(key=lambda span: (span[0] or date.min, span[2].registered, span[2].status_date or ""))
    periods: list[dict[str, Any]] = []
    for index, (start, end, record) in enumerate(spans):
        if start is None and periods and periods[-1]["valid_to"] is not None:
            start = periods[-1]["valid_to"] + timedelta(days=1)  # no first registration: from the day after the previous
        following = spans[index + 1][0] if index + 1 < len(spans) else None
        if following is not None and (end is None or end >= following):
            end = following - timedelta(days=1)
        if start is not None and end is not None and end < start:
            continue  # wholly overtaken by a later record
        periods.append(
            {
                "registration": record.registration,
                "valid_from": start,
                "valid_to": end,
                "kind": record.kind,
                "fuel": record.fuel,
                "green_evidence": None,
                "row": record.record,
            }
        )
    return periods


def _day(text: str | None) -> date | None:
    """The day of a DMR date or date-time (``2023-01-02+01:00``, ``2020-12-23T09:21:18.000+01:00``)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _declared(record: VehicleRecord) -> _IncomingVehicle:
    return _IncomingVehicle(
        registration=record.registration,
        kind=record.kind,
        fuel=record.fuel,
        euro_norm=record.euro_norm,
        total_weight_kg=record.total_weight_kg,
        registered=record.registered,
        green_evidence=record.green_evidence,
        row=record.row,
        origin="declared",
        dmr_vehicle_id=None,
    )


def declared_vehicle_row(source_id: int, record: VehicleRecord) -> dict[str, Any]:
    """The ``vehicle`` row a declared record would become (what the field-size check reads)."""
    return _declared(record).new_row(source_id)


def store_declared_vehicles(session: Session, source_id: int, records: Sequence[VehicleRecord]) -> None:
    """Store a declared-vehicles file's records (the last declaration of a plate wins) and their periods."""
    _replace_periods(
        session,
        "declared",
        source_id,
        [
            {
                "registration": record.registration,
                "valid_from": record.valid_from,
                "valid_to": record.valid_to,
                "kind": record.kind,
                "fuel": record.fuel,
                "green_evidence": record.green_evidence,
                "row": record.row,
            }
            for record in records
        ],
    )
    _upsert(session, source_id, (_declared(record) for record in records))


def store_register_vehicles(
    session: Session,
    source_id: int,
    records: Sequence[DmrVehicle],
    earlier: Mapping[str, Sequence[DmrVehicle]] | None = None,
) -> None:
    """Store the current DMR record of each plate, ``UPSERT_CHUNK`` plates at a time, and the periods
    of every record of those plates (the current one and ``earlier`` ones from the same extract)."""
    history = earlier or {}
    _replace_periods(
        session,
        "dmr",
        source_id,
        [period for record in records for period in dmr_periods([record, *history.get(record.registration, ())])],
    )
    for start in range(0, len(records), UPSERT_CHUNK):
        _upsert(
            session,
            source_id,
            (
                _IncomingVehicle(
                    registration=record.registration,
                    kind=record.kind,
                    fuel=record.fuel,
                    euro_norm=record.euro_norm,
                    total_weight_kg=record.total_weight_kg,
                    registered=record.registered,
                    green_evidence=None,
                    row=record.record,
                    origin="dmr",
                    dmr_vehicle_id=record.vehicle_id,
                )
                for record in records[start : start + UPSERT_CHUNK]
            ),
        )


# Temporary tables of one DMR import (never in the schema's metadata: migrations do not see them).
_STAGING = MetaData()
_STAGED = Table(
    "dmr_import_record",
    _STAGING,
    Column("record", BigInteger, primary_key=True),
    Column("registration", Text, nullable=False),
    Column("registered", Boolean, nullable=False),
    Column("status_date", LargeBinary, nullable=False),  # UTF-8 bytes: compared byte by byte, as Python compares str
    Column("vehicle_id", Text),
    Column("kind", Text, nullable=False),
    Column("fuel", Text, nullable=False),
    Column("euro_norm", Integer),
    Column("total_weight_kg", Text),  # as read: any number of digits (the quality suite judges it)
    Column("first_registration", Text),
    Column("plate_expiry", Text),
    prefixes=["TEMPORARY"],
)
_CURRENT = Table(
    "dmr_import_current",
    _STAGING,
    Column("first_seen", BigInteger, primary_key=True),  # the plate's first record: the order plates are stored in
    *(Column(column.name, column.type, nullable=column.nullable) for column in _STAGED.columns),
    prefixes=["TEMPORARY"],
)


class DmrStaging:
    """A DMR import's records, written to a temporary table as they are read, and each plate's
    current record read back in chunks: memory stays flat however large the extract.

    The current record is the one :meth:`DmrVehicle.newer_than` keeps when the records arrive in
    file order: registered first, then the latest status date, then the latest record; it is the
    record of its plate that no other record of the plate beats (found through one index).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        connection = session.connection()
        for table in (_CURRENT, _STAGED):
            table.drop(connection, checkfirst=True)  # SQLite keeps a temporary table on a pooled connection
        for table in (_STAGED, _CURRENT):
            table.create(connection)

    def add(self, records: Sequence[DmrVehicle]) -> None:
        """Stage one chunk of records as read (one driver-level ``executemany``: millions of rows)."""
        if not records:
            return
        connection = self.session.connection()
        placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        names = [column.name for column in _STAGED.columns]
        connection.exec_driver_sql(
            f"INSERT INTO {_STAGED.name} ({', '.join(names)}) VALUES ({', '.join(placeholder for _ in names)})",
            [
                (
                    record.record,
                    record.registration,
                    record.registered,
                    (record.status_date or "").encode("utf-8"),
                    record.vehicle_id,
                    record.kind,
                    record.fuel,
                    record.euro_norm,
                    None if record.total_weight_kg is None else str(record.total_weight_kg),
                    record.first_registration,
                    record.plate_expiry,
                )
                for record in records
            ],
        )

    def current_records(self, chunk: int) -> Iterator[tuple[list[DmrVehicle], dict[str, list[DmrVehicle]]]]:
        """Each plate's current record, in the order the plates first occur, ``chunk`` plates at a
        time, with the other records of those plates in the extract by plate, in file order (the
        register keeps their validity periods, issue 16 item 6)."""
        connection = self.session.connection()
        # Built once the records are in (one sort, not one per insert); dropped with its table.
        connection.exec_driver_sql(
            f"CREATE INDEX {_STAGED.name}_plate ON {_STAGED.name} (registration, registered, status_date, record)"
        )
        record, other = _STAGED.c, _STAGED.alias("other").c
        newer = and_(
            other.registration == record.registration,
            or_(
                other.registered > record.registered,
                and_(
                    other.registered == record.registered,
                    or_(
                        other.status_date > record.status_date,
                        and_(other.status_date == record.status_date, other.record > record.record),
                    ),
                ),
            ),
        )
        first_seen = select(func.min(other.record)).where(other.registration == record.registration).scalar_subquery()
        self.session.execute(
            insert(_CURRENT).from_select(
                ["first_seen", *(column.name for column in _STAGED.columns)],
                select(first_seen, *_STAGED.columns).where(~exists().where(newer)),
            )
        )
        connection.exec_driver_sql(f"CREATE INDEX {_CURRENT.name}_plate ON {_CURRENT.name} (registration)")
        last = -1
        while True:
            rows = self.session.execute(
                select(_CURRENT).where(_CURRENT.c.first_seen > last).order_by(_CURRENT.c.first_seen).limit(chunk)
            ).all()
            if not rows:
                return
            low, last = last, rows[-1].first_seen
            current = _CURRENT.c
            others = self.session.execute(
                select(*_STAGED.columns)
                .join(_CURRENT, current.registration == _STAGED.c.registration)
                .where(current.first_seen > low, current.first_seen <= last, _STAGED.c.record != current.record)
                .order_by(_STAGED.c.record)
            ).all()
            earlier: dict[str, list[DmrVehicle]] = {}
            for row in others:
                earlier.setdefault(row.registration, []).append(_staged_vehicle(row))
            yield [_staged_vehicle(row) for row in rows], earlier

    def drop(self) -> None:
        connection = self.session.connection()
        for table in (_CURRENT, _STAGED):
            table.drop(connection, checkfirst=True)


def _staged_vehicle(row: Any) -> DmrVehicle:
    """A staged record as the reader handed it over."""
    return DmrVehicle(
        record=row.record,
        vehicle_id=row.vehicle_id,
        registration=row.registration,
        kind=row.kind,
        fuel=row.fuel,
        euro_norm=row.euro_norm,
        total_weight_kg=None if row.total_weight_kg is None else int(row.total_weight_kg),
        registered=bool(row.registered),
        status_date=bytes(row.status_date).decode("utf-8") or None,
        first_registration=row.first_registration,
        plate_expiry=row.plate_expiry,
    )
