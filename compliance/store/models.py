"""Tables of the compliance database; every row keeps the file (and line) it came from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal stored without loss: NUMERIC on PostgreSQL, text on SQLite (which has no decimal type)."""

    impl = String(48)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(48))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        return value if dialect.name == "postgresql" else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class Base(DeclarativeBase):
    pass


class SourceFile(Base):
    """Every file ever offered to ingest, by content hash; quarantined files say why."""

    __tablename__ = "source_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ingested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Contract(Base):
    """A snapshot of the contract terms file used by the last check, for traceability."""

    __tablename__ = "contract"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    supplier_cvr: Mapped[str] = mapped_column(String(8))
    supplier_name: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    terms_file: Mapped[str] = mapped_column(Text)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Invoice(Base):
    """An invoice or credit note; amounts as in the document (credit notes are positive here).

    ``net_amount`` (excl. VAT), ``tax_amount`` (the VAT total) and ``gross_amount`` (incl. VAT) mean
    the same for every format (``compliance.base.documents.Totals``); ``stated_totals`` keeps the
    document's own totals by element name as written (OIOUBL 2.x's ``TaxExclusiveAmount`` is the VAT).
    """

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("supplier_key", "document_type", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), unique=True)
    document_type: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(60))
    number: Mapped[str] = mapped_column(String(200))
    issue_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    supplier_key: Mapped[str] = mapped_column(String(200))
    supplier_cvr: Mapped[str | None] = mapped_column(String(8), index=True)
    supplier_se: Mapped[str | None] = mapped_column(String(8))
    supplier_name: Mapped[str | None] = mapped_column(Text)
    supplier_endpoint_id: Mapped[str | None] = mapped_column(String(200))
    supplier_endpoint_scheme: Mapped[str | None] = mapped_column(String(40))
    customer_endpoint_id: Mapped[str | None] = mapped_column(String(200))
    customer_endpoint_scheme: Mapped[str | None] = mapped_column(String(40))
    customer_gln: Mapped[str | None] = mapped_column(String(13))
    customer_cvr: Mapped[str | None] = mapped_column(String(8))
    customer_name: Mapped[str | None] = mapped_column(Text)
    contract_references: Mapped[list[str]] = mapped_column(JSON)
    line_extension_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    net_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    tax_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    gross_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    prepaid_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    rounding_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    stated_totals: Mapped[dict[str, str] | None] = mapped_column(JSON)
    payable_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    allowance_total_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    charge_total_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    allowance_charges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    contract_id: Mapped[str | None] = mapped_column(String(80), index=True)
    supplier_gln: Mapped[str | None] = mapped_column(String(13))
    # Set by each check run (compliance.checks.attribution): supplier | issuing_entity | subcontractor for
    # the contract it counts for; "held_out" when it cites a contract that does not list its issuer.
    issuer_role: Mapped[str | None] = mapped_column(String(20))
    # False for a subcontractor's document the contract keeps out of the §2.1 share (its trip lines do not count).
    in_green_vehicle_share: Mapped[bool | None] = mapped_column(Boolean)
    # The invoices a credit note credits (BillingReference/InvoiceDocumentReference/ID), as written.
    billing_references: Mapped[list[str] | None] = mapped_column(JSON)

    source_file: Mapped[SourceFile] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )

    @property
    def sign(self) -> int:
        """+1 for invoices, −1 for credit notes: the factor applied to quantities and amounts."""
        return -1 if self.document_type == "credit_note" else 1


