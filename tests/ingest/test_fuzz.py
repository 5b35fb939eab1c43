"""Fuzzing the UBL reader: mutated real invoices, credit notes and catalogues are read correctly or refused with a reason.

The shared property, settings and mutations are in ``tests/ingest/fuzzing.py``; the other readers
have their own files (``test_fuzz_excel.py``, ``test_fuzz_csv.py``, ``test_fuzz_dmr.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from sqlalchemy import Engine

from compliance.base.documents import CatalogueDocument, InvoiceDocument
from compliance.base.errors import SourceFileError
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_file
from tests.conftest import SAMPLE_DIR
from tests.ingest.fuzzing import MAX_BYTES, fuzz_settings, mutated_xml, need_reference, read_document_or_refuse, reference_files

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

SEEDS = sorted(SAMPLE_DIR.glob("*/*.xml")) + reference_files("invoices/*/*.xml") + reference_files("catalogues/*/*.xml")


@st.composite
def mutated_ubl(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SEEDS))
    return path.name, draw(mutated_xml(path.read_bytes()))


def test_every_ubl_seed_reads() -> None:
    """The seeds themselves are read: a mutation starts from a file the reader accepts."""
    for path in SEEDS:
        document = read_document_or_refuse(lambda path=path: read_source(path.read_bytes(), path.name, MAX_BYTES), path.name)
        assert isinstance(document, InvoiceDocument | CatalogueDocument), f"{path}: {document}"


def test_the_ubl_seeds_include_the_reference_files() -> None:
    need_reference()
    assert len(SEEDS) > 60


@fuzz_settings()
@given(mutated_ubl())
def test_mutated_ubl_documents_read_or_refuse_with_a_reason(case: tuple[str, bytes]) -> None:
    name, data = case
    outcome = read_document_or_refuse(lambda: read_source(data, name, MAX_BYTES), name)
    if isinstance(outcome, InvoiceDocument):
        amounts = [outcome.totals.payable, *(line.line_amount for line in outcome.lines)]
        assert all(amount is None or amount.is_finite() for amount in amounts)
    else:
        assert isinstance(outcome, CatalogueDocument | SourceFileError)


@pytest.mark.parametrize("seed", range(3))
def test_mutated_invoices_ingest_or_quarantine(engine: Engine, tmp_path: Path, seed: int) -> None:
    """Through the ingest batch: each mutated file is stored, a duplicate, or quarantined with its name."""

    @hypothesis_seed(seed)
    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated_ubl())
    def ingest_one(case: tuple[str, bytes]) -> None:
        name, data = case
        path = tmp_path / f"{seed}-{abs(hash(data))}-{name}"
        path.write_bytes(data)
        summary = ingest_file(engine, path, MAX_BYTES)
        outcomes = len(summary.ingested) + len(summary.duplicates) + len(summary.quarantined)
        assert outcomes == 1
        for _file, reason in summary.quarantined:
            assert reason.startswith(str(path))

    ingest_one()
