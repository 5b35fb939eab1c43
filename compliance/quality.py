"""Data-quality suites (Great Expectations 1.x), one per dataset, run on every ingest batch before it is stored.

The expectations are plausibility rules the parsers do not enforce: a negative trip distance,
a trip dated after the day it was received, a quantity of ten million, two invoice lines with
the same ID. A supplier file with a failing row is quarantined whole, naming the suite, the
expectation, the row and the value: storing the rest of an invoice would leave lines that do
not add up to its total, and storing the rest of a driving log would count its trips twice
when the corrected file arrives. Vehicle records from the DMR extract are independent of each
other, so there only the failing records are left out. Great Expectations is imported on first
use (it takes seconds), never when this module is imported.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from compliance.base.documents import (
    CatalogueDocument,
    DrivingLogDocument,
    InvoiceDocument,
    SourceDocument,
    VehicleRecord,
    VehicleRegisterDocument,
)
from compliance.base.i18n import N_
from compliance.base.vocabulary import FUELS, VEHICLE_KINDS

if TYPE_CHECKING:
    import pandas as pd

DATASETS = ("invoice_lines", "trips", "catalogue_items", "vehicles")
EARLIEST_DATE = date(2000, 1, 1)
# Invoices are sometimes dated a little ahead of the day they are sent; trips cannot be.
INVOICE_DAYS_AHEAD = 31
TRIP_DAYS_AHEAD = 1
UNIT_CODE = r"^[A-Z0-9]{1,3}$"  # UN/ECE Recommendation 20/21 codes, as OIOUBL and Peppol require
CURRENCY_CODE = r"^[A-Z]{3}$"  # ISO 4217
# GTIN-8, -12, -13, -14 (scheme 0160), in ASCII digits: a full-width "１２３４５６７８" or other
# script's digits are refused (``\d`` and ``str.isdigit`` would take them). ``\Z``: no line end after.
GTIN = r"^(?:[0-9]{8}|[0-9]{12,14})\Z"
PLATE = r"^[A-Z0-9ÆØÅ]{1,12}$"  # normalised: upper case, no spaces or hyphens
DMR_VEHICLE_ID = r"^[0-9A-Za-z]{1,20}$"  # KoeretoejIdent; stored in a 20-character field on every database
FAILURES_KEPT_PER_RULE = 20  # per file and expectation; the count says how many more there were
# Suites whose every expectation looks at one row alone, so that a long batch can run in slices.
ROW_BY_ROW_DATASETS = frozenset({"trips"})
ROWS_PER_VALIDATION = 50_000


@dataclass(frozen=True)
class QualityRule:
    """One expectation of a suite, with the words a data-team member needs to act on a failure."""

    dataset: str
    name: str
    expectation: str  # the Great Expectations class, e.g. ExpectColumnValuesToBeBetween
    columns: tuple[str, ...]
    arguments: dict[str, Any]
    expected: str
    why: str
    day_numbers: bool = False  # the column holds dates as day numbers (see day_number); show them as dates

    @property
    def label(self) -> str:
        return f"{self.dataset}.{self.name}"


def quality_rules(today: date) -> list[QualityRule]:
    """Every suite's expectations; date bounds follow the day the batch is checked."""
    latest_invoice = today + timedelta(days=INVOICE_DAYS_AHEAD)
    latest_trip = today + timedelta(days=TRIP_DAYS_AHEAD)

    def dates(dataset: str, name: str, column: str, latest: date, why: str) -> QualityRule:
        return QualityRule(
            dataset,
            name,
            "ExpectColumnValuesToBeBetween",
            (column,),
            {"min_value": day_number(EARLIEST_DATE), "max_value": day_number(latest)},
            f"a date from {EARLIEST_DATE.isoformat()} to {latest.isoformat()}",  # TEXT_TEMPLATES in base/texts.py
            why,
            day_numbers=True,
        )

    def between(dataset: str, name: str, column: str, low: float, high: float, expected: str, why: str) -> QualityRule:
        return QualityRule(
            dataset, name, "ExpectColumnValuesToBeBetween", (column,), {"min_value": low, "max_value": high}, expected, why
        )

    def pattern(dataset: str, name: str, column: str, regex: str, expected: str, why: str) -> QualityRule:
        return QualityRule(dataset, name, "ExpectColumnValuesToMatchRegex", (column,), {"regex": regex}, expected, why)

    def present(dataset: str, name: str, column: str, why: str) -> QualityRule:
        return QualityRule(dataset, name, "ExpectColumnValuesToNotBeNull", (column,), {}, N_("a value"), why)

    def unique(dataset: str, name: str, columns: tuple[str, ...], expected: str, why: str) -> QualityRule:
        return QualityRule(dataset, name, "ExpectCompoundColumnsToBeUnique", columns, {}, expected, why)

    def one_of(dataset: str, name: str, column: str, values: tuple[str, ...], why: str) -> QualityRule:
        return QualityRule(
            dataset,
            name,
            "ExpectColumnValuesToBeInSet",
            (column,),
            {"value_set": list(values)},
            "one of " + ", ".join(values),
            why,
        )

    return [
        # Invoice lines: every krone must trace to one line of one invoice.
        present("invoice_lines", "line_id_present", "line_id", N_("a notice must be able to name the line")),
        unique(
            "invoice_lines",
            "line_id_unique",
            ("file", "line_id"),
            N_("each line ID once per invoice"),
            N_("two lines with one ID cannot be told apart in a notice or a hearing"),
        ),
        between(
            "invoice_lines",
            "quantity_plausible",
            "quantity",
            -1_000_000,
            1_000_000,
            N_("a quantity between -1,000,000 and 1,000,000"),
            N_("a larger quantity on one line is a typing or unit error that would distort every share"),
        ),
        between(
            "invoice_lines",
            "amount_plausible",
            "line_amount",
            -100_000_000,
            100_000_000,
            N_("a line amount between -100,000,000 and 100,000,000"),
            N_("a larger amount on one line is a typing error that would distort every purchase share"),
        ),
        pattern(
            "invoice_lines",
            "unit_code",
            "unit_code",
            UNIT_CODE,
            N_("a UN/ECE Rec. 20 unit code (e.g. EA, C62, KGM)"),
            N_("units are compared by code"),
        ),
        pattern(
            "invoice_lines",
            "currency_code",
            "currency",
            CURRENCY_CODE,
            N_("an ISO 4217 currency code"),
            N_("amounts are compared in one currency"),
        ),
        dates(
            "invoice_lines", "issue_date_plausible", "issue_date", latest_invoice, N_("the issue date decides the contract year")
        ),
        dates(
            "invoice_lines",
            "delivery_date_plausible",
            "delivery_date",
            latest_invoice,
            N_("the delivery date decides the contract year"),
        ),
        # Trips: each one counts once towards the green share (§2.1).
        dates(
            "trips", "trip_date_plausible", "trip_date", latest_trip, N_("a trip dated after the file arrived has not happened")
        ),
        between(
            "trips",
            "distance_plausible",
            "distance_km",
            0,
            2_000,
            N_("a distance from 0 to 2,000 km"),
            N_("a negative distance, or one longer than a day's driving, is a unit or typing error"),
        ),
        QualityRule(
            "trips",
            "registration_length",
            "ExpectColumnValueLengthsToBeBetween",
            ("registration",),
            {"min_value": 2, "max_value": 20},
            N_("a plate or vehicle name of 2 to 20 characters"),
            N_("the trip is matched to a vehicle by it"),
        ),
        # Catalogue items: one item per line ID and catalogue; prices are never negative.
        present("catalogue_items", "line_id_present", "line_id", N_("a notice must be able to name the item")),
        # Neither unique line IDs nor names: the official OIOUBL examples repeat an ID in one catalogue
        # (CATEXE_01_01_00) and a pricing update carries no names.
        between(
            "catalogue_items",
            "price_plausible",
            "price",
            0,
            10_000_000,
            N_("a price from 0 to 10,000,000"),
            N_("a negative price is an error"),
        ),
        pattern(
            "catalogue_items",
            "unit_code",
            "unit_code",
            UNIT_CODE,
            N_("a UN/ECE Rec. 20 unit code"),
            N_("units are compared by code"),
        ),
        pattern(
            "catalogue_items",
            "gtin",
            "gtin",
            GTIN,
            N_("8, 12, 13 or 14 digits"),
            N_("items are matched to eco-label licences by GTIN"),
        ),
        # Vehicles: one record per plate; the Euro norm decides the heavy-vehicle rule (§2.2).
        pattern(
            "vehicles",
            "plate",
            "registration",
            PLATE,
            N_("a plate or bike ID of 1 to 12 letters and digits"),
            N_("trips are matched by plate"),
        ),
        unique(
            "vehicles",
            "plate_unique",
            ("file", "registration", "valid_from"),
            N_("each plate once per register file and first valid day"),
            N_("two records for one plate from the same day contradict each other"),
        ),
        between(
            "vehicles",
            "euro_norm_known",
            "euro_norm",
            0,
            7,
            N_("a Euro norm from 0 to 7"),
            N_("the Euro norm decides the heavy-vehicle rule"),
        ),
        between(
            "vehicles",
            "weight_plausible",
            "total_weight_kg",
            1,
            100_000,
            N_("a total weight from 1 to 100,000 kg"),
            N_("the weight decides whether a vehicle is heavy (§2.2)"),
        ),
        pattern(
            "vehicles",
            "dmr_vehicle_id",
            "dmr_vehicle_id",
            DMR_VEHICLE_ID,
            N_("a DMR vehicle id (KoeretoejIdent) of 1 to 20 letters and digits"),
            N_("a longer id or a control character is kept by SQLite and refused by PostgreSQL (issue 16)"),
        ),
        one_of("vehicles", "kind_known", "kind", tuple(sorted(VEHICLE_KINDS)), N_("the kind decides which rule applies")),
        one_of("vehicles", "fuel_known", "fuel", tuple(sorted(FUELS)), N_("the fuel decides whether a trip is green (§2.1)")),
    ]


