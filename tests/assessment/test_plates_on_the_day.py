"""Issue 16 items 5 and 6 on the sample transport contract: a plate is read the same way everywhere,
and a trip counts as green only if the register knows its vehicle as green on the trip's day.

Each test ingests a copy of the sample transport inbox (``sample_invoices/transport``), changed the
way a careless or hostile supplier might, and checks it under the tests' copy of the contract
(``tests/data/contracts/KK-2024-0117.yaml``).
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from compliance.assessment.contract_year import run_checks
from compliance.assessment.trip_lines import count_trips, counted_trip_lines, windows_of
from compliance.contracts import ContractTerms, contract_from_data, load_contract
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import Finding
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

AS_OF = date(2026, 11, 22)
MAX = 5 * 1024 * 1024
JUNE = "GB-202506.xml"
# The sample's two green trip lines of June 2025 that name the diesel van DX 18 336 (lines 1 and 3, 4 trips each).
DIESEL_ON_GREEN = "<cbc:Value>DX 18 336</cbc:Value>"
ELECTRIC_VAN = "<cbc:Value>EC 41 209</cbc:Value>"  # first on June's line 5, then lines 7 and 13


def sample_contract(**green_overrides: Any) -> ContractTerms:
    """The tests' copy of the sample transport contract, with §2.1 terms overridden."""
    path = CONTRACTS_DIR / "KK-2024-0117.yaml"
    data = load_contract(path).raw
    data["green_vehicles"].update(green_overrides)
    return contract_from_data(data, str(path))


def transport_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR / "transport", inbox)
    return inbox


def replace_in(path: Path, old: str, *new: str) -> None:
    """Replace the occurrences of ``old`` one by one with ``new`` (in order)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == len(new), (path, old)
    for value in new:
        text = text.replace(old, value, 1)
    path.write_text(text, encoding="utf-8")


def checked(engine: Engine, inbox: Path, contract: ContractTerms) -> tuple[Decimal, Decimal, list[Finding]]:
    """Ingest the inbox, check the contract; year 2's (green, conventional) trips and every finding."""
    summary = ingest_paths(engine, [inbox], MAX)
    assert not summary.quarantined, summary.quarantined
    run_checks(engine, [contract], as_of=AS_OF)
    with session_scope(engine) as session:
        counts = count_trips(session, windows_of([contract], AS_OF))
        findings = list(session.scalars(select(Finding)))
        session.expunge_all()
    year2 = counts[(contract.id, 2)]
    return year2.green, year2.conventional, findings


def june_green_lines(engine: Engine, contract: ContractTerms) -> dict[str, tuple[str, str]]:
    """June 2025's stated-green trip lines: line id → (stated kind, counted kind)."""
    with session_scope(engine) as session:
        lines = counted_trip_lines(session, contract.id, date(2025, 6, 1), date(2025, 6, 30))
    return {line.line_id: (line.stated_kind, line.kind) for line in lines if line.stated_kind == "green"}


# --- item 6: green only if the vehicle is green on that day -------------------------------------------


def test_a_green_line_naming_a_diesel_van_counts_as_conventional(engine: Engine, tmp_path: Path) -> None:
    contract = sample_contract()
    green, conventional, findings = checked(engine, transport_inbox(tmp_path), contract)
    # Before: 496 green of 1.029. June 2025's lines 1 and 3 (4 trips each) name DX 18 336, a diesel van.
    assert (green, conventional) == (Decimal(488), Decimal(541))
    lines = june_green_lines(engine, contract)
    assert lines["1"] == ("green", "conventional") and lines["3"] == ("green", "conventional")
    assert lines["5"] == ("green", "green")
    not_green = [f for f in findings if f.rule_id.startswith("green_vehicles.not_green_vehicle")]
    assert sorted(f.location or "" for f in not_green) and all(f.message_params["plate"] == "DX18336" for f in not_green)
    assert len(not_green) == 2
    # The finding shows both: what the line says and what the register says that day.
    assert {f.message_params["stated"] for f in not_green} == {"green"} and {f.message_params["fuel"] for f in not_green} == {
        "diesel"
    }
    assert {f.message_params["trips"] for f in not_green} == {"4"}


def test_a_green_line_with_a_plate_the_register_does_not_know_follows_unverified_green(engine: Engine, tmp_path: Path) -> None:
    inbox = transport_inbox(tmp_path)
    # Line 5 of June (4 trips, EC 41 209 and EC 52 117): one plate the register has never heard of.
    replace_in(inbox / JUNE, ELECTRIC_VAN, "<cbc:Value>EV 99 001</cbc:Value>", ELECTRIC_VAN, ELECTRIC_VAN)
    excluded = sample_contract()
    green, conventional, findings = checked(engine, inbox, excluded)
    assert excluded.green_vehicles is not None and excluded.green_vehicles.unverified_green == "exclude"
    assert (green, conventional) == (Decimal(484), Decimal(545))  # 488 − 4: line 5 is unverified
    assert june_green_lines(engine, excluded)["5"] == ("green", "conventional")
    unknown = [f for f in findings if f.rule_id.startswith("green_vehicles.unknown_vehicle")]
    assert [f.message_params["plate"] for f in unknown] == ["EV99001"]


