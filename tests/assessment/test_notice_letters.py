"""A notice's deadline follows its findings' identities; its letter follows what the letter says.

New figures in a finding (95 instead of 104 logged trips) change the letter, which is then sent
again, but not the deadline; the run date inside an early warning changes neither.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Engine

from compliance.assessment.notices import DeliveryAttempt, content_hash, letter_hash, record_delivery, sent_before
from compliance.assessment.results import StoredFinding
from compliance.store.db import session_scope
from compliance.store.models import Notice

MISMATCH = StoredFinding(
    fingerprint="f" * 64,
    rule_id="green_vehicles.log_mismatch@1",
    severity="medium",
    contract_id="KK-1",
    contract_year=2,
    supplier_cvr="12345678",
    subject='{"month":"2025-09"}',
    message_key="green_vehicles.log_mismatch",
    message_params={"month": "2025-09", "invoiced": "95", "logged": "104", "tolerance": "5"},
    expected="invoiced and logged trips within 5 % of each other",
    received="95 invoiced, 104 logged",
    location=None,
    evidence={},
    source_path=None,
    source_sha256=None,
)


def _with_params(finding: StoredFinding, **params: str) -> StoredFinding:
    return dataclasses.replace(finding, message_params={**finding.message_params, **params})


def test_new_figures_change_the_letter_but_not_the_deadline() -> None:
    changed = dataclasses.replace(_with_params(MISMATCH, logged="110"), received="95 invoiced, 110 logged")
    assert content_hash([changed], None) == content_hash([MISMATCH], None)
    assert letter_hash([changed], None) != letter_hash([MISMATCH], None)
    assert letter_hash([MISMATCH], Decimal("41500.00")) != letter_hash([MISMATCH], None)


def test_the_run_date_changes_neither() -> None:
    warning = dataclasses.replace(
        MISMATCH, message_key="green_vehicles.early_warning", message_params={"as_of": "2026-11-24", "green": "10"}
    )
    next_day = _with_params(warning, as_of="2026-11-25")
    assert content_hash([next_day], None) == content_hash([warning], None)
    assert letter_hash([next_day], None) == letter_hash([warning], None)


def test_a_letter_is_sent_again_only_when_it_changed(engine: Engine) -> None:
    with session_scope(engine) as session:

        def new_notice(year: int) -> int:
            notice = Notice(
                contract_id="KK-1", contract_year=year, supplier_cvr="12345678", kind="discrepancies", status="written",
                created_at=datetime.now(UTC), content_sha256="c1",
            )  # fmt: skip
            session.add(notice)
            session.flush()
            return notice.id

        def delivered(notice_id: int, content: str, letter: str | None) -> None:
            record_delivery(
                session,
                DeliveryAttempt(
                    notice_id=notice_id, attempted_at=datetime.now(UTC), recipient="a@example.com", sender="b@example.com",
                    smtp_host="mail:25", message_id="<1@x>", attachment_name="n.pdf", attachment_sha256="0" * 64,
                    content_sha256=content, letter_sha256=letter, error=None,  # type: ignore[arg-type]
                ),
            )  # fmt: skip
            session.flush()

        # A delivery recorded before letters had hashes counts for the content it recorded: the upgrade re-sends nothing.
        before_letters = new_notice(1)
        delivered(before_letters, "c1", None)
        assert sent_before(session, before_letters, "a@example.com", "c1", "l1") is not None
        assert sent_before(session, before_letters, "a@example.com", "c2", "l1") is None
        # From then on the letter decides: same deadline (content) but new figures (letter) is sent again.
        notice_id = new_notice(2)
        delivered(notice_id, "c1", "l1")
        assert sent_before(session, notice_id, "a@example.com", "c1", "l1") is not None
        assert sent_before(session, notice_id, "a@example.com", "c1", "l2") is None
        assert sent_before(session, notice_id, "other@example.com", "c1", "l1") is None
