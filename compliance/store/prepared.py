"""A document as the rows it becomes, made once where its file is read, checked and stored as they are.

The field-size check (``compliance.store.limits``) has to build a document's rows to check them; the
store used to build them a second time. Now the rows are built once, checked, and turned into the
values the database driver is given (:func:`compliance.store.db.driver_values`): plain tuples, which
parse workers can send to the one writer at a fraction of the cost of sending the document
(``compliance.intake.parallel``). The writer fills in the ids the database assigns (each table's
first column is its parent's id) and inserts them. A driving log's trips (millions of rows, made as
they are written) and a vehicle register (stored by the register's own upsert policy) keep their
document and are stored from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.orm import Session

from compliance.base.documents import InvoiceDocument, SourceDocument
from compliance.store.db import driver_values, ids_by_key, insert_values
from compliance.store.documents import document_rows, store_documents, supplier_key
from compliance.store.limits import check_rows
from compliance.store.models import Base, CatalogueItem, CatalogueMessage, EcolabelLicence, Invoice, InvoiceLine

# The tables whose rows are prepared, each with its model; the first column of each row is its parent's id.
_MODELS: dict[str, type[Base]] = {
    "invoice": Invoice,
    "invoice_line": InvoiceLine,
    "catalogue_message": CatalogueMessage,
    "catalogue_item": CatalogueItem,
    "ecolabel_licence": EcolabelLicence,
}


@dataclass
class PreparedTable:
    """One table's rows of a document as driver values for the columns ``names``."""

    table: str
    names: tuple[str, ...]
    values: list[tuple[Any, ...]]


@dataclass
class PreparedDocument:
    """What the writer needs of a parsed document: its kind and format (the source file's row), the
    number it claims (an invoice's supplier, type and number: the reused-number check) and its rows."""

    document_type: str
    format: str
    number_key: tuple[str, str, str] | None = None
    tables: list[PreparedTable] = field(default_factory=list)
    document: SourceDocument | None = None  # a driving log or a vehicle register: stored from the document


def number_key(document: InvoiceDocument) -> tuple[str, str, str]:
    """Whose document number an invoice or credit note uses: supplier, document type, number."""
    return (supplier_key(document), document.document_type, document.id)


def prepare_document(document: SourceDocument, dialect: Dialect) -> PreparedDocument:
    """The rows ``document`` becomes, checked against the field sizes (raises
    :class:`compliance.store.limits.OversizedValueError`) and converted for ``dialect``."""
    prepared = PreparedDocument(document.document_type, document.format)
    if isinstance(document, InvoiceDocument):
        prepared.number_key = number_key(document)
    for table, rows in document_rows(document):
        if table not in _MODELS:  # trips (made one at a time as they are checked) or a register's vehicles
            check_rows(table, rows)
            prepared.document = document
            continue
        rows = list(rows)
        check_rows(table, rows)
        if rows:
            names = tuple(rows[0])
            prepared.tables.append(PreparedTable(table, names, driver_values(dialect, _MODELS[table], names, rows)))
    return prepared


def _with_parent(values: list[tuple[Any, ...]], parent_id: int) -> list[tuple[Any, ...]]:
    return [(parent_id, *row[1:]) for row in values]


def _insert(session: Session, table: str, parts: Sequence[tuple[int, PreparedTable]]) -> None:
    """One INSERT for the rows of ``table`` of several documents, each given its parent's id."""
    if not parts:
        return
    names = parts[0][1].names
    values: list[tuple[Any, ...]] = []
    for parent_id, part in parts:
        if part.names != names:  # every builder makes the same columns; a mismatch is a bug, not data
            raise ValueError(f"{table}: rows with columns {part.names} among rows with {names}")
        values += _with_parent(part.values, parent_id)
    insert_values(session.connection(), _MODELS[table], names, values)


def store_prepared(session: Session, documents: Sequence[tuple[int, PreparedDocument]]) -> None:
    """Write prepared documents, each linked to its source-file id: invoices first (their lines need the
    invoices' ids), then catalogues and licences; logs and registers from their documents."""
    tables: dict[str, list[tuple[int, PreparedTable]]] = {table: [] for table in _MODELS}
    for source_id, prepared in documents:
        for part in prepared.tables:
            tables[part.table].append((source_id, part))
    _insert(session, "invoice", tables["invoice"])
    if tables["invoice_line"]:
        invoice_ids = ids_by_key(session.connection(), Invoice, "source_file_id", [sid for sid, _ in tables["invoice"]])
        _insert(session, "invoice_line", [(invoice_ids[source_id], part) for source_id, part in tables["invoice_line"]])
    for table in ("catalogue_message", "catalogue_item", "ecolabel_licence"):
        _insert(session, table, tables[table])
    store_documents(session, [(source_id, p.document) for source_id, p in documents if p.document is not None])
