"""The data-quality gate of ingest: the suites' rules as whole-column checks, Great Expectations only
when there is something to report.

Every rule of :func:`compliance.quality.quality_rules` is checked here on plain Python columns (one
list per column, no pandas), with the outcome Great Expectations gives the same rule on the same
rows: which rows fail and what each failing value is shown as (``tests/test_quality_gate.py``
compares the two on corrupted files of every kind). Importing Great Expectations and pandas costs
5 to 10 s of CPU per process, more than ingesting a thousand invoices; a batch that passes, the
usual case, is decided here alone. When a column check finds a failure, Great Expectations
validates the failing datasets of the batch again and its results are what is recorded: the
quarantine reasons, the ``DataQualityRun`` and ``DataQualityFailure`` rows and so the
data-quality page. So an ingest imports Great Expectations only when it has failures to report.

Semantics followed (Great Expectations 1.x on a pandas frame built from the suites' records):
an empty value (``None`` or NaN) passes every rule except "not null"; bounds are inclusive; a
pattern is searched for in the value's text (``re.search``, so ``$`` also matches before a final
line end); lengths are those of the value's text; "unique" fails every row of a repeated
combination. A value a rule cannot compare (text in a numeric column) makes the rule fail for the
whole batch, as Great Expectations' exception does.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance.base.documents import (
    CatalogueDocument,
    DrivingLogDocument,
    InvoiceDocument,
    SourceDocument,
    VehicleRegisterDocument,
)
from compliance.quality import (
    DATASETS,
    FAILURES_KEPT_PER_RULE,
    QualityFailure,
    QualityResult,
    QualityRule,
    SuiteRun,
    _catalogue_records,
    _invoice_line_records,
    _shown,
    _trip_records,
    quality_rules,
    validate_documents,
    validate_vehicle_records,
    vehicle_record,
)

logger = logging.getLogger(__name__)


@dataclass
class Columns:
    """One dataset's rows as columns: ``values[column][i]`` is row ``i``'s value in the suite's record."""

    dataset: str
    values: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return self.values.get("file", [])

    def __len__(self) -> int:
        return len(self.files)

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Append records (dicts of one shape): each is read once and not kept, so a driving log of a
        million trips is held as a few lists, not as a million dicts."""
        columns: list[tuple[str, list[Any]]] | None = None
        for record in records:
            if columns is None:
                columns = [(name, self.values.setdefault(name, [])) for name in record]
            for name, column in columns:
                column.append(record[name])


def _records(name: str, document: SourceDocument) -> tuple[str, Iterable[dict[str, Any]]] | None:
    """The dataset that checks ``document`` and its rows, made by the same functions that make the
    suites' records (:func:`compliance.quality.dataset_records`): one definition of what is checked."""
    if isinstance(document, InvoiceDocument):
        return "invoice_lines", _invoice_line_records(name, document)
    if isinstance(document, CatalogueDocument):
        return "catalogue_items", _catalogue_records(name, document)
    if isinstance(document, DrivingLogDocument):
        return "trips", _trip_records(name, document)
    if isinstance(document, VehicleRegisterDocument):
        return "vehicles", (vehicle_record(name, f"row {v.row}", v) for v in document.vehicles)
    return None


def dataset_of(document: SourceDocument) -> str | None:
    """The dataset whose suite checks ``document``'s rows (None: no suite checks it)."""
    found = _records("", document)
    return found[0] if found else None


def dataset_columns(documents: Sequence[tuple[str, SourceDocument]]) -> dict[str, Columns]:
    """The rows each suite checks, by dataset, as columns: the rows of
    :func:`compliance.quality.dataset_records`, in the same order."""
    found = {dataset: Columns(dataset) for dataset in DATASETS}
    for name, document in documents:
        records = _records(name, document)
        if records is not None:
            found[records[0]].add(records[1])
    return found


# -- the checks ---------------------------------------------------------------------------------------


class Unevaluable(Exception):
    """A rule could not compare a value (Great Expectations raises on it): the whole batch fails."""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _between(values: list[Any], low: Any, high: Any) -> list[int]:
    if not set(map(type, values)) <= {int, float, type(None)}:
        for value in values:
            if value is not None and (isinstance(value, str | bytes | bool) or not isinstance(value, int | float)):
                raise Unevaluable(f"{value!r} cannot be compared with {low!r} and {high!r}")
    # ``v == v`` leaves NaN out (empty, as None is).
    return [index for index, value in enumerate(values) if value is not None and value == value and not low <= value <= high]


