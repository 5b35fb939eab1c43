"""finding identity without the message; messages as key + parameters

A finding's fingerprint was rule + contract + year + file + location + *message text*, so rewording a
message, or the run date inside the early warning, gave it a new identity and restarted the
supplier's notice deadline. It becomes rule + contract + year + file + location + *subject* (the
evidence key: a plate, an item, an invoice line, a month), and the message is stored as a key plus
parameters.

Upgrade: every finding gets its subject (derived from its stored evidence, by the rules the checks
of this revision use) and its new fingerprint; its message becomes the key ``legacy.recorded_text``
with the recorded text as parameter, until the next check run stores the real key. A discrepancy
notice whose content hash is the hash of the findings it holds now gets the same hash over the new
fingerprints, and so do its deliveries with that content: its deadline stays, and nothing is sent
again. A notice that is already out of date with its findings keeps its hash (its next writing
restarts the deadline, as it would have without this migration). Findings that were two only
because their texts differed become one (the first seen is kept).

Two deadlines can still restart once after the upgrade, as they would have without it: a notice
written before the latest check run (an early warning's text changes with every run), and, on
PostgreSQL, a finding placed at its first occurrence (an unknown label, a licence stated in the
catalogue) whose first row changes because the checks now read rows in id order.

Downgrade: the reverse, with the fingerprint taken from the stored English text.

The derivation below is a frozen copy of this revision's rules (compliance.base.findings), so later
changes to the code never change what this migration does.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 18:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NOTICE_KIND = "discrepancies"
GREEN_SHARE_RULE = "green_vehicles.share@1"
LEGACY_KEY = "legacy.recorded_text"

# Which evidence fields name what a finding is about, per rule (present ones only; licences add the
# licence number, which they record as ``received``). Frozen at this revision.
_LINE = ("invoice", "line")
SUBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "invoice.unmatched@1": ("invoice",),
    "invoice.duplicate_number@1": ("number",),
    "banned_items.delivered@1": (*_LINE, "rule"),
    "catalogue.item_not_in_catalogue@1": (*_LINE, "item"),
    "catalogue.label_not_in_catalogue@1": (*_LINE, "item"),
    "catalogue.update_without_item@1": ("line", "item"),
    "eco_labels.missing_label@1": (*_LINE, "rule"),
    "eco_labels.missing_licence@1": (*_LINE, "item", "rule"),
    "eco_labels.catalogue_missing_label@1": ("item", "rule"),
    "eco_labels.unknown_label@1": ("label",),
    "ecolabel_categorisation.missing_type1@1": ("item", "line"),
    "euro6.not_euro6@1": ("registration",),
    "green_vehicles.share@1": (),
    "green_vehicles.early_warning@1": (),
    "green_vehicles.no_trips@1": (),
    "green_vehicles.ambiguous_trip_line@1": _LINE,
    "green_vehicles.missing_registration@1": _LINE,
    "green_vehicles.unknown_vehicle@1": (*_LINE, "registration"),
    "green_vehicles.not_green_vehicle@1": (*_LINE, "registration"),
    "vehicles.deregistered@1": (*_LINE, "registration"),
    "green_vehicles.log_mismatch@1": ("month",),
    "green_vehicles.green_not_in_log@1": ("month",),
    "hvo100.not_hvo100@1": ("registration",),
    "vehicles.unknown_in_log@1": ("registration",),
    "vehicles.deregistered_in_log@1": ("registration",),
    "licences.invalid_format@1": (*_LINE, "item", "label"),
    "licences.not_in_registry@1": (*_LINE, "item", "label"),
    "licences.expired@1": (*_LINE, "item", "label"),
    "licences.wrong_product_group@1": (*_LINE, "item", "label"),
}

# Findings about a plate or a label text as such: identified by rule, contract, year and subject alone
# (file and place say only where they were first seen). Frozen at this revision.
SUBJECT_ONLY_RULES = frozenset(
    {
        "euro6.not_euro6@1",
        "eco_labels.unknown_label@1",
        "hvo100.not_hvo100@1",
        "vehicles.unknown_in_log@1",
        "vehicles.deregistered_in_log@1",
    }
)

finding = sa.table(
    "finding",
    sa.column("id", sa.Integer),
    sa.column("fingerprint", sa.String),
    sa.column("rule_id", sa.String),
    sa.column("contract_id", sa.String),
    sa.column("contract_year", sa.Integer),
    sa.column("supplier_cvr", sa.String),
    sa.column("subject", sa.Text),
    sa.column("message_key", sa.String),
    sa.column("message_params", sa.JSON),
    sa.column("message", sa.Text),
    sa.column("received", sa.Text),
    sa.column("source_file_id", sa.Integer),
    sa.column("location", sa.Text),
    sa.column("evidence", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
notice = sa.table(
    "notice",
    sa.column("id", sa.Integer),
    sa.column("contract_id", sa.String),
    sa.column("contract_year", sa.Integer),
    sa.column("supplier_cvr", sa.String),
    sa.column("kind", sa.String),
    sa.column("content_sha256", sa.String),
)
notice_delivery = sa.table(
    "notice_delivery",
    sa.column("notice_id", sa.Integer),
    sa.column("content_sha256", sa.String),
)
assessment = sa.table(
    "assessment",
    sa.column("contract_id", sa.String),
    sa.column("contract_year", sa.Integer),
    sa.column("rule_id", sa.String),
    sa.column("status", sa.String),
    sa.column("penalty_total", sa.String),
)


def subject_of(rule_id: str, evidence: dict[str, Any] | None, received: str | None, message: str) -> str:
    """The evidence key a finding stored by revision 0009 gets (compliance.base.findings.evidence_key)."""
    evidence = evidence or {}
    fields = SUBJECT_FIELDS.get(rule_id)
    if fields is None and rule_id.startswith("purchase_share."):
        fields = ("quarter",) if rule_id.endswith(".quarter@1") else ()
    if fields is None:
        parts: dict[str, Any] = {"message": message}  # a rule this revision does not know: kept apart by its text, as before
    else:
        parts = {name: evidence.get(name) for name in fields}
        if rule_id.startswith("licences."):
            parts["licence"] = received
    present = {name: str(value) for name, value in parts.items() if value is not None}
    return json.dumps(present, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if present else ""


def _sha(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def new_fingerprint(row: Any, subject: str) -> str:
    if row.rule_id in SUBJECT_ONLY_RULES:
        return _sha([row.rule_id, row.contract_id, row.contract_year, None, None, subject])
    return _sha([row.rule_id, row.contract_id, row.contract_year, row.source_file_id, row.location, subject])


def old_fingerprint(row: Any) -> str:
    return _sha([row.rule_id, row.contract_id, row.contract_year, row.source_file_id, row.location, row.message])


def notice_hash(fingerprints: Iterable[str], penalty: str) -> str:
    """compliance.assessment.notices.content_hash: the sorted fingerprints, then the penalty (or 'None')."""
    digest = hashlib.sha256()
    for fingerprint in sorted(fingerprints):
        digest.update(fingerprint.encode())
    digest.update(penalty.encode())
    return digest.hexdigest()


def _penalties(connection: sa.Connection) -> dict[tuple[str, int], str]:
    """The proposed penalty a notice's content includes: the green share's, when it fell short."""
    rows = connection.execute(
        sa.select(assessment.c.contract_id, assessment.c.contract_year, assessment.c.penalty_total).where(
            assessment.c.rule_id == GREEN_SHARE_RULE, assessment.c.status == "short"
        )
    )
    return {(r.contract_id, r.contract_year): str(Decimal(str(r.penalty_total))) for r in rows if r.penalty_total is not None}


def _rekey(connection: sa.Connection, fingerprint_of: Callable[[Any], str], extra: Callable[[Any], dict[str, Any]]) -> None:
    """Give every finding the fingerprint ``fingerprint_of(row)``, keep notices and deliveries whose
    content was current on their new content hash, and merge findings that become one."""
    rows = list(connection.execute(sa.select(finding)))
    target = {row.id: fingerprint_of(row) for row in rows}
    penalties = _penalties(connection)
    carried: list[tuple[int, str, str]] = []
    notices = connection.execute(
        sa.select(notice).where(notice.c.kind == NOTICE_KIND, notice.c.content_sha256.is_not(None))
    ).all()
    by_letter: dict[tuple[Any, Any, Any], list[Any]] = {}
    for row in rows:  # grouped once: a large database has many findings and many notices
        by_letter.setdefault((row.contract_id, row.contract_year, row.supplier_cvr), []).append(row)
    for letter in notices:
        held = by_letter.get((letter.contract_id, letter.contract_year, letter.supplier_cvr), [])
        penalty = penalties.get((letter.contract_id, letter.contract_year), "None")
        if notice_hash((row.fingerprint for row in held), penalty) == letter.content_sha256:
            carried.append((letter.id, letter.content_sha256, notice_hash({target[row.id] for row in held}, penalty)))
    # Findings that share a target identity become one: the first seen stays.
    kept: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: (r.created_at is None, r.created_at, r.id)):
        kept.setdefault(target[row.id], row)
    kept_ids = {row.id for row in kept.values()}
    dropped = [row.id for row in rows if row.id not in kept_ids]
    if dropped:
        connection.execute(sa.delete(finding).where(finding.c.id.in_(dropped)))
    for fingerprint, row in kept.items():
        connection.execute(sa.update(finding).where(finding.c.id == row.id).values(fingerprint=fingerprint, **extra(row)))
    for notice_id, old, new in carried:
        connection.execute(sa.update(notice).where(notice.c.id == notice_id).values(content_sha256=new))
        connection.execute(
            sa.update(notice_delivery)
            .where(notice_delivery.c.notice_id == notice_id, notice_delivery.c.content_sha256 == old)
            .values(content_sha256=new)
        )


def _subject(row: Any) -> str:
    return subject_of(row.rule_id, row.evidence, row.received, row.message)


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("subject", sa.Text(), nullable=True))
        batch.add_column(sa.Column("message_key", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("message_params", sa.JSON(), nullable=True))
    _rekey(
        op.get_bind(),
        lambda row: new_fingerprint(row, _subject(row)),
        lambda row: {"subject": _subject(row), "message_key": LEGACY_KEY, "message_params": {"text": row.message}},
    )
    with op.batch_alter_table("finding") as batch:
        batch.alter_column("subject", existing_type=sa.Text(), nullable=False)
        batch.alter_column("message_key", existing_type=sa.String(length=80), nullable=False)
        batch.alter_column("message_params", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    _rekey(op.get_bind(), old_fingerprint, lambda row: {})
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("message_params")
        batch.drop_column("message_key")
        batch.drop_column("subject")

