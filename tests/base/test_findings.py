"""A finding's identity never includes its message or the run date; messages render from key + parameters."""

from __future__ import annotations

import json
import string
from datetime import date
from decimal import Decimal

import pytest

from compliance.base import messages
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import ENGLISH, message_part, render_message
from compliance.checks.green_vehicles import early_warning, vehicle_findings
from compliance.checks.inputs import CountedTripLine, RegisteredVehicle
from compliance.contracts import ContractTerms, contract_from_data


def transport_contract() -> ContractTerms:
    """A small §2.1 contract of the test's own: 60 % green trips in year 2 (2026)."""
    data = {
        "id": "T-1",
        "name": "Transport",
        "buyer": {"name": "Kommune"},
        "supplier": {"name": "Vognmand", "cvr": "12345678"},
        "period": {"start": "2025-01-01", "end": "2027-12-31"},
        "green_vehicles": {
            "form": "minimum",
            "years": [{"year": 1, "minimum": 50}, {"year": 2, "minimum": 60}, {"year": 3, "minimum": 70}],
            "penalty": {"model": "per_trip", "rate_dkk": "500.00", "fixed_dkk": "0.00"},
            "trip_lines": {"green": {"seller_item_ids": ["G"]}, "conventional": {"seller_item_ids": ["C"]}},
        },
    }
    return contract_from_data(data, "test.yaml")


def test_the_early_warning_keeps_its_identity_from_one_run_date_to_the_next() -> None:
    contract = transport_contract()
    year = contract.year(2)
    first = early_warning(contract, year, year.start, year.end, date(2026, 7, 1), Decimal(300), Decimal(600))
    next_day = early_warning(contract, year, year.start, year.end, date(2026, 7, 2), Decimal(301), Decimal(604))
    assert first is not None and next_day is not None
    assert "(2026-01-01 – 2026-07-01)" in first.message and "(2026-01-01 – 2026-07-02)" in next_day.message
    assert first.message != next_day.message and first.params != next_day.params
    assert first.fingerprint() == next_day.fingerprint()


def test_rewording_a_template_keeps_every_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    contract = transport_contract()
    year = contract.year(2)
    warning = early_warning(contract, year, year.start, year.end, date(2026, 7, 1), Decimal(300), Decimal(600))
    assert warning is not None
    before = (warning.message, warning.fingerprint(), warning.row_values()["fingerprint"])
    monkeypatch.setitem(ENGLISH, "green_vehicles.early_warning", "year {year}: {green} of {total} trips are green so far")
    assert warning.message == "year 2: 300 of 600 trips are green so far" != before[0]
    assert (warning.fingerprint(), warning.row_values()["fingerprint"]) == before[1:]


def _trip_line(*plates: str) -> CountedTripLine:
    return CountedTripLine(
        invoice_number="GB-1",
        document_type="invoice",
        source_file_id=7,
        source_path="inbox/GB-1.xml",
        line_id="1",
        source_line=107,
        day=date(2026, 6, 3),
        kind="green",
        trips=Decimal(4),
        registrations=plates,
    )


def test_two_findings_at_one_place_about_different_plates_are_two_findings() -> None:
    contract = transport_contract()
    vans = {plate: RegisteredVehicle(plate, "van", "diesel") for plate in ("DX18336", "DX18337")}
    findings = vehicle_findings(contract, contract.year(2), [_trip_line("DX18336", "DX18337")], vans)
    assert [f.rule_id for f in findings] == ["green_vehicles.not_green_vehicle@1"] * 2
    assert {(f.source_file_id, f.location) for f in findings} == {(7, "line 107")}
    assert [f.subject for f in findings] == [
        '{"invoice":"GB-1","line":"1","registration":"DX18336"}',
        '{"invoice":"GB-1","line":"1","registration":"DX18337"}',
    ]
    assert findings[0].fingerprint() != findings[1].fingerprint()
    assert findings[0].message == (
        "DX18336 on invoice GB-1, line 1 is invoiced as a green trip, but on 2026-06-03 the register says van on diesel: "
        "its 4 trips count as green"
    )


