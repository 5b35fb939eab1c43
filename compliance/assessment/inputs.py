"""The checks' typed inputs, loaded from the store: the one place stored rows become read models.

Everything a check reads passes through here, so the checks stay pure functions of
``compliance.checks.inputs`` records and the JSON columns are read back into the normalised
document types (labels, classification codes, properties) exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from compliance.base.documents import AllowanceCharge, Classification, Label, Property
from compliance.base.vocabulary import vehicle_is_green
from compliance.checks.attribution import log_supplier_cvrs
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.green_vehicles import vehicle_on_day
from compliance.checks.inputs import (
    CatalogueItemRecord,
    CatalogueMessageRecord,
    InvoiceLineRecord,
    InvoiceRecord,
    LoggedTrip,
    RegisteredVehicle,
    RegistryLicence,
    VehiclePeriod,
)
from compliance.checks.items import contract_catalogue
from compliance.checks.licences import LicenceRegistry
from compliance.contracts import ContractTerms
from compliance.store.models import (
    CatalogueItem,
    CatalogueMessage,
    EcolabelLicence,
    Invoice,
    InvoiceLine,
    SourceFile,
    Trip,
    Vehicle,
)
from compliance.store.models import VehiclePeriod as StoredVehiclePeriod


def classifications(stored: Iterable[Mapping[str, Any]] | None) -> tuple[Classification, ...]:
    return tuple(Classification(str(item.get("code", "")), item.get("list_id")) for item in stored or ())


def labels(stored: Iterable[Mapping[str, Any]] | None) -> tuple[Label, ...]:
    return tuple(
        Label(
            code=str(item.get("code", "")),
            raw=str(item.get("raw", "")),
            known=item.get("known") is not False,
            type1=bool(item.get("type1")),
            source=str(item.get("source", "")),
            licence=item.get("licence"),
        )
        for item in stored or ()
    )


def allowance_charges(stored: Iterable[Mapping[str, Any]] | None) -> tuple[AllowanceCharge, ...]:
    return tuple(
        AllowanceCharge(
            charge=bool(item.get("charge")),
            amount=Decimal(str(item.get("amount", "0"))),
            reason=item.get("reason"),
            reason_code=item.get("reason_code"),
        )
        for item in stored or ()
    )


def properties(stored: Iterable[Mapping[str, Any]] | None) -> tuple[Property, ...]:
    return tuple(Property(str(item.get("name", "")), str(item.get("value", ""))) for item in stored or ())


class _StoredLineFields(Protocol):
    """The invoice-line columns the trip-line matchers read (an ORM row or a selected row)."""

    seller_item_id: str | None
    classification_codes: list[dict[str, Any]]
    name: str | None
    description: str | None
    properties: list[dict[str, Any]]
    notes: list[str]


def scanned_line(row: _StoredLineFields) -> InvoiceLineRecord:
    """A stored line as the §2.1 trip-line matchers read it (item, codes, name, properties, notes)."""
    return InvoiceLineRecord(
        line_id="",
        quantity=None,
        name=row.name,
        description=row.description,
        seller_item_id=row.seller_item_id,
        classification_codes=classifications(row.classification_codes),
        properties=properties(row.properties),
        notes=tuple(row.notes or ()),
    )


def invoice_line_record(line: InvoiceLine) -> InvoiceLineRecord:
    return InvoiceLineRecord(
        id=line.id,
        position=line.position,
        line_id=line.line_id,
        quantity=line.quantity,
        unit_code=line.unit_code,
        line_amount=line.line_amount,
        name=line.name,
        description=line.description,
        seller_item_id=line.seller_item_id,
        standard_item_id=line.standard_item_id,
        classification_codes=classifications(line.classification_codes),
        labels=labels(line.labels),
        properties=properties(line.properties),
        notes=tuple(line.notes or ()),
        delivery_date=line.delivery_date,
        source_line=line.source_line,
        path=line.path,
        billing_reference=line.billing_reference,
        billing_reference_line=line.billing_reference_line,
    )


def invoice_record(invoice: Invoice) -> InvoiceRecord:
    return InvoiceRecord(
        id=invoice.id,
        source_file_id=invoice.source_file_id,
        source_path=invoice.source_file.path,
        document_type=invoice.document_type,
        number=invoice.number,
        issue_date=invoice.issue_date,
        currency=invoice.currency,
        supplier_key=invoice.supplier_key,
        supplier_cvr=invoice.supplier_cvr,
        supplier_name=invoice.supplier_name,
        customer_endpoint_id=invoice.customer_endpoint_id,
        customer_gln=invoice.customer_gln,
        customer_name=invoice.customer_name,
        contract_references=tuple(invoice.contract_references or ()),
        delivery_date=invoice.delivery_date,
        period_end=invoice.period_end,
        line_extension_amount=invoice.line_extension_amount,
        contract_id=invoice.contract_id,
        allowance_charges=allowance_charges(invoice.allowance_charges),
        supplier_se=invoice.supplier_se,
        supplier_gln=invoice.supplier_gln,
        issuer_role=invoice.issuer_role,
        billing_references=tuple(invoice.billing_references or ()),
        lines=tuple(invoice_line_record(line) for line in sorted(invoice.lines, key=lambda line: line.position)),
    )


def stored_invoices(session: Session, contract_id: str | None = None) -> list[Invoice]:
    """Stored invoices (all, or those matched to one contract) with their lines and files, in id order."""
    query = select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.source_file)).order_by(Invoice.id)
    if contract_id is not None:
        query = query.where(Invoice.contract_id == contract_id)
    return list(session.scalars(query))


def contract_invoices(session: Session, contract_id: str) -> list[InvoiceRecord]:
    """The invoices and credit notes matched to one contract, as the checks read them."""
    return [invoice_record(invoice) for invoice in stored_invoices(session, contract_id)]


def logged_trip(trip: Trip) -> LoggedTrip:
    return LoggedTrip(
        trip_date=trip.trip_date,
        registration=trip.registration,
        distance_km=trip.distance_km,
        vehicle_type=trip.vehicle_type,
        fuel=trip.fuel,
        supplier_cvr=trip.supplier_cvr,
        contract_reference=trip.contract_reference,
        source_file_id=trip.source_file_id,
        source_path=trip.source_file.path,
        row=trip.row,
    )


def _contract_log_filter(contract: ContractTerms) -> ColumnElement[bool]:
    """Which driving-log trips belong to a contract: rows from the contract's supplier (or a party whose
    logs count, ``log_supplier_cvrs``) that name this contract or no contract. A row naming another
    contract never counts here, and another supplier's row naming this contract never does either."""
    references = contract.invoice_references | {contract.id}
    return Trip.supplier_cvr.in_(sorted(log_supplier_cvrs(contract))) & (
        Trip.contract_reference.is_(None) | Trip.contract_reference.in_(references)
    )