def day_number(day: date) -> int:
    """``2025-06-15`` → ``20250615``: dates are checked as integers, which Great Expectations compares
    vectorised (a datetime column is compared one Python object at a time, as slow as the parse)."""
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True)
class QualityFailure:
    """One row (or a whole batch) that failed one expectation."""

    rule: QualityRule
    file: str
    place: str
    value: str
    more: int = 0  # further failing rows of the same file and rule not listed one by one

    def __str__(self) -> str:
        more = f" and {self.more} more row(s)" if self.more else ""
        return f"{self.place}: {', '.join(c for c in self.rule.columns if c != 'file')} is {self.value}{more} (expected {self.rule.expected}; {self.rule.label})"


@dataclass
class SuiteRun:
    """One suite run on one batch."""

    dataset: str
    files: int
    rows: int
    expectations: int
    failed_expectations: list[str]
    seconds: float


@dataclass
class QualityResult:
    runs: list[SuiteRun] = field(default_factory=list)
    failures: list[QualityFailure] = field(default_factory=list)  # as listed: at most 20 per file and rule
    failing_rows: dict[str, set[int]] = field(default_factory=dict)  # every failing row, by dataset, as record indexes
    # The rows each file gave each dataset (dataset -> file -> rows), where known: what lets a result be
    # narrowed to some of its files (restricted_to).
    rows_by_file: dict[str, dict[str, int]] = field(default_factory=dict)

    def failures_by_file(self) -> dict[str, list[QualityFailure]]:
        grouped: dict[str, list[QualityFailure]] = {}
        for failure in self.failures:
            grouped.setdefault(failure.file, []).append(failure)
        return grouped

    @property
    def rows(self) -> int:
        return sum(run.rows for run in self.runs)