def _failing_values(values: list[Any], fails: Callable[[Any], bool]) -> list[int]:
    """The rows whose value fails, each distinct value judged once (codes repeat on every line)."""
    try:
        bad = {value for value in set(values) if not _missing(value) and fails(value)}
    except TypeError:  # an unhashable value: judged row by row
        return [index for index, value in enumerate(values) if not _missing(value) and fails(value)]
    if not bad:
        return []
    return [index for index, value in enumerate(values) if value in bad and not _missing(value)]


def _matching(values: list[Any], regex: str) -> list[int]:
    search = re.compile(regex).search
    return _failing_values(values, lambda value: search(str(value)) is None)


def _lengths(values: list[Any], low: int, high: int) -> list[int]:
    return _failing_values(values, lambda value: not low <= len(str(value)) <= high)


def _in_set(values: list[Any], allowed: list[Any]) -> list[int]:
    accepted = set(allowed)
    return _failing_values(values, lambda value: value not in accepted)


def _present(values: list[Any]) -> list[int]:
    return [index for index, value in enumerate(values) if value is None or value != value]


def _unique(rows: list[tuple[Any, ...]]) -> list[int]:
    """Every row of a combination that occurs more than once (a row of only empty values is left out)."""
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        seen[row] = seen.get(row, 0) + 1
    return [index for index, row in enumerate(rows) if seen[row] > 1 and not all(_missing(v) for v in row)]


def _column(columns: Columns, name: str) -> list[Any]:
    return columns.values[name]


def failing_indexes(rule: QualityRule, columns: Columns) -> list[int]:
    """The rows of ``columns`` that fail ``rule``, in order; :class:`Unevaluable` when it cannot be checked."""
    arguments = rule.arguments
    if rule.expectation == "ExpectCompoundColumnsToBeUnique":
        return _unique(list(zip(*(_column(columns, name) for name in rule.columns), strict=True)))
    values = _column(columns, rule.columns[0])
    if rule.expectation == "ExpectColumnValuesToBeBetween":
        return _between(values, arguments["min_value"], arguments["max_value"])
    if rule.expectation == "ExpectColumnValuesToMatchRegex":
        return _matching(values, arguments["regex"])
    if rule.expectation == "ExpectColumnValueLengthsToBeBetween":
        return _lengths(values, arguments["min_value"], arguments["max_value"])
    if rule.expectation == "ExpectColumnValuesToBeInSet":
        return _in_set(values, arguments["value_set"])
    if rule.expectation == "ExpectColumnValuesToNotBeNull":
        return _present(values)
    raise Unevaluable(f"no column check for {rule.expectation}")  # a new kind of rule: Great Expectations decides


def _shown_value(rule: QualityRule, columns: Columns, index: int) -> str:
    """A failing value as the page shows it (as :func:`compliance.quality.validate_dataset` shows Great
    Expectations' value): a date as a date, a whole number without ``.0``, a combination as ``name=value``."""
    if len(rule.columns) > 1:
        return _shown({name: _column(columns, name)[index] for name in rule.columns})
    return _shown(_column(columns, rule.columns[0])[index], rule.day_numbers)


def check_columns(columns: Columns, today: date) -> tuple[SuiteRun, list[QualityFailure], set[int]]:
    """Every rule of the dataset on ``columns``: the same three results as
    :func:`compliance.quality.validate_dataset` (the run, the failures to list, every failing row)."""
    started = time.perf_counter()
    rules = [rule for rule in quality_rules(today) if rule.dataset == columns.dataset]
    failures: list[QualityFailure] = []
    failed: list[str] = []
    failing_rows: set[int] = set()
    files = columns.files
    for rule in rules:
        try:
            indexes = failing_indexes(rule, columns)
        except Unevaluable as reason:
            failed.append(rule.name)
            failures += [QualityFailure(rule, name, "whole batch", str(reason)) for name in sorted(set(files))]
            failing_rows.update(range(len(columns)))
            continue
        if not indexes:
            continue
        failed.append(rule.name)
        failing_rows.update(indexes)
        per_file: dict[str, list[int]] = {}
        for index in indexes:
            per_file.setdefault(files[index], []).append(index)
        for name, rows in per_file.items():
            kept = rows[:FAILURES_KEPT_PER_RULE]
            for position, index in enumerate(kept):
                more = len(rows) - len(kept) if position == len(kept) - 1 else 0
                failures.append(
                    QualityFailure(rule, name, columns.values["place"][index], _shown_value(rule, columns, index), more)
                )
    run = SuiteRun(columns.dataset, len(set(files)), len(columns), len(rules), failed, time.perf_counter() - started)
    return run, failures, failing_rows