def test_the_identity_is_rule_contract_year_file_location_and_subject() -> None:
    base = FindingRecord(
        "euro6.not_euro6@1",
        "high",
        "euro6.not_euro6",
        {"plate": "TR1", "kind": "truck", "weight": 7500, "fuel": "diesel", "year": 1, "norm": message_part("fragment.no_norm")},
        evidence_key(registration="TR1"),
        contract_id="T-1",
        contract_year=1,
        source_file_id=3,
        location="row 9",
    )
    same = FindingRecord(
        "euro6.not_euro6@1",
        "low",
        "euro6.not_euro6",
        {
            "plate": "TR1",
            "kind": "truck",
            "weight": 7600,
            "fuel": "diesel",
            "year": 1,
            "norm": message_part("fragment.unknown_norm"),
        },
        evidence_key(registration="TR1"),
        contract_id="T-1",
        contract_year=1,
        source_file_id=3,
        location="row 9",
        expected="something else",
        received="something else",
        evidence={"euro_norm": None},
    )
    assert base.message != same.message and base.fingerprint() == same.fingerprint()
    variants = [
        FindingRecord("euro6.not_euro6@2", "high", base.message_key, base.params, base.subject, "T-1", 1, source_file_id=3, location="row 9"),
        FindingRecord("euro6.not_euro6@1", "high", base.message_key, base.params, base.subject, "T-2", 1, source_file_id=3, location="row 9"),
        FindingRecord("euro6.not_euro6@1", "high", base.message_key, base.params, base.subject, "T-1", 2, source_file_id=3, location="row 9"),
        FindingRecord("euro6.not_euro6@1", "high", base.message_key, base.params, base.subject, "T-1", 1, source_file_id=4, location="row 9"),
        FindingRecord("euro6.not_euro6@1", "high", base.message_key, base.params, base.subject, "T-1", 1, source_file_id=3, location="row 8"),
        FindingRecord("euro6.not_euro6@1", "high", base.message_key, base.params, evidence_key(registration="TR2"), "T-1", 1,
                      source_file_id=3, location="row 9"),
    ]  # fmt: skip
    assert len({base.fingerprint(), *(v.fingerprint() for v in variants)}) == 7


def test_evidence_keys_are_canonical_and_leave_out_what_is_absent() -> None:
    assert (
        evidence_key(line="1", invoice="GB-1", item=None)
        == evidence_key(invoice="GB-1", line="1")
        == '{"invoice":"GB-1","line":"1"}'
    )
    assert evidence_key(quarter=2) == evidence_key(quarter="2") == '{"quarter":"2"}'
    assert evidence_key() == evidence_key(item=None) == ""
    assert json.loads(evidence_key(label="Grønt; mærke = 1")) == {"label": "Grønt; mærke = 1"}


def test_messages_render_with_report_formats_nested_parts_and_after_a_json_round_trip() -> None:
    params = {
        "share": str(Decimal(496) / Decimal(1029)),
        "level": "55",
        "comparison": message_part("fragment.at_least"),
        "year": 2,
        "penalty": "41500.00",
    }
    text = (
        "green share 48,20 % is below the binding level 55,00 % (at least) in contract year 2; "
        "proposed penalty 41.500,00 kr., subject to the supplier's hearing"
    )
    assert render_message("green_vehicles.share", params) == text
    assert render_message("green_vehicles.share", json.loads(json.dumps(params))) == text
    place = message_part("place.invoice_line", document_type="credit_note", invoice="K-1", line="2")
    assert render_message("eco_labels.unknown_label", {"place": place, "label": "Grøn", "occurrences": 3}) == (
        "credit note K-1, line 2: the label 'Grøn' is not a label the pipeline knows (3 occurrence(s) this year)"
    )
    assert render_message("legacy.recorded_text", {"text": "as it was {recorded}"}) == "as it was {recorded}"
    assert render_message("no.such_key", {"a": 1}) == "no.such_key {'a': 1}"  # a report never fails on an unknown key


