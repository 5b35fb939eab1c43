"""The checks' inputs loaded from the store: stored catalogue messages and registry exports become read models.

The rule tests build these records inline; here the real files are ingested into a database and
loaded back through ``compliance.assessment.inputs``, which is the one place rows become records.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from compliance.assessment.inputs import contract_catalogues, licence_registry
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import CatalogueMessage, EcolabelLicence
from tests.builders import contract

pytestmark = [pytest.mark.slow, pytest.mark.integration]

MAX = 5 * 1024 * 1024


def test_every_reference_catalogue_ingests_with_its_message(engine: Engine, reference_dir: Path) -> None:
    files = sorted((reference_dir / "catalogues").glob("*/*.xml"))
    summary = ingest_paths(engine, files, MAX)
    assert not summary.quarantined and len(summary.ingested) == len(files) == 14
    with session_scope(engine) as session:
        messages = {m.source_file.path.split("/catalogues/")[1]: m for m in session.scalars(select(CatalogueMessage))}
        deletion = messages["oioubl-2.1/OIOUBL_CatalogueDeletion_v2p2.xml"]
        assert (deletion.document_type, deletion.target_catalogue_id, deletion.line_count) == (
            "catalogue_deletion",
            "CAT-EX-2",
            0,
        )
        update = messages["oioubl-2.1/OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml"]
        assert (update.catalogue_id, update.target_catalogue_id, update.issue_time) == (
            "CAT-EX-2_ITEMUPDATE",
            "CAT-EX-2",
            "12:00:00",
        )
        replace = messages["peppol/catalogue-wo-response-use-case-3.xml"]
        assert (replace.action_code, replace.valid_from, replace.valid_to) == ("Replace", date(2019, 9, 1), date(2020, 12, 31))
        assert replace.supplier_key == "987654325"  # no CVR in this Norwegian example: its 0192 endpoint id


def test_stored_oioubl_update_pricing_and_deletion_load_as_one_contract_history(engine: Engine, reference_dir: Path) -> None:
    folder = reference_dir / "catalogues" / "oioubl-2.1"
    for name in ("ItemSpecificationUpdate", "PricingUpdate", "Deletion"):  # received in this order, one file per run
        ingest_paths(engine, [folder / f"OIOUBL_Catalogue{name}_v2p2.xml"], MAX)
    # The updates name contract PAPER-1 and come from its supplier (issue 16: a document counts only from a
    # party of the contract); the deletion names no contract and belongs by the same supplier.
    paper = contract(id="PAPER-1", supplier={"name": "Leverandør", "cvr": "87493746"})
    with session_scope(engine) as session:
        history = contract_catalogues(session, [paper])["PAPER-1"]
    assert [m.document_type for m in history.messages] == [
        "catalogue_item_specification_update",
        "catalogue_pricing_update",
        "catalogue_deletion",
    ]
    a4 = history.state_on("121643", date(2006, 5, 10))
    assert a4 is not None and [(lb.code, lb.type1) for lb in a4.labels] == [("SVANEN", True)]
    assert a4.classification_codes[0].code == "14111507" and a4.specified_by.source_line == 137
    priced = history.timeline("121643")[1][1]
    assert priced is not None and priced.price == Decimal("47.50")
    assert history.state_on("121643", date(2006, 5, 15)) is None  # the deletion ends the catalogue


def test_a_stored_registry_export_loads_as_the_licence_registry(engine: Engine, tmp_path: Path) -> None:
    export = tmp_path / "svanen.csv"
    export.write_text(
        "Licensnummer;Produktnavn;Produktgruppe;Licensindehaver;Udløbsdato\n"
        "3041 0012;Kopipapir A4;011;Papirfabrik A/S;30-06-2025\n"
        "2045 0077;Universalrengøring;026;Kemi ApS;31-12-2027\n"
        "DK/019/001;Håndsæbe;EU44;Sæbe A/S;31-12-2026\n",
        encoding="utf-8",
    )
    summary = ingest_paths(engine, [export], MAX)
    assert not summary.quarantined
    with session_scope(engine) as session:
        assert len(session.scalars(select(EcolabelLicence)).all()) == 3
        registry = licence_registry(session)
    assert registry.labels == {"SVANEN", "EU_ECO_LABEL"}
    (paper,) = registry.find("SVANEN", "30410012")  # looked up without the space
    assert (paper.valid_to, paper.product_group, paper.row) == (date(2025, 6, 30), "011", 2)