class InvoiceLine(Base):
    """One line; quantity and amount are stored with the document's sign applied (credit notes negative)."""

    __tablename__ = "invoice_line"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    unit_code: Mapped[str | None] = mapped_column(String(20))
    line_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    seller_item_id: Mapped[str | None] = mapped_column(String(200), index=True)
    standard_item_id: Mapped[str | None] = mapped_column(String(200))
    classification_codes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    labels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    properties: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    allowance_charges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    source_line: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)
    # What this (credit-note) line credits: the invoice number and its line id, when the line says so.
    billing_reference: Mapped[str | None] = mapped_column(String(200))
    billing_reference_line: Mapped[str | None] = mapped_column(String(200))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class CatalogueMessage(Base):
    """One catalogue document (full catalogue, update or deletion): the order and scope its lines apply in."""

    __tablename__ = "catalogue_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), unique=True)
    catalogue_id: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(60))
    format: Mapped[str] = mapped_column(String(60))
    issue_date: Mapped[date] = mapped_column(Date)
    issue_time: Mapped[str | None] = mapped_column(String(40))
    action_code: Mapped[str | None] = mapped_column(String(40))
    version_id: Mapped[str | None] = mapped_column(String(60))
    target_catalogue_id: Mapped[str] = mapped_column(String(200))
    supplier_key: Mapped[str] = mapped_column(String(200), index=True)
    supplier_cvr: Mapped[str | None] = mapped_column(String(8))
    supplier_name: Mapped[str | None] = mapped_column(Text)
    customer_gln: Mapped[str | None] = mapped_column(String(13))
    contract_references: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    line_count: Mapped[int] = mapped_column(Integer)
    supplier_se: Mapped[str | None] = mapped_column(String(8))
    supplier_gln: Mapped[str | None] = mapped_column(String(13))

    source_file: Mapped[SourceFile] = relationship()