def check_documents_by_columns(documents: Sequence[tuple[str, SourceDocument]], today: date) -> QualityResult:
    """Every suite with rows in this batch, as column checks only (no Great Expectations)."""
    outcome = QualityResult()
    for dataset, columns in dataset_columns(documents).items():
        if not len(columns):
            continue
        run, failures, failing_rows = check_columns(columns, today)
        outcome.runs.append(run)
        outcome.failures += failures
        outcome.failing_rows[dataset] = failing_rows
        outcome.rows_by_file[dataset] = dict(Counter(columns.files))
    return outcome


# -- the gate -----------------------------------------------------------------------------------------


def _merge(fast: QualityResult, checked: QualityResult, datasets: set[str]) -> QualityResult:
    """The column checks' results for the datasets that passed, Great Expectations' for ``datasets``."""
    merged = QualityResult()
    by_dataset = {run.dataset: run for run in checked.runs}
    for run in fast.runs:
        merged.runs.append(by_dataset.get(run.dataset, run) if run.dataset in datasets else run)
    merged.failures = [f for f in checked.failures if f.rule.dataset in datasets]
    merged.rows_by_file = fast.rows_by_file
    merged.failing_rows = {
        dataset: (checked.failing_rows.get(dataset, set()) if dataset in datasets else rows)
        for dataset, rows in fast.failing_rows.items()
    }
    return merged


def _compare(fast: QualityResult, checked: QualityResult, datasets: set[str]) -> None:
    """Log an error when the column checks and Great Expectations disagree: a bug in this module
    (Great Expectations' result is the one recorded)."""

    def rows(result: QualityResult) -> list[tuple[str, str, str, str, int]]:
        return [
            (f.rule.label, f.file, f.place, f.value if f.place != "whole batch" else "", f.more)
            for f in result.failures
            if f.rule.dataset in datasets
        ]

    if rows(fast) != rows(checked) or any(fast.failing_rows.get(d) != checked.failing_rows.get(d) for d in datasets):
        logger.error(
            "data quality: the column checks and Great Expectations disagree on %s; Great Expectations' result is recorded "
            "(column checks: %s; Great Expectations: %s)",
            ", ".join(sorted(datasets)),
            rows(fast)[:5],
            rows(checked)[:5],
        )


def check_documents(documents: Sequence[tuple[str, SourceDocument]], today: date) -> QualityResult:
    """The data-quality gate of an ingest batch: the column checks decide a batch that passes; a batch
    with failures is validated again by Great Expectations (only its failing datasets), whose results
    are returned for the quarantine reasons and the records."""
    fast = check_documents_by_columns(documents, today)
    failing = {failure.rule.dataset for failure in fast.failures}
    if not failing:
        return fast
    checked = validate_documents([(name, doc) for name, doc in documents if dataset_of(doc) in failing], today)
    _compare(fast, checked, failing)
    return _merge(fast, checked, failing)


def check_vehicle_records(file: str, vehicles: Sequence[Any], today: date) -> QualityResult:
    """The gate for DMR records (see :func:`compliance.quality.validate_vehicle_records`): column checks,
    and Great Expectations on the same records when they find a failing one."""
    fast = QualityResult()
    if not vehicles:
        return fast
    columns = Columns("vehicles")
    columns.add(vehicle_record(file, f"record {v.record}", v) for v in vehicles)
    run, failures, failing_rows = check_columns(columns, today)
    fast.runs.append(run)
    fast.failures += failures
    fast.failing_rows["vehicles"] = failing_rows
    if not failures:
        return fast
    checked = validate_vehicle_records(file, vehicles, today)
    _compare(fast, checked, {"vehicles"})
    return checked
