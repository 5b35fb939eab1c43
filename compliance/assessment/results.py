"""What the assessment stored, read back typed: findings, and each assessed contract year as a whole.

Reports, notices and the CLI read these records and never query the store themselves, so what a
year "is" (its outcomes, its findings, its hearing) is decided here once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from compliance.assessment.hearing import HearingRecord, hearing
from compliance.assessment.outcomes import (
    GreenVehicleOutcome,
    PurchaseShareOutcome,
    YearOutcomes,
    assessed_years,
    year_outcomes,
)
from compliance.base.messages import render_message
from compliance.checks.green_vehicles import RULE_EARLY_WARNING
from compliance.store.models import Finding


@dataclass(frozen=True)
class StoredFinding:
    """A stored finding with the path and hash of the file it points at (``None`` when it names no file).

    The message is stored as a key and parameters and rendered when an output reads ``message``.
    """

    fingerprint: str
    rule_id: str
    severity: str
    contract_id: str | None
    contract_year: int | None
    supplier_cvr: str | None
    subject: str
    message_key: str
    message_params: Mapping[str, Any]
    expected: str | None
    received: str | None
    location: str | None
    evidence: Mapping[str, Any]
    source_path: str | None
    source_sha256: str | None
    recorded_message: str | None = None  # the text as rendered when the finding was stored

    @property
    def message(self) -> str:
        """The message text (English; compliance.base.messages.render_message), the recorded text if the
        current template does not fit the stored parameters."""
        return render_message(self.message_key, self.message_params, self.recorded_message)


def stored_finding(row: Finding) -> StoredFinding:
    source = row.source_file
    return StoredFinding(
        fingerprint=row.fingerprint,
        rule_id=row.rule_id,
        severity=row.severity,
        contract_id=row.contract_id,
        contract_year=row.contract_year,
        supplier_cvr=row.supplier_cvr,
        subject=row.subject,
        message_key=row.message_key,
        message_params=row.message_params or {},
        expected=row.expected,
        received=row.received,
        location=row.location,
        evidence=row.evidence or {},
        source_path=source.path if source is not None else None,
        source_sha256=source.sha256 if source is not None else None,
        recorded_message=row.message,
    )


def stored_findings(session: Session, *conditions: ColumnElement[bool]) -> list[StoredFinding]:
    """The findings that meet ``conditions`` (all of them when none), in the order they were stored."""
    query = select(Finding).where(*conditions).options(selectinload(Finding.source_file)).order_by(Finding.id)
    return [stored_finding(row) for row in session.scalars(query)]


def all_findings(session: Session) -> list[StoredFinding]:
    return stored_findings(session)


def year_findings(session: Session, contract_id: str, year: int) -> list[StoredFinding]:
    return stored_findings(session, Finding.contract_id == contract_id, Finding.contract_year == year)


def unmatched_findings(session: Session) -> list[StoredFinding]:
    """Findings about documents that belong to no contract (e.g. an invoice no contract claims)."""
    return stored_findings(session, Finding.contract_id.is_(None))


def supplier_findings(session: Session, contract_id: str, supplier_cvr: str) -> list[StoredFinding]:
    """A contract's findings about its own supplier only: what that supplier may be shown."""
    return stored_findings(session, Finding.contract_id == contract_id, Finding.supplier_cvr == supplier_cvr)


def early_warnings(session: Session, contract_id: str) -> list[str]:
    """The messages of the contract's §2.1 early warnings (a running year heading below the level), by year."""
    prefix = RULE_EARLY_WARNING.split("@", 1)[0] + "@"
    rows = session.execute(
        select(Finding.message_key, Finding.message_params)
        .where(Finding.contract_id == contract_id, Finding.rule_id.startswith(prefix))
        .order_by(Finding.contract_year)
    )
    return [render_message(key, params) for key, params in rows]


@dataclass(frozen=True)
class AssessedYear:
    """One assessed contract year: the stored outcomes, the year's findings and its hearing, if any."""

    contract_id: str
    number: int
    outcomes: YearOutcomes
    findings: tuple[StoredFinding, ...]
    hearing: HearingRecord | None

    @property
    def green(self) -> GreenVehicleOutcome | None:
        return self.outcomes.green

    @property
    def shares(self) -> tuple[PurchaseShareOutcome, ...]:
        return self.outcomes.shares

    @property
    def high_findings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "high")

    def findings_by_rule(self) -> Counter[str]:
        return Counter(finding.rule_id for finding in self.findings)


def assessed_year(session: Session, contract_id: str, number: int) -> AssessedYear:
    return AssessedYear(
        contract_id=contract_id,
        number=number,
        outcomes=year_outcomes(session, contract_id, number),
        findings=tuple(year_findings(session, contract_id, number)),
        hearing=hearing(session, contract_id, number),
    )


def assessed_contract_years(session: Session, contract_id: str) -> list[AssessedYear]:
    """Every contract year the assessment stored outcomes for, first year first."""
    return [assessed_year(session, contract_id, number) for number in assessed_years(session, contract_id)]