def test_unverified_green_count_accepts_a_plate_the_register_does_not_know(engine: Engine, tmp_path: Path) -> None:
    inbox = transport_inbox(tmp_path)
    replace_in(inbox / JUNE, ELECTRIC_VAN, "<cbc:Value>EV 99 001</cbc:Value>", ELECTRIC_VAN, ELECTRIC_VAN)
    counted = sample_contract(unverified_green="count")
    green, _conventional, findings = checked(engine, inbox, counted)
    assert green == Decimal(488)
    assert june_green_lines(engine, counted)["5"] == ("green", "green")
    assert [f.message_params["plate"] for f in findings if f.rule_id.startswith("green_vehicles.unknown_vehicle")] == ["EV99001"]


def test_a_plate_that_moved_from_a_diesel_to_an_electric_van_is_judged_by_the_trip_day(engine: Engine, tmp_path: Path) -> None:
    inbox = transport_inbox(tmp_path)
    # DX 18 336 was a diesel van until 31 May 2025; from 1 June 2025 the plate is on an electric van.
    register = inbox / "koeretoejer.csv"
    rows = register.read_text(encoding="utf-8").splitlines()
    header = rows[0] + ",valid_from,valid_to"
    body = [row + ",," if not row.startswith("DX18336,") else row + ",,2025-05-31" for row in rows[1:]]
    body.append("DX18336,van,electric,0,3500,true,,2025-06-01,")
    register.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    # The same two lines, once dated in May (diesel that day) and once in June (electric that day).
    replace_in(
        inbox / JUNE,
        "<cbc:ActualDeliveryDate>2025-06-03</cbc:ActualDeliveryDate>",
        "<cbc:ActualDeliveryDate>2025-05-30</cbc:ActualDeliveryDate>",
        "<cbc:ActualDeliveryDate>2025-05-30</cbc:ActualDeliveryDate>",
    )
    contract = sample_contract()
    green, conventional, findings = checked(engine, inbox, contract)
    assert (green, conventional) == (Decimal(492), Decimal(537))  # line 1 (30 May) diesel; line 3 (5 June) electric
    with session_scope(engine) as session:
        lines = counted_trip_lines(session, contract.id, date(2025, 5, 30), date(2025, 6, 30))
    by_line = {(line.day, line.line_id): line.kind for line in lines if line.stated_kind == "green"}
    assert by_line[(date(2025, 5, 30), "1")] == "conventional" and by_line[(date(2025, 6, 5), "3")] == "green"
    not_green = [f for f in findings if f.rule_id.startswith("green_vehicles.not_green_vehicle")]
    assert [(f.message_params["plate"], f.location) for f in not_green] == [("DX18336", not_green[0].location)]


# --- item 5: plates canonicalised ------------------------------------------------------------------------


def test_a_cyrillic_letter_or_a_zero_width_space_hides_no_diesel_van(engine: Engine, tmp_path: Path) -> None:
    inbox = transport_inbox(tmp_path)
    # Line 1: "DХ 18 336" with a Cyrillic Х (U+0425); line 3: "DX 18\u200b336" with a zero-width space.
    replace_in(inbox / JUNE, DIESEL_ON_GREEN, "<cbc:Value>D\u0425 18 336</cbc:Value>", "<cbc:Value>DX 18\u200b336</cbc:Value>")
    contract = sample_contract()
    green, conventional, findings = checked(engine, inbox, contract)
    assert (green, conventional) == (Decimal(488), Decimal(541))  # neither line counts as green
    unreadable = [f for f in findings if f.rule_id.startswith("green_vehicles.plate_not_readable")]
    assert [f.message_params["text"] for f in unreadable] == ["D\\u0425 18 336"]
    assert unreadable[0].severity == "high" and unreadable[0].location and unreadable[0].source_file_id
    assert unreadable[0].message_params["place"]["params"]["invoice"] == "GB-202506"  # type: ignore[index]
    not_green = [f for f in findings if f.rule_id.startswith("green_vehicles.not_green_vehicle")]
    assert [f.message_params["plate"] for f in not_green] == ["DX18336"]  # the zero-width space hid nothing
    lines = june_green_lines(engine, contract)
    assert lines["1"] == ("green", "conventional") and lines["3"] == ("green", "conventional")


def test_a_new_register_file_judges_the_stored_lines_again(engine: Engine, tmp_path: Path) -> None:
    """The decision is stored with the trip line; a register import changes the fingerprint, so the
    next check reads the contract's invoices again and the count follows the register."""
    inbox = transport_inbox(tmp_path)
    replace_in(inbox / JUNE, ELECTRIC_VAN, "<cbc:Value>EV 99 001</cbc:Value>", ELECTRIC_VAN, ELECTRIC_VAN)
    contract = sample_contract()
    assert checked(engine, inbox, contract)[:2] == (Decimal(484), Decimal(545))
    declared = tmp_path / "more" / "nye-koeretoejer.csv"
    declared.parent.mkdir()
    declared.write_text("registration,kind,fuel,valid_from\nEV 99 001,van,electric,2025-01-01\n", encoding="utf-8")
    assert ingest_paths(engine, [declared], MAX).ingested
    run_checks(engine, [contract], as_of=AS_OF)
    with session_scope(engine) as session:
        year2 = count_trips(session, windows_of([contract], AS_OF))[(contract.id, 2)]
    assert (year2.green, year2.conventional) == (Decimal(488), Decimal(541))
    assert june_green_lines(engine, contract)["5"] == ("green", "green")