def combined_results(results: Sequence[QualityResult]) -> QualityResult:
    """The results of the suites run on several groups of files (parse workers check their own files)
    as one run per dataset would give them: failures are listed per file, so they are put together;
    failing row indexes count on from the rows of the groups before."""
    combined = QualityResult()
    runs: dict[str, SuiteRun] = {}
    for result in results:
        rows_before = {dataset: run.rows for dataset, run in runs.items()}
        for run in result.runs:
            total = runs.get(run.dataset)
            if total is None:
                runs[run.dataset] = replace(run, failed_expectations=list(run.failed_expectations))
                continue
            total.files += run.files
            total.rows += run.rows
            total.seconds += run.seconds
            total.failed_expectations += [name for name in run.failed_expectations if name not in total.failed_expectations]
        combined.failures += result.failures
        for dataset, rows in result.rows_by_file.items():
            combined.rows_by_file.setdefault(dataset, {}).update(rows)
        for dataset, indexes in result.failing_rows.items():
            offset = rows_before.get(dataset, 0)
            combined.failing_rows.setdefault(dataset, set()).update(index + offset for index in indexes)
    combined.runs = list(runs.values())
    return combined


def restricted_to(result: QualityResult, files: set[str]) -> QualityResult:
    """``result`` as if only ``files`` had been checked: their failures, and each run's files and rows
    counted from ``rows_by_file`` (a run none of them gave rows is dropped, as a suite with no rows is
    not run). Parse workers check every file they parse; the writer keeps those it stores or
    quarantines (a content another chunk or another run stored first is a duplicate, not checked).
    The failing row indexes are not kept (they number the rows of the whole result)."""
    restricted = QualityResult(failures=[f for f in result.failures if f.file in files])
    for run in result.runs:
        rows = {file: count for file, count in result.rows_by_file.get(run.dataset, {}).items() if file in files}
        if not rows:
            continue
        failed = {f.rule.name for f in restricted.failures if f.rule.dataset == run.dataset}
        restricted.runs.append(
            replace(
                run,
                files=len(rows),
                rows=sum(rows.values()),
                failed_expectations=[name for name in run.failed_expectations if name in failed],
            )
        )
        restricted.rows_by_file[run.dataset] = rows
    return restricted


