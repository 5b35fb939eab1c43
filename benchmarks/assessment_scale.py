"""The §2.1 assessment over millions of trips for many contracts, beside one SQL GROUP BY.

Builds a SQLite database with ``--contracts`` courier contracts (one contract year each, no
transition months) and ``--trips`` trips in all, invoiced as one trip line per ``--trips-per-line``
trips (green or conventional, a plate on every line), as if ingested and matched. Then, in one run:

1. reading the trip lines (``refresh_trip_lines``: every invoice line through the contract's
   matchers, once) — printed as lines/s; it happens once per invoice, not per assessment;
2. the assessment exactly as ``compliance check`` does it: ``count_trips`` over every contract
   year's measurement window, then ``green_share_assessment`` (level, share, shortfall, penalty)
   per contract year;
3. the baseline: the same aggregation as one hand-written ``GROUP BY`` in the database.

Steps 2 and 3 run three times each, alternating; the best of each is compared (target: the
assessment within 2× the GROUP BY). The results of 2 and 3 are compared trip for trip. Usage:
    python3 -m uv run python benchmarks/assessment_scale.py [--contracts 1000] [--trips 10000000] [--trips-per-line 1]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from compliance.assessment.green_vehicles import green_share_assessment
from compliance.assessment.trip_lines import count_trips, refresh_trip_lines, windows_of
from compliance.contracts import ContractTerms, contract_from_data
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import Invoice, InvoiceLine, SourceFile

YEAR_START = date(2025, 1, 1)
BASELINE_SQL = """
SELECT contract_id, kind, SUM(trips_milli) FROM trip_line
WHERE kind IN ('green', 'conventional') GROUP BY contract_id, kind
"""


def contract_terms(number: int) -> ContractTerms:
    cvr = f"{40000000 + number:08d}"
    data: dict[str, Any] = {
        "id": f"KK-B-{number:04d}",
        "name": f"Kurérkørsel {number}",
        "buyer": {"name": "Københavns Kommune", "cvr": "64942212", "customer_ids": ["5798000000014"]},
        "supplier": {"name": f"Bud {number} ApS", "cvr": cvr},
        "period": {"start": "2025-01-01", "end": "2025-12-31"},
        "green_vehicles": {
            "form": "both",
            "years": [{"year": 1, "minimum": 40, "offer": 50}],
            "transition_months": 0,
            "basis": "trips",
            "penalty": {"model": "per_trip", "rate_dkk": 450, "fixed_dkk": 10000},
            "trip_lines": {
                "green": {"seller_item_ids": ["KOERSEL-GROEN"]},
                "conventional": {"seller_item_ids": ["KOERSEL-KONV"]},
                "registrations": {"source": "note"},
            },
        },
    }
    return contract_from_data(data, f"benchmark/{data['id']}.yaml")


def build(database: Path, contracts: list[ContractTerms], trips: int, per_line: int) -> int:
    """Invoices with trip lines, written with bulk INSERTs (as ingest and matching would leave them)."""
    rng = random.Random(2024)
    url = f"sqlite:///{database}"
    migrate_database(url)
    engine = make_engine(url)
    lines_per_contract = trips // per_line // len(contracts)
    lines_per_invoice = max(1, lines_per_contract // 12)
    line_id = 0
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for number, contract in enumerate(contracts, start=1):
            share = rng.uniform(0.3, 0.7)
            invoice_rows = []
            for month in range(12):
                invoice_rows.append(
                    {
                        "id": number * 100 + month, "source_file_id": number * 100 + month, "document_type": "invoice",
                        "format": "OIOUBL-2.1", "number": f"{number}-{month}", "issue_date": date(2025, month + 1, 28),
                        "currency": "DKK", "supplier_key": contract.supplier_cvr, "supplier_cvr": contract.supplier_cvr,
                        "contract_references": [contract.id], "contract_id": contract.id, "allowance_charges": [],
                    }
                )  # fmt: skip
            session.execute(
                insert(SourceFile),
                [
                    {"id": row["id"], "sha256": f"{row['id']:064d}", "path": f"bench/{row['number']}.xml", "size_bytes": 0,
                     "kind": "invoice", "status": "ingested", "first_seen_at": now}
                    for row in invoice_rows
                ],
            )  # fmt: skip
            session.execute(insert(Invoice), invoice_rows)
            lines = []
            for row in invoice_rows:
                month_start = date(2025, row["issue_date"].month, 1)
                for position in range(lines_per_invoice):
                    line_id += 1
                    green = rng.random() < share
                    lines.append(
                        {
                            "id": line_id, "invoice_id": row["id"], "position": position + 1, "line_id": str(position + 1),
                            "quantity": Decimal(per_line), "line_amount": Decimal(per_line * 95),
                            "name": "Kørsel", "seller_item_id": "KOERSEL-GROEN" if green else "KOERSEL-KONV",
                            "classification_codes": [], "labels": [], "properties": [],
                            "notes": [f"EC{41000 + position % 50}" if green else f"DX{18000 + position % 50}"],
                            "delivery_date": month_start + timedelta(days=position % 28),
                        }
                    )  # fmt: skip
            for start in range(0, len(lines), 50_000):
                session.execute(insert(InvoiceLine), lines[start : start + 50_000])
    engine.dispose()
    return line_id


def assessment(engine: Any, contracts: list[ContractTerms]) -> dict[str, tuple[Decimal, Decimal]]:
    """What ``compliance check`` computes for the share: counts per window, then level and penalty."""
    by_id = {c.id: c for c in contracts}
    result = {}
    with session_scope(engine) as session:
        windows = windows_of(contracts, date(2026, 6, 1))
        counts = count_trips(session, windows)
        for window in windows:
            count = counts[(window.contract_id, window.year)]
            contract = by_id[window.contract_id]
            assessed = green_share_assessment(
                contract, contract.year(window.year), count.green, count.green + count.conventional, None, None
            )
            assert assessed.penalty_total >= 0
            result[window.contract_id] = (count.green, count.conventional)
    return result


def baseline(engine: Any) -> dict[str, tuple[Decimal, Decimal]]:
    sums: dict[str, dict[str, int]] = {}
    with engine.connect() as connection:
        for contract_id, kind, milli in connection.execute(text(BASELINE_SQL)):
            sums.setdefault(contract_id, {})[kind] = milli
    return {c: (Decimal(k.get("green", 0)) / 1000, Decimal(k.get("conventional", 0)) / 1000) for c, k in sums.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--trips", type=int, default=10_000_000)
    parser.add_argument("--trips-per-line", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    contracts = [contract_terms(n) for n in range(1, args.contracts + 1)]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        lines = build(database, contracts, args.trips, args.trips_per_line)
        print(f"built {lines:,} trip lines ({lines * args.trips_per_line:,} trips) for {len(contracts):,} contracts "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        engine = make_engine(f"sqlite:///{database}")
        started = time.perf_counter()
        with session_scope(engine) as session:
            stored = sum(refresh_trip_lines(session, contract) for contract in contracts)
        seconds = time.perf_counter() - started
        print(f"read trip lines once: {stored:,} lines in {seconds:.1f} s = {stored / seconds:,.0f} lines/s")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        best_assessment = best_baseline = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            assessed = assessment(engine, contracts)
            best_assessment = min(best_assessment, time.perf_counter() - started)
            started = time.perf_counter()
            expected = baseline(engine)
            best_baseline = min(best_baseline, time.perf_counter() - started)
        assert assessed == expected, "the assessment and the GROUP BY disagree"
        trips = sum(g + c for g, c in assessed.values())
        print(f"assessment ({len(assessed):,} contract years, {trips:,.0f} trips): {best_assessment:.2f} s")
        print(f"baseline GROUP BY: {best_baseline:.2f} s")
        print(f"ratio assessment / GROUP BY: {best_assessment / best_baseline:.2f}x (target <= 2x)")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
