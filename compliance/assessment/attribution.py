"""Documents held out because their issuer is not a party of the contract they cite (issue 16, item 1).

The matching itself is pure (``compliance.checks.contract_matching`` for invoices,
``compliance.checks.items.contract_catalogue`` for catalogues, the driving-log filter in
``compliance.assessment.inputs``); this module gathers, across every contract, the high findings for
what was held out, so the data team sees each such document once per contract it cites.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from compliance.assessment.inputs import catalogue_message_records, logs_citing_from_others
from compliance.base.findings import FindingRecord
from compliance.checks.attribution import Issuer, file_name, not_attributed_finding
from compliance.checks.items import catalogues_citing_from_others
from compliance.contracts import ContractTerms


def held_out_document_findings(session: Session, contracts: Sequence[ContractTerms]) -> list[FindingRecord]:
    """The high findings for catalogues and driving logs that cite a contract from an issuer it does not list."""
    messages = catalogue_message_records(session)
    findings: list[FindingRecord] = []
    for contract in contracts:
        findings += catalogues_citing_from_others(contract, messages)
        for log in logs_citing_from_others(session, contract):
            findings.append(
                not_attributed_finding(
                    contract,
                    Issuer(cvr=log.supplier_cvr),
                    "driving_log",
                    file_name(log.source_path),
                    log.source_file_id,
                    f"row {log.first_row}",
                    {"file": log.source_path, "rows": log.rows},
                )
            )
    return findings
