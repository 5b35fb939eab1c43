"""Contract terms files: every example loads; every error names the file, the field and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.base.errors import ContractTermsError
from compliance.base.windows import add_months
from compliance.contracts import contract_from_data, load_contract, load_contracts
from tests.conftest import CONTRACTS_DIR


def sample_data() -> dict[str, Any]:
    return dict(
        yaml.safe_load((CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8")),
        period={"start": "2024-01-01", "end": "2027-12-31"},
    )


def test_sample_contracts_load_with_their_terms() -> None:
    contracts, errors = load_contracts(CONTRACTS_DIR)
    assert errors == []
    by_id = {c.id: c for c in contracts}
    transport = by_id["KK-2024-0117"]
    assert transport.green_vehicles is not None
    assert transport.green_vehicles.form == "both"
    assert transport.green_vehicles.transition_months == 3
    assert [transport.green_vehicles.binding_level(n).percent for n in (1, 2, 3, 4)] == [35, 55, 65, 75]
    assert transport.euro6_applies_to == {"over_3500kg", "trucks"}
    office = by_id["KK-2025-0042"]
    assert office.hearing_days == 21
    assert [r.id for r in office.purchase_shares] == ["coffee-tea-fairtrade-organic"]
    assert office.eco_labels[0].accepted_labels == {"ANY_TYPE1"}
    assert office.eco_labels[1].accepted_labels == {"SVANEN", "EU_ECO_LABEL"}
    assert office.green_term_count() == 6  # 2 eco-label rules, the categorisation, 1 share, 2 bans


def error_for(data: Any) -> ContractTermsError:
    with pytest.raises(ContractTermsError) as caught:
        contract_from_data(data, "contracts/broken.yaml")
    return caught.value


def test_wrong_enum_names_field_path_and_choices() -> None:
    data = sample_data()
    data["green_vehicles"]["penalty"]["model"] = "per_parcel"
    error = error_for(data)
    assert error.file == "contracts/broken.yaml"
    assert error.location == "green_vehicles.penalty.model"
    assert error.expected is not None and "'per_km'" in error.expected and "'per_trip'" in error.expected
    assert "contracts/broken.yaml: green_vehicles.penalty.model" in str(error)


def test_missing_required_field_and_bad_cvr() -> None:
    data = sample_data()
    del data["supplier"]["cvr"]
    assert error_for(data).location == "supplier"
    data = sample_data()
    data["supplier"]["cvr"] = "DK3845123"
    error = error_for(data)
    assert error.location == "supplier.cvr" and "^[0-9]{8}$" in (error.expected or "")


def test_offer_below_minimum_is_rejected_for_form_both() -> None:
    data = sample_data()
    data["green_vehicles"]["years"][1]["offer"] = 45
    error = error_for(data)
    assert error.location == "green_vehicles.years[1].offer"
    assert "below the minimum 50" in error.message


def test_form_offer_requires_offers_and_staircase_must_start_in_year_one() -> None:
    data = sample_data()
    data["green_vehicles"]["form"] = "offer"
    del data["green_vehicles"]["years"][2]["offer"]
    assert error_for(data).location == "green_vehicles.years[2].offer"
    data = sample_data()
    data["green_vehicles"]["years"] = [{"year": 2, "minimum": 50, "offer": 55}]
    assert error_for(data).location == "green_vehicles.years"


def test_unknown_label_and_bad_regex_are_rejected() -> None:
    office = yaml.safe_load((CONTRACTS_DIR / "KK-2025-0042.yaml").read_text(encoding="utf-8"))
    office["period"] = {"start": "2025-01-01", "end": "2026-12-31"}
    broken = copy.deepcopy(office)
    broken["purchase_shares"][0]["qualifying_labels"].append("GREEN_SPARKLES")
    error = error_for(broken)
    assert error.location == "purchase_shares[0].qualifying_labels[3]"
    broken = copy.deepcopy(office)
    broken["banned_items"][0]["match"]["name_pattern"] = "(unclosed"
    assert error_for(broken).location == "banned_items[0].match.name_pattern"


def test_period_must_end_after_start_and_percent_is_bounded() -> None:
    data = sample_data()
    data["period"] = {"start": "2025-01-01", "end": "2024-01-01"}
    assert error_for(data).location == "period.end"
    data = sample_data()
    data["green_vehicles"]["years"][0]["minimum"] = 130
    assert error_for(data).location == "green_vehicles.years[0].minimum"


def test_exchange_rates_name_a_currency_other_than_kroner_once_with_an_exact_rate() -> None:
    data = sample_data()
    data["exchange_rates"] = [{"currency": "EUR", "dkk": "7.4604", "source": "§ 4.2"}]
    (rate,) = contract_from_data(data, "contracts/x.yaml").exchange_rates
    assert (rate.currency, str(rate.dkk), rate.source) == ("EUR", "7.4604", "§ 4.2")
    for rates, location in (
        ([{"currency": "DKK", "dkk": "1"}], "exchange_rates[0].currency"),
        ([{"currency": "EUR", "dkk": 7.46}], "exchange_rates[0].dkk"),  # a float is not exact: write a string
        ([{"currency": "EUR", "dkk": "7.46"}, {"currency": "EUR", "dkk": "7.45"}], "exchange_rates[1].currency"),
    ):
        data["exchange_rates"] = rates
        assert error_for(data).location == location


def test_broken_file_is_reported_and_the_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("id: X\nname: [unclosed\n", encoding="utf-8")
    contracts, errors = load_contracts(tmp_path)
    assert [c.id for c in contracts] == ["KK-2024-0117"]
    assert len(errors) == 1 and errors[0].file == str(tmp_path / "bad.yaml")
    assert errors[0].location is not None and errors[0].location.startswith("line ")


def test_dates_stay_text_so_a_bad_date_is_a_schema_error(tmp_path: Path) -> None:
    text = (CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8").replace("start: 2024-01-01", "start: 2024-13-01")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractTermsError) as caught:
        load_contract(path)
    assert caught.value.location == "period.start"


def test_contract_years_follow_the_start_date_not_the_calendar() -> None:
    data = sample_data()
    data["period"] = {"start": "2024-08-31", "end": "2026-08-30"}
    contract = contract_from_data(data, "c.yaml")
    assert [(y.start.isoformat(), y.end.isoformat()) for y in contract.years()] == [
        ("2024-08-31", "2025-08-30"),
        ("2025-08-31", "2026-08-30"),
    ]
    assert add_months(contract.start, 6).isoformat() == "2025-02-28"


# --- problems for people (issue 19 item 5) ----------------------------------------------------


def test_every_problem_at_once_with_line_column_hint_and_suggestion(tmp_path: Path) -> None:
    text = (CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8")
    text = text.replace("hearing_days: 14", "hearing_day: 14").replace("start: 2024-01-01", "start: 01-01-2024")
    text = text.replace("{year: 2, minimum: 50, offer: 55}", '{year: 2, minimum: "40 %", offer: 55}')
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ContractTermsError) as caught:
        load_contract(broken)
    error = caught.value
    assert "more error" not in str(error)
    lines = text.splitlines()
    shown = {p.location: p for p in error.problems}
    assert set(shown) == {"period.start", "hearing_day", "green_vehicles.years[1].minimum"}
    date_problem, key_problem, percent = shown["period.start"], shown["hearing_day"], shown["green_vehicles.years[1].minimum"]
    assert date_problem.line is not None and "01-01-2024" in lines[date_problem.line - 1]
    assert key_problem.line is not None and lines[key_problem.line - 1].startswith("hearing_day:") and key_problem.column == 1
    assert key_problem.suggestion == "hearing_days"
    assert percent.line is not None and '"40 %"' in lines[percent.line - 1]
    danish = [p.text(str(broken), "da") for p in error.problems]
    assert any("datoer skrives ÅÅÅÅ-MM-DD" in line for line in danish)
    assert any("skriv procent som 40, ikke '40 %'" in line for line in danish)
    assert any(
        line.startswith(f"{broken}:{key_problem.line}:1: hearing_day:") and "mente du 'hearing_days'" in line for line in danish
    )
    # Callers that read the first problem's place (in the file's order) and its expectation still can.
    assert error.file == str(broken) and error.location == "period.start" and error.expected


def test_a_check_beyond_the_schema_names_its_line_too(tmp_path: Path) -> None:
    text = (CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8").replace("end: 2027-12-31", "end: 2023-12-31")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ContractTermsError) as caught:
        load_contract(broken)
    (problem,) = caught.value.problems
    assert problem.location == "period.end" and problem.line is not None
    assert "2023-12-31" in text.splitlines()[problem.line - 1]
