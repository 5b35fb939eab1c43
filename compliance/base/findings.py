"""Rule checks, one module per rule family; each returns findings and never writes files."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FindingRecord:
    """A rule outcome with its evidence: the rule, the contract, and the file/line it points at."""

    rule_id: str
    severity: str  # "high" | "medium" | "low"
    message: str
    contract_id: str | None = None
    contract_year: int | None = None
    supplier_cvr: str | None = None
    expected: str | None = None
    received: str | None = None
    source_file_id: int | None = None
    location: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def row_values(self) -> dict[str, Any]:
        """The columns of the stored ``Finding`` row (without its time stamp)."""
        return {
            "fingerprint": self.fingerprint(),
            "rule_id": self.rule_id,
            "severity": self.severity,
            "contract_id": self.contract_id,
            "contract_year": self.contract_year,
            "supplier_cvr": self.supplier_cvr,
            "message": self.message,
            "expected": self.expected,
            "received": self.received,
            "source_file_id": self.source_file_id,
            "location": self.location,
            "evidence": self.evidence,
        }

    def fingerprint(self) -> str:
        """Stable identity, so a re-run finds the same finding instead of adding a second one."""
        key = [self.rule_id, self.contract_id, self.contract_year, self.source_file_id, self.location, self.message]
        return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()
