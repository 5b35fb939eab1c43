"""A finding: a rule outcome with its evidence, an identity that never includes its wording, and a
message stored as a key plus parameters (rendered by ``compliance.base.messages``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from compliance.base.messages import ENGLISH, MessageParams, render_message


def evidence_key(**parts: object) -> str:
    """The part of the evidence that says what a finding is about (a plate, an item, an invoice line,
    a month), as canonical text; parts that are ``None`` are left out, and no parts give ``""``
    (the finding is about the contract year itself). Never put run dates or counts here."""
    present = {name: str(value) for name, value in parts.items() if value is not None}
    if not present:
        return ""
    return json.dumps(present, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def finding_fingerprint(
    rule_id: str,
    contract_id: str | None,
    contract_year: int | None,
    source_file_id: int | None,
    location: str | None,
    subject: str,
) -> str:
    """The identity of a finding: rule id with its version, contract, year, source file, place in the
    file, and evidence key. Never the message, so rewording a text or a new run date keeps it."""
    key = [rule_id, contract_id, contract_year, source_file_id, location, subject]
    return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class FindingRecord:
    """A rule outcome with its evidence: the rule, the contract, and the file/line it points at.

    ``message_key`` and ``params`` are the message (see ``compliance.base.messages``); ``subject``
    is the evidence key (see ``evidence_key``) that, with rule, contract, year, file and location,
    makes the finding's identity.
    """

    rule_id: str
    severity: str  # "high" | "medium" | "low"
    message_key: str
    params: MessageParams
    subject: str
    contract_id: str | None = None
    contract_year: int | None = None
    supplier_cvr: str | None = None
    expected: str | None = None
    received: str | None = None
    source_file_id: int | None = None
    location: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    # A finding about a plate or a label text as such: its subject alone identifies it, and file and
    # place only say where it was first seen (a new register extract or an earlier log must not re-key it).
    identified_by_subject: bool = False

    def __post_init__(self) -> None:
        if self.message_key not in ENGLISH:
            raise KeyError(f"{self.rule_id}: no message template {self.message_key!r}")

    @property
    def message(self) -> str:
        """The message in English, as outputs render it."""
        return render_message(self.message_key, self.params)

    def row_values(self) -> dict[str, Any]:
        """The columns of the stored ``Finding`` row (without its time stamp)."""
        return {
            "fingerprint": self.fingerprint(),
            "rule_id": self.rule_id,
            "severity": self.severity,
            "contract_id": self.contract_id,
            "contract_year": self.contract_year,
            "supplier_cvr": self.supplier_cvr,
            "subject": self.subject,
            "message_key": self.message_key,
            "message_params": self.params,
            "message": self.message,
            "expected": self.expected,
            "received": self.received,
            "source_file_id": self.source_file_id,
            "location": self.location,
            "evidence": self.evidence,
        }

    def fingerprint(self) -> str:
        """Stable identity, so a re-run finds the same finding instead of adding a second one."""
        if self.identified_by_subject:
            return finding_fingerprint(self.rule_id, self.contract_id, self.contract_year, None, None, self.subject)
        return finding_fingerprint(
            self.rule_id, self.contract_id, self.contract_year, self.source_file_id, self.location, self.subject
        )