class EcolabelLicence(Base):
    """One licence from an eco-label registry export (EU Ecolabel, Nordic Swan), by file and row."""

    __tablename__ = "ecolabel_licence"
    __table_args__ = (UniqueConstraint("source_file_id", "row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    label_code: Mapped[str] = mapped_column(String(60))
    licence_number: Mapped[str] = mapped_column(String(80), index=True)
    product_group: Mapped[str | None] = mapped_column(Text)
    product_name: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(Text)
    gtin: Mapped[str | None] = mapped_column(String(20))
    valid_to: Mapped[date | None] = mapped_column(Date)

    source_file: Mapped[SourceFile] = relationship()


class CatalogueItem(Base):
    __tablename__ = "catalogue_item"
    __table_args__ = (UniqueConstraint("source_file_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    catalogue_id: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(60))
    issue_date: Mapped[date] = mapped_column(Date)
    supplier_cvr: Mapped[str | None] = mapped_column(String(8), index=True)
    contract_references: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[str] = mapped_column(String(200))
    action_code: Mapped[str | None] = mapped_column(String(40))
    seller_item_id: Mapped[str | None] = mapped_column(String(200), index=True)
    standard_item_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(Text)
    classification_codes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    labels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    properties: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    unit_code: Mapped[str | None] = mapped_column(String(20))
    source_line: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)

    source_file: Mapped[SourceFile] = relationship()


class TripLine(Base):
    """An invoice line a contract's §2.1 matchers recognised: its kind, day and trips, kept so that
    counting a year is one SQL aggregation. ``trips_milli`` is the quantity × 1000 (an exact integer
    sum on every database); credit-note lines are negative."""

    __tablename__ = "trip_line"
    __table_args__ = (
        UniqueConstraint("contract_id", "invoice_line_id"),
        Index("ix_trip_line_contract_day", "contract_id", "day", "kind", "trips_milli"),  # covering: counts read the index only
        Index("ix_trip_line_contract_delivery", "contract_id", "delivery_key", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(80))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    invoice_line_id: Mapped[int] = mapped_column(ForeignKey("invoice_line.id"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    trips_milli: Mapped[int] = mapped_column(BigInteger)
    registrations: Mapped[list[str]] = mapped_column(JSON)
    # Issue 16 items 5–6: ``kind`` is how the line counts; ``stated_kind`` what it says (green or
    # conventional …); the plate texts that could not be read; the register's word on each plate on the
    # line's day ({"plate", "status": green|not_green|unknown, "kind", "fuel", "green_evidence", …}).
    stated_kind: Mapped[str | None] = mapped_column(String(16))
    unreadable: Mapped[list[str] | None] = mapped_column(JSON)
    plate_verdicts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Reconciliation (compliance.assessment.credit_notes): the line's own quantity × 1000 as stored
    # (signed), why all or part of it is not counted, the invoice line a credit-note line credits, and
    # the earlier line a re-invoiced delivery repeats. ``trips_milli`` is what counts.
    quantity_milli: Mapped[int | None] = mapped_column(BigInteger)
    held: Mapped[str | None] = mapped_column(String(30))
    credited_line_id: Mapped[int | None] = mapped_column(Integer)
    duplicate_of_line_id: Mapped[int | None] = mapped_column(Integer)
    # Supplier, day, item, plates and quantity of an invoiced delivery, hashed: the same delivery
    # invoiced again under another number has the same key (None for credit notes and negatives).
    delivery_key: Mapped[str | None] = mapped_column(String(64))


class LineAcceptance(Base):
    """A contract manager's acceptance of an invoice line held out of the count (a negative quantity
    on an invoice, a negative credited quantity): who, when and why. Never changed afterwards."""

    __tablename__ = "line_acceptance"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_line_id: Mapped[int] = mapped_column(ForeignKey("invoice_line.id"), unique=True)
    held: Mapped[str] = mapped_column(String(30))
    accepted_by: Mapped[str] = mapped_column(String(200))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)


class TripLineScan(Base):
    """Which invoices were read for a contract's trip lines, with which trip-line rules (their hash)."""

    __tablename__ = "trip_line_scan"

    contract_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    rules_sha256: Mapped[str] = mapped_column(String(64))


class Trip(Base):
    """One trip from a driving log, by file and row."""

    __tablename__ = "trip"
    __table_args__ = (UniqueConstraint("source_file_id", "row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    supplier_cvr: Mapped[str | None] = mapped_column(String(8), index=True)
    trip_date: Mapped[date] = mapped_column(Date)
    registration: Mapped[str | None] = mapped_column(String(20), index=True)
    vehicle_type: Mapped[str | None] = mapped_column(String(40))
    distance_km: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    fuel: Mapped[str | None] = mapped_column(String(40))
    contract_reference: Mapped[str | None] = mapped_column(String(80))

    source_file: Mapped[SourceFile] = relationship()


class Vehicle(Base):
    """The current register record per plate (which source wins: ``compliance.store.vehicles``)."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    fuel: Mapped[str] = mapped_column(String(40))
    euro_norm: Mapped[int | None] = mapped_column(Integer)
    total_weight_kg: Mapped[int | None] = mapped_column(Integer)
    registered: Mapped[bool] = mapped_column(Boolean)
    green_evidence: Mapped[str | None] = mapped_column(Text)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    row: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(20), server_default="declared")
    dmr_vehicle_id: Mapped[str | None] = mapped_column(String(20))

    source_file: Mapped[SourceFile] = relationship()


class VehiclePeriod(Base):
    """What the register says about a plate over a stretch of days (issue 16 item 6): one row per DMR
    record or declared row, from ``valid_from`` to ``valid_to`` (inclusive; None = open). A trip is
    judged by the period that covers its day (``compliance.checks.green_vehicles.vehicle_on_day``)."""

    __tablename__ = "vehicle_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration: Mapped[str] = mapped_column(String(20), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    fuel: Mapped[str] = mapped_column(String(40))
    green_evidence: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(20))
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)


class Finding(Base):
    """One rule outcome that someone must act on; ``fingerprint`` keeps re-runs from repeating it.

    The fingerprint is rule id@version + contract + year + source file + location + ``subject``,
    never the message (compliance.base.findings.finding_fingerprint).
    """

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    contract_id: Mapped[str | None] = mapped_column(String(80), index=True)
    contract_year: Mapped[int | None] = mapped_column(Integer)
    supplier_cvr: Mapped[str | None] = mapped_column(String(8))
    # What the finding is about (compliance.base.findings.evidence_key): part of the fingerprint.
    subject: Mapped[str] = mapped_column(Text)
    # The message as key + parameters; outputs render it (compliance.base.messages.render_message).
    message_key: Mapped[str] = mapped_column(String(80))
    message_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The English rendering when the finding was stored: for reading the database, not for outputs.
    message: Mapped[str] = mapped_column(Text)
    expected: Mapped[str | None] = mapped_column(Text)
    received: Mapped[str | None] = mapped_column(Text)
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_file.id"))
    location: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    source_file: Mapped[SourceFile | None] = relationship()


class Assessment(Base):
    """A rule measured over one contract year: the figures, the level and the penalty it leads to."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("contract_id", "contract_year", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(80), index=True)
    contract_year: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[str] = mapped_column(String(80))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    share: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    level: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    penalty_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notice(Base):
    """A letter to a supplier (hearing before a penalty, discrepancies) with its deadline."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("contract_id", "contract_year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(80))
    contract_year: Mapped[int] = mapped_column(Integer)
    supplier_cvr: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    proposed_penalty: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    deadline: Mapped[date | None] = mapped_column(Date)
    path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_penalty: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_sha256: Mapped[str | None] = mapped_column(String(64))

    events: Mapped[list[HearingEvent]] = relationship(back_populates="notice", order_by="HearingEvent.id")


class HearingEvent(Base):
    """One step of a hearing (§2.1), never changed afterwards: the audit trail of a penalty."""

    __tablename__ = "hearing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    status_after: Mapped[str] = mapped_column(String(20))
    # A recalculation's figures before and after and the documents that changed them (None for other steps).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    notice: Mapped[Notice] = relationship(back_populates="events")


class NoticeDelivery(Base):
    """One attempt to e-mail a notice: to whom, through which server, which PDF, and what happened."""

    __tablename__ = "notice_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recipient: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(Text)
    smtp_host: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str] = mapped_column(Text)
    attachment_sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The letter that went out (None for deliveries before revision 0011: they match by content_sha256).
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # "sent" | "failed"
    error: Mapped[str | None] = mapped_column(Text)


class PipelineLock(Base):
    """One row that every writing stage updates first, so two pipeline runs write one after the other.

    On PostgreSQL the row lock, on SQLite the database write lock taken by the UPDATE, makes a second
    run wait until the first commits; it then reads what the first stored and counts nothing twice.
    """

    __tablename__ = "pipeline_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str | None] = mapped_column(Text)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataQualityRun(Base):
    """One expectation suite run on one ingest batch (or on one DMR import): what was checked and what failed."""

    __tablename__ = "data_quality_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    dataset: Mapped[str] = mapped_column(String(40))
    files: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    expectations: Mapped[int] = mapped_column(Integer)
    failed_expectations: Mapped[list[str]] = mapped_column(JSON)
    failing_files: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[Decimal] = mapped_column(Numeric(10, 3))


class DataQualityFailure(Base):
    """A row that failed an expectation; its file is quarantined (a DMR record is left out instead).

    Only a file's current failures are kept: checking the file again replaces them.
    """

    __tablename__ = "data_quality_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("data_quality_run.id"), index=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(80))
    expectation: Mapped[str] = mapped_column(String(80))
    columns: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)
    more_rows: Mapped[int] = mapped_column(Integer)


class QuarantineAction(Base):
    """What the data team did about a quarantined file, with who, when and why (``compliance quarantine``).

    ``release``: read the file again at the next ingest (a newer version of this tool, a fixed
    vocabulary); ``dismiss``: seen, nothing to do (the supplier sends a corrected file). A file is
    open while it is quarantined and its latest action is not a dismissal.
    """

    __tablename__ = "quarantine_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # "release" | "dismiss"
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    acted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The quarantine reason the action answered (a released file may be quarantined again for another).
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
