"""The data-quality results of parse workers' groups of files, put together as one run per dataset."""

from __future__ import annotations

from compliance.quality import QualityFailure, QualityResult, QualityRule, SuiteRun, combined_results, restricted_to

RULE = QualityRule("invoice_lines", "line_id_unique", "ExpectCompoundColumnsToBeUnique", ("file", "line_id"), {}, "x", "y")


def _result(file: str, rows: int, failing: set[int], failed: list[str]) -> QualityResult:
    failures = [QualityFailure(RULE, file, f"line {index}", "1") for index in sorted(failing)]
    run = SuiteRun("invoice_lines", files=2, rows=rows, expectations=8, failed_expectations=failed, seconds=0.5)
    return QualityResult(runs=[run], failures=failures, failing_rows={"invoice_lines": failing} if failing else {})


def test_groups_become_one_run_per_dataset_with_row_indexes_counted_on() -> None:
    first = _result("a.xml", rows=10, failing={3}, failed=["line_id_unique"])
    second = _result("b.xml", rows=5, failing={0, 4}, failed=["line_id_unique", "quantity_plausible"])
    combined = combined_results([first, QualityResult(), second])
    assert len(combined.runs) == 1
    run = combined.runs[0]
    assert (run.files, run.rows, run.expectations, run.seconds) == (4, 15, 8, 1.0)
    assert run.failed_expectations == ["line_id_unique", "quantity_plausible"]
    assert combined.failing_rows == {"invoice_lines": {3, 10, 14}}, "the second group's rows follow the first's ten"
    assert [f.file for f in combined.failures] == ["a.xml", "b.xml", "b.xml"]
    assert first.runs[0].rows == 10 and first.runs[0].failed_expectations == ["line_id_unique"], "inputs not changed"


def test_a_result_narrowed_to_some_files_counts_their_rows_and_failures_only() -> None:
    first = _result("a.xml", rows=10, failing={3}, failed=["line_id_unique"])
    first.rows_by_file = {"invoice_lines": {"a.xml": 6, "c.xml": 4}}
    second = _result("b.xml", rows=5, failing=set(), failed=[])
    second.rows_by_file = {"invoice_lines": {"b.xml": 5}}
    both = combined_results([first, second])
    narrowed = restricted_to(both, {"b.xml", "c.xml"})
    assert [(run.files, run.rows, run.failed_expectations) for run in narrowed.runs] == [(2, 9, [])]
    assert narrowed.failures == [] and narrowed.failing_rows == {}
    assert restricted_to(both, {"a.xml"}).runs[0].failed_expectations == ["line_id_unique"]
    assert restricted_to(both, {"z.xml"}).runs == [], "a suite none of the files gave rows to is not a run"
