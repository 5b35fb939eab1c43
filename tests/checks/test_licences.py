"""Licence numbers: registry exports ingest, and claims are checked for format, existence, expiry and group."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import yaml
from sqlalchemy import Engine, select

from compliance.base.documents import EcolabelRegistryDocument, document_as_json
from compliance.base.settings import PROJECT_ROOT
from compliance.checks.licences import RULE_EXPIRED, RULE_INVALID_FORMAT, RULE_NOT_IN_REGISTRY, RULE_WRONG_GROUP
from compliance.checks.runner import run_checks
from compliance.contracts import load_contracts
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import EcolabelLicence, Finding
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

MAX = 5 * 1024 * 1024
AS_OF = date(2026, 11, 22)
EU_EXPORT = (
    "product_or_service;licence_number;group_name;code_type;code_value;product_or_service_name;expiration_date;"
    "company_name;company_country;vat_number\n"
    "product;DK/011/004;Copying and graphic paper;EAN13;5701234567892;Kontorpapir A4;2027-06-30;Papirfabrik A/S;DK;DK11111111\n"
    "product;AT/004/001;Tissue Paper and Tissue Products;;;Toiletpapir;2028-12-31;Tissue GmbH;AT;ATU1\n"
)
SWAN_EXPORT = (
    "Licensnummer;Produktnavn;Produktgruppe;Licensindehaver;Udløbsdato\n"
    "3041 0012;Kopipapir A4;011;Papirfabrik A/S;30-06-2025\n"
    "2045 0077;Universalrengøring;026;Kemi ApS;31-12-2027\n"
    "DK/019/001;Håndsæbe;EU44;Sæbe A/S;31-12-2026\n"
)


def test_registry_exports_are_recognised_by_their_columns(tmp_path: Path) -> None:
    swan = read_source(SWAN_EXPORT.encode("utf-8-sig"), "svanen.csv", MAX)
    assert isinstance(swan, EcolabelRegistryDocument) and swan.format == "nordic-swan-export"
    assert [(r.row, r.label_code, r.licence_number, r.valid_to) for r in swan.licences] == [
        (2, "SVANEN", "3041 0012", date(2025, 6, 30)),
        (3, "SVANEN", "2045 0077", date(2027, 12, 31)),
        (4, "EU_ECO_LABEL", "DK/019/001", date(2026, 12, 31)),  # the Swan export mixes in EU Ecolabel licences
    ]
    eu = read_source(EU_EXPORT.encode(), "ecat.csv", MAX)
    assert isinstance(eu, EcolabelRegistryDocument) and eu.format == "eu-ecolabel-export"
    assert eu.licences[0].gtin == "5701234567892" and eu.licences[1].gtin is None
    schema = json.loads((PROJECT_ROOT / "schemas" / "normalized-document.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document_as_json(eu), schema, format_checker=jsonschema.FormatChecker())


def test_a_bad_expiry_date_names_the_row(tmp_path: Path) -> None:
    bad = EU_EXPORT.replace("2028-12-31", "someday")
    try:
        read_source(bad.encode(), "ecat.csv", MAX)
    except Exception as error:
        assert "ecat.csv" in str(error) and "row 3, expiration_date" in str(error)
    else:
        raise AssertionError("a bad date was accepted")


def _office_contract(tmp_path: Path, **copy_paper_changes: object) -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir()
    text = (CONTRACTS_DIR / "KK-2025-0042.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["period"] = {key: str(value) for key, value in data["period"].items()}
    data["eco_labels"][0].update(copy_paper_changes)
    (folder / "KK-2025-0042.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def _licence_findings(engine: Engine, contracts_dir: Path) -> list[Finding]:
    contracts, errors = load_contracts(contracts_dir)
    assert not errors
    run_checks(engine, contracts, as_of=AS_OF)
    with session_scope(engine) as session:
        return list(
            session.scalars(select(Finding).where(Finding.rule_id.like("licences.%")).order_by(Finding.contract_year, Finding.id))
        )


def test_an_expired_nordic_swan_licence_is_reported_once_at_the_first_delivery_after_expiry(
    engine: Engine, tmp_path: Path
) -> None:
    registry = tmp_path / "svanen.csv"
    registry.write_text(SWAN_EXPORT, encoding="utf-8")
    summary = ingest_paths(engine, [SAMPLE_DIR / "office", registry], MAX)
    assert not summary.quarantined
    with session_scope(engine) as session:
        assert len(session.scalars(select(EcolabelLicence)).all()) == 3
    findings = _licence_findings(engine, _office_contract(tmp_path))
    # The catalogue's copy-paper licence 3041 0012 expired on 30 June 2025. Reported: the first delivery
    # relying on the catalogue after that (July), December's Excel invoice that states the number itself,
    # and the catalogue, which kept stating it to the end of each year.
    assert [(f.rule_id, f.contract_year, f.evidence.get("invoice"), f.evidence.get("day")) for f in findings] == [
        (RULE_EXPIRED, 1, "NK-2025-0007", "2025-07-15"),
        (RULE_EXPIRED, 1, "NK-2025-0012", "2025-12-15"),
        (RULE_EXPIRED, 1, None, None),
        (RULE_EXPIRED, 2, None, None),
    ]
    assert findings[0].evidence["expired"] == "2025-06-30" and findings[0].evidence["label_source"] == "catalogue NK-KAT-2025"
    assert findings[1].evidence["label_source"] == "invoice line"
    assert "before 2025-12-31" in findings[2].message and findings[2].evidence["file"].endswith("katalog-2025.xml")


def test_licences_missing_from_the_registry_and_in_the_wrong_product_group(engine: Engine, tmp_path: Path) -> None:
    registry = tmp_path / "svanen.csv"
    # The registry no longer lists the cleaning product's licence; the paper licence is for group 026.
    registry.write_text(SWAN_EXPORT.replace("2045 0077", "2045 9999").replace("30-06-2025\n", "30-06-2030\n"), encoding="utf-8")
    ingest_paths(engine, [SAMPLE_DIR / "office", registry], MAX)
    findings = _licence_findings(engine, _office_contract(tmp_path, licence_product_groups=["^026$"]))
    found = {(f.rule_id, f.contract_year, Path(f.evidence["file"]).name, f.location) for f in findings}
    assert found == {
        # The first delivery relying on each catalogue statement, December's Excel invoice, and the catalogue.
        (RULE_WRONG_GROUP, 1, "NK-2025-0001.xml", "line 107"),
        (RULE_NOT_IN_REGISTRY, 1, "NK-2025-0001.xml", "line 255"),
        (RULE_WRONG_GROUP, 1, "NK-2025-0012.xlsx", "line 2"),
        (RULE_NOT_IN_REGISTRY, 1, "NK-2025-0012.xlsx", "line 6"),
        (RULE_WRONG_GROUP, 1, "katalog-2025.xml", "line 31"),
        (RULE_NOT_IN_REGISTRY, 1, "katalog-2025.xml", "line 151"),
        # 2026: the cleaning product's July update states no label any more; the paper's stays wrong.
        (RULE_WRONG_GROUP, 2, "katalog-2025.xml", "line 31"),
    }
    wrong = next(f for f in findings if f.rule_id == RULE_WRONG_GROUP)
    assert wrong.evidence["registry_group"] == "011" and wrong.received == "3041 0012"


def test_a_malformed_eu_ecolabel_number_is_reported_without_a_registry(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (SAMPLE_DIR / "office" / "katalog-2025.xml").read_text(encoding="utf-8")
    # The supplier switches the paper's label to the EU Ecolabel, with a number in the wrong shape.
    text = text.replace("<cbc:ID>3041 0012</cbc:ID>", "<cbc:ID>DK-011-004</cbc:ID>", 1).replace(
        "<cbc:CertificateTypeCode>SVANEN</cbc:CertificateTypeCode>", "<cbc:CertificateTypeCode>EEL</cbc:CertificateTypeCode>", 1
    )
    (inbox / "katalog.xml").write_text(text, encoding="utf-8")
    ingest_paths(engine, [inbox], MAX)
    findings = _licence_findings(engine, _office_contract(tmp_path))
    assert {(f.rule_id, f.received) for f in findings} == {(RULE_INVALID_FORMAT, "DK-011-004")}
    assert "CC/NNN/NNN" in (findings[0].expected or "")