def quarantine_reason(file: str, failures: Sequence[QualityFailure]) -> str:
    """The quarantine reason of a file: the first failures, and how many there are."""
    shown = "; ".join(str(f) for f in failures[:3])
    rest = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
    return f"{file}: data quality: {shown}{rest}"


def _place(line: int | None, path: str | None, position: int) -> str:
    where = f"line {line}" if line else f"item {position}"
    return f"{where} ({path})" if path else where


def _invoice_line_records(name: str, document: InvoiceDocument) -> Iterable[dict[str, Any]]:
    for line in document.lines:
        delivered = line.delivery_date or document.delivery_date
        yield {
            "file": name,
            "place": _place(line.source_line, line.path, line.position),
            "line_id": line.id or None,
            "quantity": None if line.quantity is None else float(line.quantity),
            "unit_code": line.unit_code,
            "line_amount": None if line.line_amount is None else float(line.line_amount),
            "currency": document.currency,
            "issue_date": day_number(document.issue_date),
            "delivery_date": day_number(delivered) if delivered else None,
        }


def _is_gtin_candidate(identifier: str | None) -> bool:
    """Whether a standard item ID is checked as a GTIN: one of digits, of any script, so that
    full-width or Arabic-Indic digits reach the check (which takes ASCII digits only) rather than
    pass unchecked; an ID with letters is another scheme's code, not a GTIN."""
    return bool(identifier) and identifier is not None and identifier.strip().isdigit()


def _catalogue_records(name: str, document: CatalogueDocument) -> Iterable[dict[str, Any]]:
    for line in document.lines:
        gtin = line.standard_item_id if _is_gtin_candidate(line.standard_item_id) else None
        yield {
            "file": name,
            "place": _place(line.source_line, line.path, line.position),
            "line_id": line.id or None,
            "price": None if line.price is None else float(line.price),
            "unit_code": line.unit_code,
            "gtin": gtin,
        }


def _trip_records(name: str, document: DrivingLogDocument) -> Iterable[dict[str, Any]]:
    for trip in document.trips:
        yield {
            "file": name,
            "place": f"row {trip.row}",
            "trip_date": day_number(trip.trip_date),
            "distance_km": None if trip.distance_km is None else float(trip.distance_km),
            "registration": trip.registration,
        }


def _trip_frame(logs: Sequence[tuple[str, DrivingLogDocument]]) -> pd.DataFrame:
    """The trips dataset (the columns of :func:`_trip_records`) built column by column: a driving log
    may have a million rows, and a dict per row would cost about ten times the log itself. The
    place is the row number, made ``row N`` only for a failing row."""
    import numpy as np
    import pandas as pd

    count = sum(len(document.trips) for _, document in logs)
    files, registrations = np.empty(count, dtype=object), np.empty(count, dtype=object)
    rows, days = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)
    distances = np.empty(count, dtype=np.float64)
    position = 0
    for name, document in logs:
        for trip in document.trips:
            files[position] = name
            rows[position] = trip.row
            days[position] = day_number(trip.trip_date)
            distances[position] = np.nan if trip.distance_km is None else float(trip.distance_km)
            registrations[position] = trip.registration
            position += 1
    columns = {"file": files, "place": rows, "trip_date": days, "distance_km": distances, "registration": registrations}
    return pd.DataFrame(columns, copy=False)


