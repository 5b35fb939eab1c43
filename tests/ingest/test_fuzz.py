"""Mutated real invoices: every outcome is a correct read or a refusal with a reason — never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import Engine

from compliance.base.documents import CatalogueDocument, InvoiceDocument
from compliance.base.errors import ComplianceError
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_file
from tests.conftest import REFERENCE_DIR, SAMPLE_DIR

SEEDS = sorted([*SAMPLE_DIR.glob("*/*.xml"), *REFERENCE_DIR.glob("invoices/*/*.xml")])[:40]
MAX = 5 * 1024 * 1024

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]
NASTY_TEXT = st.one_of(
    st.text(alphabet="0123456789.,-+eE ÆØÅæøå<>&;'\"\t\n", max_size=40),
    st.sampled_from(["DK", "NaN", "-Infinity", "1E+999999", "9" * 400, "2025-02-30", "DK1234567", "", " "]),
)


def byte_mutation(data: bytes, draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["truncate", "overwrite", "duplicate", "delete"]))
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 200)))
    if kind == "truncate":
        return data[:start]
    if kind == "overwrite":
        return data[:start] + draw(st.binary(max_size=60)) + data[end:]
    if kind == "duplicate":
        return data[:end] + data[start:end] + data[end:]
    return data[:start] + data[end:]


def tree_mutation(data: bytes, draw: st.DrawFn) -> bytes:
    root = etree.fromstring(data)
    elements = [element for element in root.iter() if isinstance(element.tag, str)]  # no comments
    target = elements[draw(st.integers(0, len(elements) - 1))]
    kind = draw(st.sampled_from(["text", "drop", "attribute"]))
    if kind == "text" or target.getparent() is None:
        target.text = draw(NASTY_TEXT)
    elif kind == "drop":
        parent = target.getparent()
        assert parent is not None
        parent.remove(target)
    else:
        target.set("schemeID", draw(NASTY_TEXT))
    return bytes(etree.tostring(root))


@st.composite
def mutated_invoice(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SEEDS))
    data = path.read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        try:
            data = tree_mutation(data, draw) if draw(st.booleans()) else byte_mutation(data, draw)
        except etree.XMLSyntaxError:
            data = byte_mutation(data, draw)
    return path.name, data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_invoice())
def test_mutated_invoices_read_or_refuse_with_a_reason(case: tuple[str, bytes]) -> None:
    name, data = case
    try:
        document = read_source(data, name, MAX)
    except ComplianceError as exc:
        assert exc.file == name
        assert exc.message
        return
    assert isinstance(document, InvoiceDocument | CatalogueDocument)
    amounts = (
        [document.totals.payable, *(line.line_amount for line in document.lines)] if isinstance(document, InvoiceDocument) else []
    )
    assert all(amount is None or amount.is_finite() for amount in amounts)


@pytest.mark.parametrize("seed", range(3))
def test_mutated_invoices_ingest_or_quarantine(engine: Engine, tmp_path: Path, seed: int) -> None:
    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated_invoice())
    def ingest_one(case: tuple[str, bytes]) -> None:
        name, data = case
        path = tmp_path / f"{seed}-{abs(hash(data))}-{name}"
        path.write_bytes(data)
        summary = ingest_file(engine, path, MAX)
        outcomes = len(summary.ingested) + len(summary.duplicates) + len(summary.quarantined)
        assert outcomes == 1
        for _file, reason in summary.quarantined:
            assert reason.startswith(str(path))

    ingest_one()