@dataclass(frozen=True)
class CitingLog:
    """A driving log whose rows name a contract but whose supplier the contract does not list."""

    source_file_id: int
    source_path: str
    supplier_cvr: str | None
    rows: int
    first_row: int


def logs_citing_from_others(session: Session, contract: ContractTerms) -> list[CitingLog]:
    """Driving logs from issuers the contract does not list whose rows name the contract (held out)."""
    references = contract.invoice_references | {contract.id}
    allowed = sorted(log_supplier_cvrs(contract))
    rows = session.execute(
        select(Trip.source_file_id, SourceFile.path, Trip.supplier_cvr, func.count(), func.min(Trip.row))
        .join(SourceFile, SourceFile.id == Trip.source_file_id)
        .where(Trip.contract_reference.in_(references), Trip.supplier_cvr.is_(None) | Trip.supplier_cvr.not_in(allowed))
        .group_by(Trip.source_file_id, SourceFile.path, Trip.supplier_cvr)
        .order_by(Trip.source_file_id)
    )
    return [CitingLog(file_id, path, cvr, count, first) for file_id, path, cvr, count, first in rows]


def contract_log_trips(session: Session, contract: ContractTerms) -> list[LoggedTrip]:
    """The driving-log trips of one contract, in stored order."""
    return [
        logged_trip(trip)
        for trip in session.scalars(
            select(Trip).where(_contract_log_filter(contract)).options(selectinload(Trip.source_file)).order_by(Trip.id)
        )
    ]


def with_register_day(session: Session, trips: Sequence[LoggedTrip]) -> list[LoggedTrip]:
    """The logged trips, each with the register's period that covers its day (issue 16 item 6)."""
    plates = sorted({trip.registration for trip in trips if trip.registration})
    periods: dict[str, list[VehiclePeriod]] = {}
    for start in range(0, len(plates), 500):
        query = select(StoredVehiclePeriod).where(StoredVehiclePeriod.registration.in_(plates[start : start + 500]))
        for row in session.scalars(query):
            periods.setdefault(row.registration, []).append(vehicle_period(row))
    return [
        replace(trip, on_day=vehicle_on_day(periods[trip.registration], trip.trip_date)) if trip.registration in periods else trip
        for trip in trips
    ]


def registered_vehicle(vehicle: Vehicle) -> RegisteredVehicle:
    return RegisteredVehicle(
        registration=vehicle.registration,
        kind=vehicle.kind,
        fuel=vehicle.fuel,
        registered=vehicle.registered,
        euro_norm=vehicle.euro_norm,
        total_weight_kg=vehicle.total_weight_kg,
        green_evidence=vehicle.green_evidence,
        origin=vehicle.origin,
        dmr_vehicle_id=vehicle.dmr_vehicle_id,
        source_file_id=vehicle.source_file_id,
        source_path=vehicle.source_file.path,
        row=vehicle.row,
    )