def vehicle_record(name: str, place: str, vehicle: VehicleRecord | Any) -> dict[str, Any]:
    """A vehicle row of the vehicles dataset (declared register rows and DMR records alike)."""
    return {
        "file": name,
        "place": place,
        "registration": vehicle.registration,
        "kind": vehicle.kind,
        "fuel": vehicle.fuel,
        "euro_norm": vehicle.euro_norm,
        "total_weight_kg": vehicle.total_weight_kg,
        "dmr_vehicle_id": getattr(vehicle, "vehicle_id", None),  # DMR records only
        # A declared vehicle's first valid day (issue 16 item 6): one plate may be declared for several periods.
        "valid_from": str(getattr(vehicle, "valid_from", None) or ""),
    }


def dataset_records(documents: Sequence[tuple[str, SourceDocument]]) -> dict[str, list[dict[str, Any]]]:
    """The rows each suite checks, by dataset, each carrying its file and place."""
    records: dict[str, list[dict[str, Any]]] = {dataset: [] for dataset in DATASETS}
    for name, document in documents:
        if isinstance(document, InvoiceDocument):
            records["invoice_lines"].extend(_invoice_line_records(name, document))
        elif isinstance(document, CatalogueDocument):
            records["catalogue_items"].extend(_catalogue_records(name, document))
        elif isinstance(document, DrivingLogDocument):
            records["trips"].extend(_trip_records(name, document))
        elif isinstance(document, VehicleRegisterDocument):
            records["vehicles"].extend(vehicle_record(name, f"row {v.row}", v) for v in document.vehicles)
    return records


def prepare_suites() -> None:
    """Import Great Expectations and build its context now (seconds, once per process), not in the first batch."""
    _gx_context()


@cache
def _gx_context() -> Any:
    """An in-memory Great Expectations context without progress bars or analytics (one per process)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # Great Expectations logs some 200 INFO lines per ingest (mostly from its documentation decorators);
    # a task log should show the ingest's own lines and GX's warnings, not that.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(), progress_bars=ProgressBarsConfig(globally=False)
    )
    context = gx.get_context(project_config=config, mode="ephemeral")
    context.data_sources.add_pandas("ingest")
    return context


@cache
def _batch_definition(dataset: str) -> Any:
    """The whole-dataframe batch definition of one dataset's asset."""
    asset = _gx_context().data_sources.get("ingest").add_dataframe_asset(dataset)
    return asset.add_batch_definition_whole_dataframe(f"{dataset}_batch")


