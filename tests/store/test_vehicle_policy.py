"""The vehicle register's one upsert policy: a declaration replaces a plate's record, the DMR
replaces what it knows with authority and everything else unless the plate is declared biogas."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from compliance.base.documents import VehicleRecord
from compliance.ingest.dmr import DmrVehicle
from compliance.store.db import session_scope
from compliance.store.models import SourceFile, Vehicle
from compliance.store.vehicles import store_declared_vehicles, store_register_vehicles

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _source(engine: Engine, name: str) -> int:
    with session_scope(engine) as session:
        source = SourceFile(
            sha256=name.ljust(64, "0"), path=name, size_bytes=1, first_seen_at=NOW, kind="vehicle_register", status="ingested"
        )
        session.add(source)
        session.flush()
        return source.id


def _declared(row: int, plate: str, fuel: str, evidence: str | None = None, weight: int = 16000) -> VehicleRecord:
    return VehicleRecord(row, plate, "truck", fuel, 6, weight, True, evidence)


def _dmr(record: int, plate: str, fuel: str, registered: bool = True) -> DmrVehicle:
    return DmrVehicle(record, f"ID-{plate}", plate, "truck", fuel, 5, 18000, registered, "2025-01-01")


def _register(engine: Engine) -> dict[str, tuple[object, ...]]:
    with session_scope(engine) as session:
        return {
            v.registration: (
                v.fuel,
                v.euro_norm,
                v.total_weight_kg,
                v.registered,
                v.green_evidence,
                v.origin,
                v.dmr_vehicle_id,
                v.row,
            )
            for v in session.scalars(select(Vehicle))
        }


def test_dmr_after_a_declaration_keeps_declared_biogas_and_replaces_the_rest(engine: Engine) -> None:
    declared, dmr = _source(engine, "declared.csv"), _source(engine, "dmr.xml")
    with session_scope(engine) as session:
        store_declared_vehicles(session, declared, [_declared(2, "BG1", "biogas", "certificate"), _declared(3, "DX1", "diesel")])
    with session_scope(engine) as session:
        store_register_vehicles(session, dmr, [_dmr(7, "BG1", "natural_gas", registered=False), _dmr(8, "DX1", "electric")])
    register = _register(engine)
    # The DMR's authority (status, weight, Euro norm, id) always; a declared biogas fuel and evidence stand.
    assert register["BG1"] == ("biogas", 5, 18000, False, "certificate", "declared", "ID-BG1", 2)
    assert register["DX1"] == ("electric", 5, 18000, True, None, "dmr", "ID-DX1", 8)


def test_a_declaration_after_the_dmr_replaces_the_record_but_keeps_the_dmr_id(engine: Engine) -> None:
    dmr, declared = _source(engine, "dmr.xml"), _source(engine, "declared.csv")
    with session_scope(engine) as session:
        store_register_vehicles(session, dmr, [_dmr(4, "BG1", "natural_gas")])
    with session_scope(engine) as session:
        store_declared_vehicles(
            session, declared, [_declared(2, "BG1", "biogas", "certificate"), _declared(3, "NEW1", "electric")]
        )
    register = _register(engine)
    assert register["BG1"] == ("biogas", 6, 16000, True, "certificate", "declared", "ID-BG1", 2)
    assert register["NEW1"] == ("electric", 6, 16000, True, None, "declared", None, 3)


def test_within_one_declared_file_the_last_row_of_a_plate_wins(engine: Engine) -> None:
    declared = _source(engine, "declared.csv")
    with session_scope(engine) as session:
        store_declared_vehicles(
            session, declared, [_declared(2, "BG1", "diesel"), _declared(3, "BG1", "biogas", "certificate", 15000)]
        )
    assert _register(engine) == {"BG1": ("biogas", 6, 15000, True, "certificate", "declared", None, 3)}
