"""Catalogue history: updates and deletions apply in document order, and every state stays answerable.

The messages mirror the OIOUBL and Peppol examples in ../shared/reference/catalogues (ids, dates,
actions and the lines that matter), written out inline so no file or database is needed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.checks.catalogue_history import CatalogueHistory
from tests.builders import catalogue_item, catalogue_message, label, unspsc

# OIOUBL 2.1: an item-specification update, a pricing update and a deletion of catalogue CAT-EX-2.
SPECIFICATION = catalogue_message(
    "CAT-EX-2_ITEMUPDATE", document_type="catalogue_item_specification_update", target_catalogue_id="CAT-EX-2",
    issue_date=date(2006, 5, 1), issue_time="12:00:00", contract_references=("PAPER-1",), source_file_id=1,
    source_path="oioubl-2.1/OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml",
)  # fmt: skip
SPECIFIED = [
    catalogue_item("121643", source_file_id=1, position=1, line_id="87493746-121643", name="A4 Paper",
                   classification_codes=unspsc("14111507"), labels=(label("SVANEN"),), source_line=137),
    catalogue_item("121645", source_file_id=1, position=2, line_id="87493746-121645", name="A3 Paper",
                   classification_codes=unspsc("14111507"), labels=(label("SVANEN"),), source_line=167),
]  # fmt: skip
PRICING = catalogue_message(
    "CAT-EX-2_PRICEUPDATE", document_type="catalogue_pricing_update", target_catalogue_id="CAT-EX-2",
    issue_date=date(2006, 5, 15), issue_time="12:00:00", valid_from=date(2006, 6, 1), valid_to=date(2007, 5, 30),
    contract_references=("PAPER-1",), source_file_id=2, source_path="oioubl-2.1/OIOUBL_CataloguePricingUpdate_v2p2.xml",
)  # fmt: skip
PRICED = [  # found by line id: the pricing lines name no seller's item id
    catalogue_item(None, source_file_id=2, position=1, line_id="87493746-121643", name=None, price=Decimal("47.50"), source_line=141),
    catalogue_item(None, source_file_id=2, position=2, line_id="87493746-121645", name=None, price=Decimal("71.25"), source_line=200),
]  # fmt: skip
DELETION = catalogue_message(
    "CAT-EX-2_DELETE", document_type="catalogue_deletion", target_catalogue_id="CAT-EX-2", issue_date=date(2006, 5, 15),
    issue_time="12:00:00", source_file_id=3, source_path="oioubl-2.1/OIOUBL_CatalogueDeletion_v2p2.xml",
)  # fmt: skip


def test_oioubl_update_then_deletion_of_the_paper_catalogue() -> None:
    history = CatalogueHistory([SPECIFICATION, PRICING, DELETION], SPECIFIED + PRICED)
    # 1 May: the specification update says A4 paper carries the Nordic Swan label.
    before_prices = history.state_on("121643", date(2006, 5, 10))
    assert before_prices is not None and before_prices.name == "A4 Paper" and before_prices.price is None
    assert [lb.code for lb in before_prices.labels] == ["SVANEN"]
    assert before_prices.specified_by.file.endswith("OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml")
    # 15 May 12:00 the pricing update (found by line id: it has no seller's item id) keeps the label …
    priced = history.timeline("121643")[1][1]
    assert priced is not None and priced.price == Decimal("47.50") and [lb.code for lb in priced.labels] == ["SVANEN"]
    assert priced.priced_by is not None and priced.priced_by.file.endswith("OIOUBL_CataloguePricingUpdate_v2p2.xml")
    # … and the deletion, issued the same minute but received later, ends the whole catalogue.
    assert history.state_on("121643", date(2006, 5, 15)) is None
    assert history.state_on("121645", date(2006, 6, 1)) is None
    assert history.state_on("121643", date(2006, 5, 14)) is not None  # the past stays answerable
    assert [state is None for _, state, _ in history.timeline("121645")] == [False, False, True]
    # The specification update named items no earlier catalogue listed: kept, and reported.
    assert [u.line_id for u in history.unmatched_updates] == ["87493746-121643", "87493746-121645"]


def test_messages_apply_in_issue_order_whatever_order_they_arrive_in() -> None:
    in_order = CatalogueHistory([SPECIFICATION, PRICING, DELETION], SPECIFIED + PRICED)
    shuffled = CatalogueHistory([DELETION, PRICING, SPECIFICATION], PRICED + SPECIFIED)
    assert shuffled.timeline("121643") == in_order.timeline("121643")


def test_a_pricing_update_for_an_unknown_item_is_reported_not_applied() -> None:
    history = CatalogueHistory([PRICING], PRICED)
    assert [u.line_id for u in history.unmatched_updates] == ["87493746-121643", "87493746-121645"]
    assert history.states_in(date(2000, 1, 1), date(2030, 1, 1)) == []
    assert not history.has_items


def test_line_action_delete_ends_an_item() -> None:
    # OIOUBL 2.02 CATEXE_05_05_00 catalogue A: line codes Update and Delete.
    message = catalogue_message(
        "MP-UPD-1", issue_date=date(2006, 8, 15), valid_from=date(2006, 4, 30), valid_to=date(2007, 4, 30)
    )
    lines = [
        catalogue_item("951951", position=1, action_code="Update", name="Kanyle 0.25 x 6 mm", source_line=146),
        catalogue_item("951952", position=2, action_code="Delete", name="Kanyle 0.25 x 8 mm", source_line=179),
    ]
    history = CatalogueHistory([message], lines)
    assert history.state_on("951951", date(2006, 8, 15)) is not None
    assert history.state_on("951952", date(2006, 8, 15)) is None and not history.ever_listed("951952")


# Peppol: catalogue 1234 ("Add") and its replacement 1236 ("Replace"), both for framework 3299-RA.
PEPPOL = {"valid_from": date(2019, 9, 1), "valid_to": date(2020, 12, 31), "contract_references": ("3299-RA",)}
FIRST = catalogue_message("1234", issue_date=date(2019, 8, 1), action_code="Add", source_file_id=1, **PEPPOL)
FIRST_LINES = [
    catalogue_item("2451015", source_file_id=1, position=1, action_code="Add", name="Ballpoint pen. Blue 0.7 mm", labels=(label("SVANEN"),)),
    catalogue_item("1038195", source_file_id=1, position=2, action_code="Add", name="Ink cartridge T0481", price=Decimal("504.50")),
    catalogue_item("4747", source_file_id=1, position=3, action_code="Add", name="Green apples", price=Decimal("23.75"),
                   labels=(label("KRAV", licence="Z04"),)),
]  # fmt: skip
REPLACEMENT = catalogue_message("1236", issue_date=date(2019, 8, 20), action_code="Replace", source_file_id=2, **PEPPOL)
REPLACEMENT_LINES = [  # the ink cartridge 1038195 is left out
    catalogue_item("2451015", source_file_id=2, position=1, action_code="Add", name="Ballpoint pen. Blue 0.7 mm", labels=(label("SVANEN"),)),
    catalogue_item("2451027", source_file_id=2, position=2, action_code="Add", name="Ballpoint pen. Black 0.7 mm", labels=(label("SVANEN"),)),
    catalogue_item("4747", source_file_id=2, position=3, action_code="Add", name="Green apples", price=Decimal("21.10"),
                   labels=(label("KRAV", licence="Z04"),)),
    catalogue_item("D345gold", source_file_id=2, position=4, action_code="Add", name="Wall paper GRO gold", price=Decimal("160.58")),
]  # fmt: skip


def test_peppol_replace_ends_items_the_new_catalogue_leaves_out() -> None:
    history = CatalogueHistory([FIRST, REPLACEMENT], FIRST_LINES + REPLACEMENT_LINES)
    # Both are valid from 1 September 2019; the later-issued Replace wins from then on.
    assert history.state_on("4747", date(2019, 8, 31)) is None  # neither catalogue is in force yet
    apples = history.state_on("4747", date(2019, 9, 2))
    assert apples is not None and apples.price == Decimal("21.10") and apples.labels[0].licence == "Z04"
    # A different catalogue id, but the same framework reference: the replacement ends the ink cartridge.
    assert history.state_on("1038195", date(2019, 9, 2)) is None and history.ever_listed("1038195")
    assert history.state_on("2451027", date(2019, 9, 2)) is not None  # new in the replacement
    assert history.state_on("4747", date(2021, 1, 1)) is None  # validity ended 31 December 2020
    in_2019 = {state.seller_item_id for state in history.states_in(date(2019, 1, 1), date(2019, 12, 31))}
    assert "1038195" not in in_2019 and {"4747", "2451027", "D345gold"} <= in_2019


def test_an_incremental_catalogue_keeps_the_items_it_does_not_mention() -> None:
    # Peppol Catalogue_Example: header action "Add", issued 2016 for 2018-09-01 – 2019-08-31; lines add or update.
    example = catalogue_message("1387", issue_date=date(2016, 8, 1), action_code="Add", valid_from=date(2018, 9, 1),
                                valid_to=date(2019, 8, 31), contract_references=("CRT1387",), source_file_id=3)  # fmt: skip
    example_lines = [
        catalogue_item("MNTR011", source_file_id=3, position=1, action_code="Update", name="Copy paper",
                       labels=(label("SVANEN", licence="123450"),), price=Decimal("10.00")),
        catalogue_item("MNTR012", source_file_id=3, position=2, name="Copy paper", price=Decimal("90.00")),
    ]  # fmt: skip
    history = CatalogueHistory([REPLACEMENT, example], REPLACEMENT_LINES + example_lines)
    assert history.state_on("4747", date(2019, 9, 2)) is not None
    paper = history.state_on("MNTR011", date(2019, 1, 1))
    assert paper is not None and paper.labels[0].code == "SVANEN" and paper.labels[0].licence == "123450"
    # Issued after the replacement, for the same framework, an "Add" catalogue naming one item ends none.
    later = catalogue_message("1236", issue_date=date(2019, 10, 1), action_code="Add", source_file_id=4, **PEPPOL)
    pens = [catalogue_item("2451015", source_file_id=4, action_code="Add", name="Ballpoint pen. Blue", price=Decimal("19.00"))]
    history = CatalogueHistory([REPLACEMENT, later], REPLACEMENT_LINES + pens)
    assert {"4747", "2451027", "D345gold"} <= {s.seller_item_id for s in history.states_in(date(2019, 10, 2), date(2019, 10, 2))}
    pen = history.state_on("2451015", date(2019, 10, 2))
    assert pen is not None and pen.price == Decimal("19.00") and pen.labels == ()  # the line replaces the item's data


def test_a_full_catalogue_without_actions_replaces_the_earlier_one_with_the_same_id() -> None:
    first = catalogue_message("NK", issue_date=date(2025, 1, 1), source_file_id=1)
    second = catalogue_message("NK", issue_date=date(2025, 6, 1), source_file_id=2)
    history = CatalogueHistory(
        [first, second],
        [catalogue_item("A", source_file_id=1), catalogue_item("B", source_file_id=1), catalogue_item("A", source_file_id=2)],
    )
    assert history.state_on("B", date(2025, 5, 31)) is not None
    assert history.state_on("B", date(2025, 6, 1)) is None and history.state_on("A", date(2025, 6, 1)) is not None
    spans = [
        (s.seller_item_id, first_day, last_day)
        for s, first_day, last_day in history.spans_in(date(2025, 1, 1), date(2025, 12, 31))
    ]
    assert spans == [
        ("A", date(2025, 1, 1), date(2025, 5, 31)),
        ("A", date(2025, 6, 1), date(2025, 12, 31)),
        ("B", date(2025, 1, 1), date(2025, 5, 31)),
    ]