@cache
def expectation_suite(dataset: str, today: date) -> Any:
    """The Great Expectations suite of ``dataset``, built from :func:`quality_rules`."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=dataset)
    for rule in quality_rules(today):
        if rule.dataset != dataset:
            continue
        columns = {"column_list": list(rule.columns)} if len(rule.columns) > 1 else {"column": rule.columns[0]}
        suite.add_expectation(getattr(gxe, rule.expectation)(**columns, **rule.arguments, meta={"rule": rule.name}))
    return suite


def _shown(value: Any, as_date: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return "empty"
    if as_date and isinstance(value, int | float):
        number = int(value)
        return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items() if key != "file")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validate_dataset(
    dataset: str, records: list[dict[str, Any]] | pd.DataFrame, today: date
) -> tuple[SuiteRun, list[QualityFailure], set[int]]:
    """Run the dataset's suite on ``records`` (dicts, or a frame with their columns): the failures to
    list (each failing row, or the whole batch) and the indexes in ``records`` of every failing row."""
    import pandas as pd

    started = time.perf_counter()
    rules = {rule.name: rule for rule in quality_rules(today) if rule.dataset == dataset}
    frame: pd.DataFrame = (
        records if isinstance(records, pd.DataFrame) else pd.DataFrame.from_records(records, columns=list(records[0]))
    )
    definition = _batch_definition(dataset)  # makes the context the suite needs
    suite = expectation_suite(dataset, today)
    # A suite that looks at one row at a time runs on slices of a long batch: Great Expectations'
    # working memory grows with the rows it is given (~150 bytes a trip), the outcome does not change.
    step = ROWS_PER_VALIDATION if dataset in ROW_BY_ROW_DATASETS else max(len(frame), 1)
    unexpected: dict[str, list[tuple[int, Any]]] = {}  # by rule, in the order the rules first fail
    whole_batch: dict[str, str] = {}  # rules that could not be evaluated, with the reason
    for start in range(0, len(frame), step):
        part = frame if step >= len(frame) else frame.iloc[start : start + step]
        batch = definition.get_batch(batch_parameters={"dataframe": part})
        # Most batches pass: a yes/no pass is about half the cost of one that lists the failing rows.
        result = batch.validate(suite, result_format="BOOLEAN_ONLY")
        if not result.success:
            result = batch.validate(suite, result_format="COMPLETE")
        for outcome in result.results:
            if outcome.success:
                continue
            name = outcome.expectation_config.meta["rule"]
            indexes = outcome.result.get("unexpected_index_list")
            values = outcome.result.get("unexpected_list") or []
            found = unexpected.setdefault(name, [])
            if not indexes:
                # The expectation could not be evaluated (or has no rows to point at): the whole batch fails.
                reason = (outcome.exception_info or {}).get("exception_message") or "the batch as a whole"
                whole_batch.setdefault(name, str(reason))
                continue
            found += zip(indexes, values, strict=False)
    failures: list[QualityFailure] = []
    failing_rows: set[int] = set()
    files = frame["file"].tolist()
    places = frame["place"]

    def place(index: int) -> str:
        value = places.iloc[index]
        return value if isinstance(value, str) else f"row {value}"  # trips give their row numbers (_trip_frame)

    for name, found in unexpected.items():
        rule = rules[name]
        if name in whole_batch:
            failures += [QualityFailure(rule, file, "whole batch", whole_batch[name]) for file in sorted(set(files))]
            failing_rows.update(range(len(records)))
            continue
        failing_rows.update(index for index, _value in found)
        per_file: dict[str, list[tuple[int, Any]]] = {}
        for index, value in found:
            per_file.setdefault(files[index], []).append((index, value))
        for file, rows in per_file.items():
            kept = rows[:FAILURES_KEPT_PER_RULE]
            for position, (index, value) in enumerate(kept):
                more = len(rows) - len(kept) if position == len(kept) - 1 else 0
                failures.append(QualityFailure(rule, file, place(index), _shown(value, rule.day_numbers), more))
    run = SuiteRun(dataset, len(set(files)), len(frame), len(rules), list(unexpected), time.perf_counter() - started)
    return run, failures, failing_rows


def validate_documents(documents: Sequence[tuple[str, SourceDocument]], today: date) -> QualityResult:
    """Run every suite that has rows in this batch of parsed documents."""
    outcome = QualityResult()
    logs = [(name, document) for name, document in documents if isinstance(document, DrivingLogDocument)]
    batches: dict[str, Any] = dataset_records([entry for entry in documents if not isinstance(entry[1], DrivingLogDocument)])
    if any(len(document.trips) for _, document in logs):
        batches["trips"] = _trip_frame(logs)
    for dataset, records in batches.items():
        if not len(records):
            continue
        run, failures, failing_rows = validate_dataset(dataset, records, today)
        outcome.runs.append(run)
        outcome.failures += failures
        outcome.failing_rows[dataset] = failing_rows
    return outcome


def validate_vehicle_records(file: str, vehicles: Sequence[Any], today: date) -> QualityResult:
    """Run the vehicles suite on DMR records (``record`` numbers them for the page); ``failing_rows["vehicles"]``
    holds the positions in ``vehicles`` the caller leaves out."""
    outcome = QualityResult()
    if vehicles:
        records = [vehicle_record(file, f"record {v.record}", v) for v in vehicles]
        run, failures, failing_rows = validate_dataset("vehicles", records, today)
        outcome.runs.append(run)
        outcome.failures += failures
        outcome.failing_rows["vehicles"] = failing_rows
    return outcome
