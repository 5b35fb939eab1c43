"""Catalogue history: updates and deletions apply in document order, and every state stays answerable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from compliance.catalogues import CatalogueHistory
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import CatalogueItem, CatalogueMessage

MAX = 5 * 1024 * 1024
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def history_of(engine: Engine) -> CatalogueHistory:
    with session_scope(engine) as session:
        messages = session.scalars(select(CatalogueMessage).options(selectinload(CatalogueMessage.source_file))).all()
        items = session.scalars(select(CatalogueItem)).all()
        return CatalogueHistory(messages, items)


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


def test_oioubl_update_then_deletion_of_the_paper_catalogue(engine: Engine, reference_dir: Path) -> None:
    folder = reference_dir / "catalogues" / "oioubl-2.1"
    ingest_paths(engine, [folder / "OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml"], MAX)
    ingest_paths(engine, [folder / "OIOUBL_CataloguePricingUpdate_v2p2.xml"], MAX)
    ingest_paths(engine, [folder / "OIOUBL_CatalogueDeletion_v2p2.xml"], MAX)
    history = history_of(engine)
    # 1 May: the specification update says A4 paper carries the Nordic Swan label.
    before_prices = history.state_on("121643", date(2006, 5, 10))
    assert before_prices is not None and before_prices.name == "A4 Paper" and before_prices.price is None
    assert [label["code"] for label in before_prices.labels] == ["SVANEN"]
    assert before_prices.specified_by.file.endswith("OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml")
    # 15 May 12:00 the pricing update (found by line id: it has no seller's item id) keeps the label …
    priced = history.timeline("121643")[1][1]
    assert priced is not None and priced.price == Decimal("47.50") and [lb["code"] for lb in priced.labels] == ["SVANEN"]
    assert priced.priced_by is not None and priced.priced_by.file.endswith("OIOUBL_CataloguePricingUpdate_v2p2.xml")
    # … and the deletion, issued the same minute but received later, ends the whole catalogue.
    assert history.state_on("121643", date(2006, 5, 15)) is None
    assert history.state_on("121645", date(2006, 6, 1)) is None
    assert history.state_on("121643", date(2006, 5, 14)) is not None  # the past stays answerable
    assert [state is None for _, state, _ in history.timeline("121645")] == [False, False, True]
    # The specification update named items no earlier catalogue listed: kept, and reported.
    assert [u.line_id for u in history.unmatched_updates] == ["87493746-121643", "87493746-121645"]


def test_a_pricing_update_for_an_unknown_item_is_reported_not_applied(engine: Engine, reference_dir: Path) -> None:
    ingest_paths(engine, [reference_dir / "catalogues/oioubl-2.1/OIOUBL_CataloguePricingUpdate_v2p2.xml"], MAX)
    history = history_of(engine)
    assert [u.line_id for u in history.unmatched_updates] == ["87493746-121643", "87493746-121645"]
    assert history.states_in(date(2000, 1, 1), date(2030, 1, 1)) == []


def test_line_action_delete_ends_an_item(engine: Engine, reference_dir: Path) -> None:
    folder = reference_dir / "catalogues" / "oioubl-2.02"
    ingest_paths(engine, [folder / "CATEXE_05_05_00_Catalogue_A_v2p2.xml"], MAX)
    history = history_of(engine)
    assert history.state_on("951951", date(2006, 8, 15)) is not None
    assert history.state_on("951952", date(2006, 8, 15)) is None and not history.ever_listed("951952")


def test_peppol_replace_ends_items_the_new_catalogue_leaves_out(engine: Engine, reference_dir: Path, tmp_path: Path) -> None:
    folder = reference_dir / "catalogues" / "peppol"
    ingest_paths(engine, [folder / "catalogue-wo-response-use-case-1.xml"], MAX)
    # The real "Replace" catalogue, with its ink-cartridge line (item 1038195) taken out.
    tree = etree.parse(str(folder / "catalogue-wo-response-use-case-3.xml"))
    for line in tree.getroot().findall(f"{CAC}CatalogueLine"):
        if line.findtext(f"{CAC}Item/{CAC}SellersItemIdentification/{CBC}ID") == "1038195":
            line.getparent().remove(line)
    replacement = tmp_path / "replace-without-ink.xml"
    tree.write(str(replacement), xml_declaration=True, encoding="UTF-8")
    ingest_paths(engine, [replacement], MAX)
    history = history_of(engine)
    # Both are valid from 1 September 2019; the later-issued Replace wins from then on.
    assert history.state_on("4747", date(2019, 8, 31)) is None  # neither catalogue is in force yet
    apples = history.state_on("4747", date(2019, 9, 2))
    assert apples is not None and apples.price == Decimal("21.10") and apples.labels[0]["licence"] == "Z04"
    assert history.state_on("1038195", date(2019, 9, 2)) is None and history.ever_listed("1038195")
    assert history.state_on("2451027", date(2019, 9, 2)) is not None  # new in the replacement
    assert history.state_on("4747", date(2021, 1, 1)) is None  # validity ended 31 December 2020
    in_2019 = {state.seller_item_id for state in history.states_in(date(2019, 1, 1), date(2019, 12, 31))}
    assert "1038195" not in in_2019 and {"4747", "2451027", "D345gold"} <= in_2019


def test_an_incremental_catalogue_keeps_the_items_it_does_not_mention(engine: Engine, reference_dir: Path) -> None:
    folder = reference_dir / "catalogues" / "peppol"
    ingest_paths(engine, [folder / "catalogue-wo-response-use-case-3.xml"], MAX)
    ingest_paths(engine, [folder / "Catalogue_Example.xml"], MAX)  # header action "Add": lines add or update
    history = history_of(engine)
    assert history.state_on("4747", date(2019, 9, 2)) is not None
    paper = history.state_on("MNTR011", date(2019, 1, 1))
    assert paper is not None and paper.labels[0]["code"] == "SVANEN" and paper.labels[0]["licence"] == "123450"


def test_an_update_for_an_item_no_catalogue_listed_is_a_finding_in_its_year() -> None:
    from compliance.checks.catalogue_consistency import RULE_UPDATE_WITHOUT_ITEM, catalogue_consistency_findings
    from compliance.contracts import load_contract
    from tests.conftest import CONTRACTS_DIR

    contract = load_contract(CONTRACTS_DIR / "KK-2025-0042.yaml")
    message = CatalogueMessage(
        source_file_id=3, catalogue_id="NK-PRIS-1", document_type="catalogue_pricing_update", issue_date=date(2025, 3, 1),
        target_catalogue_id="NK-KAT-2025", supplier_key="27614590", contract_references=["KK-2025-0042"],
    )  # fmt: skip
    line = CatalogueItem(
        source_file_id=3, position=1, line_id="9", seller_item_id="NY-VARE", price=Decimal("10.00"), source_line=40
    )
    history = CatalogueHistory([message], [line])
    year1 = catalogue_consistency_findings(contract, contract.year(1), [], history)
    assert [(f.rule_id, f.location, f.evidence["item"]) for f in year1] == [(RULE_UPDATE_WITHOUT_ITEM, "line 40", "NY-VARE")]
    assert "not applied" in year1[0].message
    assert catalogue_consistency_findings(contract, contract.year(2), [], history) == []