def test_every_template_is_a_format_string_over_named_fields() -> None:
    for key, template in ENGLISH.items():
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None]
        assert all(name and name.isidentifier() for name, _ in fields), key
        assert {spec for _, spec in fields} <= {"", "code", "count", "percent", "number1", "number2", "money"}, key
        assert messages.N_(template) == template


def test_a_finding_with_an_unknown_message_key_is_refused() -> None:
    with pytest.raises(KeyError, match="no message template"):
        FindingRecord("x@1", "low", "no.such_key", {}, "")
    with pytest.raises(KeyError):
        message_part("no.such_key")


@pytest.mark.parametrize(
    ("key", "params", "text"),
    [
        (
            "purchase_share.short_amount",
            {"description": "Kaffe", "share": "0.25", "total": "1234.5", "year": 1, "minimum": "50"},
            "Kaffe: 25,00 % of 1.234,50 kr. excl. VAT qualifies in contract year 1, below 50,00 %",
        ),
        (
            "purchase_share.short_quantity",
            {"description": "Kaffe", "share": "0.25", "total": "80", "year": 1, "minimum": "50"},
            "Kaffe: 25,00 % of 80,00 units qualifies in contract year 1, below 50,00 %",
        ),
        (
            "purchase_share.quarter_short",
            {"description": "Kaffe", "share": "0", "quarter": 2, "year": 1, "start": "2025-04-01", "end": "2025-06-30",
             "minimum": "50"},
            "Kaffe: 0,00 % qualifies in quarter 2 of contract year 1 (2025-04-01 – 2025-06-30), below 50,00 %",
        ),
        (
            "catalogue.update_without_item",
            {"document_type": "catalogue_item_specification_update", "catalogue": "K-U1", "line": "3",
             "item": message_part("fragment.no_item_id"), "applied": message_part("fragment.applied_as_new_item")},
            "catalogue item specification update K-U1 line 3 updates item (no item id), which no earlier catalogue "
            "listed (applied as a new item)",
        ),
        (
            "eco_labels.missing_licence",
            {"place": message_part("place.catalogue_item", catalogue="K", item=None), "name": "Papir", "label": "Svanemærket"},
            "catalogue K item None (Papir) claims Svanemærket without a licence number",
        ),
        (
            "ecolabel_categorisation.missing_type1",
            {"place": message_part("place.catalogue_item", catalogue="K", item="T1"), "name": "Toner", "area": "Toner",
             "area_en": "Toner cartridges", "category": 1, "table": message_part("fragment.ski_areas")},
            "catalogue K item T1 (Toner) is in 'Toner' (Toner cartridges), category 1 of the SKI areas, but the catalogue "
            "states no type-1 eco-label",
        ),
        (
            "euro6.not_euro6",
            {"plate": "TR1", "kind": "truck", "weight": "?", "fuel": "diesel", "year": 2,
             "norm": message_part("fragment.euro_norm", norm=5)},
            "TR1 (truck, ? kg, diesel) was used on the contract in year 2 but is Euro 5",
        ),
        (
            "licences.invalid_format",
            {"place": message_part("place.invoice_line", document_type="invoice", invoice="F-1", line="2"), "name": "Papir",
             "label": "EU Ecolabel", "number": "dk 19 1"},
            "invoice F-1, line 2 (Papir): EU Ecolabel licence number 'dk 19 1' is not in the scheme's format",
        ),
    ],
)  # fmt: skip
def test_templates_keep_the_wording_the_checks_wrote_before(key: str, params: dict[str, object], text: str) -> None:
    assert render_message(key, params) == text


def test_a_stored_finding_whose_template_gained_a_field_shows_its_recorded_text() -> None:
    """Messages render when an output is written: a template that now needs a parameter the stored finding
    lacks must not fail the report, it shows the text recorded with the finding."""
    assert render_message("green_vehicles.share", {"share": "0.4"}, "the text as recorded") == "the text as recorded"
    assert render_message("no.such_key", {"a": 1}, "recorded") == "recorded"
    assert render_message("no.such_key", {"a": 1}) == "no.such_key {'a': 1}"