def vehicle_period(period: StoredVehiclePeriod) -> VehiclePeriod:
    """One stored register validity period as the checks read it (issue 16 item 6)."""
    return VehiclePeriod(
        registration=period.registration,
        kind=period.kind,
        fuel=period.fuel,
        valid_from=period.valid_from,
        valid_to=period.valid_to,
        green_evidence=period.green_evidence,
        origin=period.origin,
        source_file_id=period.source_file_id,
        row=period.row,
    )


def registered_vehicles(session: Session) -> dict[str, RegisteredVehicle]:
    """The vehicle register by plate."""
    query = select(Vehicle).options(selectinload(Vehicle.source_file))
    return {vehicle.registration: registered_vehicle(vehicle) for vehicle in session.scalars(query)}


def vehicle_facts(session: Session, plate: str) -> dict[str, object] | None:
    """``compliance vehicles show --json``: the register's facts about a plate and the §2.1 verdict."""
    row = session.scalars(select(Vehicle).options(selectinload(Vehicle.source_file)).where(Vehicle.registration == plate)).first()
    if row is None:
        return None
    vehicle = registered_vehicle(row)
    return {
        "registration": vehicle.registration,
        "kind": vehicle.kind,
        "fuel": vehicle.fuel,
        "euro_norm": vehicle.euro_norm,
        "total_weight_kg": vehicle.total_weight_kg,
        "registered": vehicle.registered,
        "green": vehicle_is_green(vehicle.kind, vehicle.fuel, vehicle.green_evidence),
        "green_evidence": vehicle.green_evidence,
        "origin": vehicle.origin,
        "dmr_vehicle_id": vehicle.dmr_vehicle_id,
        "source": {"file": vehicle.source_path, "record": vehicle.row},
        # What each source said over time (issue 16 item 6): a trip is judged by the period covering its day.
        "periods": [
            {
                "valid_from": period.valid_from.isoformat() if period.valid_from else None,
                "valid_to": period.valid_to.isoformat() if period.valid_to else None,
                "kind": period.kind,
                "fuel": period.fuel,
                "green": vehicle_is_green(period.kind, period.fuel, period.green_evidence),
                "origin": period.origin,
                "source_file_id": period.source_file_id,
                "record": period.row,
            }
            for period in sorted(
                session.scalars(select(StoredVehiclePeriod).where(StoredVehiclePeriod.registration == plate)),
                key=lambda p: (p.valid_from or date.min, p.source_file_id, p.row),  # open starts first, on every database
            )
        ],
    }


def _catalogue_message(message: CatalogueMessage) -> CatalogueMessageRecord:
    return CatalogueMessageRecord(
        catalogue_id=message.catalogue_id,
        document_type=message.document_type,
        issue_date=message.issue_date,
        target_catalogue_id=message.target_catalogue_id,
        source_file_id=message.source_file_id,
        source_path=message.source_file.path,
        issue_time=message.issue_time,
        action_code=message.action_code,
        supplier_key=message.supplier_key,
        supplier_cvr=message.supplier_cvr,
        contract_references=tuple(message.contract_references or ()),
        valid_from=message.valid_from,
        valid_to=message.valid_to,
        supplier_se=message.supplier_se,
        supplier_gln=message.supplier_gln,
        supplier_name=message.supplier_name,
    )


def _catalogue_item(item: CatalogueItem) -> CatalogueItemRecord:
    return CatalogueItemRecord(
        source_file_id=item.source_file_id,
        line_id=item.line_id,
        position=item.position,
        action_code=item.action_code,
        seller_item_id=item.seller_item_id,
        standard_item_id=item.standard_item_id,
        name=item.name,
        classification_codes=classifications(item.classification_codes),
        labels=labels(item.labels),
        properties=properties(item.properties),
        price=item.price,
        unit_code=item.unit_code,
        source_line=item.source_line,
        path=item.path,
    )


def catalogue_message_records(session: Session) -> list[CatalogueMessageRecord]:
    """Every stored catalogue message's header, in stored order."""
    query = select(CatalogueMessage).options(selectinload(CatalogueMessage.source_file)).order_by(CatalogueMessage.id)
    return [_catalogue_message(message) for message in session.scalars(query)]


def contract_catalogues(session: Session, contracts: Iterable[ContractTerms]) -> dict[str, CatalogueHistory]:
    """Every contract's catalogue history, from one read of the stored catalogue messages and lines."""
    messages = catalogue_message_records(session)
    items = [_catalogue_item(item) for item in session.scalars(select(CatalogueItem).order_by(CatalogueItem.id))]
    return {contract.id: contract_catalogue(contract, messages, items) for contract in contracts}


def licence_registry(session: Session) -> LicenceRegistry:
    """The ingested eco-label registry exports."""
    return LicenceRegistry(
        RegistryLicence(
            label_code=licence.label_code,
            licence_number=licence.licence_number,
            valid_to=licence.valid_to,
            product_group=licence.product_group,
            product_name=licence.product_name,
            holder=licence.holder,
            source_file_id=licence.source_file_id,
            row=licence.row,
        )
        for licence in session.scalars(select(EcolabelLicence).order_by(EcolabelLicence.id))
    )
