"""N realistic synthetic OIOUBL 2.1 invoices (5–15 KB, 1–20 lines, trip lines included), for benchmarks.

Each invoice is one supplier's monthly or weekly bill to a buyer unit: some goods lines and, for
the courier suppliers, pairs of green and conventional trip lines with registration numbers.
Deterministic for a given seed. Usage: ``python benchmarks/synthetic_invoices.py OUT_DIR N``.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sample_data import (
    BUYER_OFFICE,
    BUYER_TRANSPORT,
    CONVENTIONAL_PLATES,
    GREEN_PLATES,
    OFFICE_ITEMS,
    OFFICE_SUPPLIER,
    TRANSPORT_SUPPLIER,
    Line,
    PartyInfo,
    oioubl_document,
    trip_line,
)


def synthetic_invoice(number: int, rng: random.Random) -> bytes:
    """One invoice of 1–20 lines; every third is a courier invoice with trip lines."""
    issue = date(2025, 1, 1) + timedelta(days=rng.randint(0, 364))
    lines: list[Line] = []
    count = min(20, 1 + int(rng.expovariate(1 / 4)))  # 1–20 lines, most invoices short (median 3–4)
    if number % 3 == 0:
        supplier, buyer, contract = TRANSPORT_SUPPLIER, BUYER_TRANSPORT, "KK-2024-0117"
        while len(lines) < count:
            day = issue - timedelta(days=rng.randint(0, 27))
            green = rng.randint(0, 6)
            lines.append(trip_line("green", green, day, tuple(rng.sample(GREEN_PLATES, 2))))
            if len(lines) < count:
                lines.append(trip_line("conventional", rng.randint(0, 6), day, (rng.choice(CONVENTIONAL_PLATES),)))
    else:
        supplier, buyer, contract = OFFICE_SUPPLIER, BUYER_OFFICE, "KK-2025-0042"
        items = list(OFFICE_ITEMS.items())
        for _ in range(count):
            item_id, (name, unit, price, unspsc) = rng.choice(items)
            lines.append(Line(item_id, name, Decimal(rng.randint(1, 40)), unit, price, unspsc, issue))
    supplier = PartyInfo(
        supplier.name,
        f"{int(supplier.cvr or 0) + number % 50:08d}",
        None,
        supplier.street,
        supplier.number,
        supplier.city,
        supplier.zip,
    )
    return oioubl_document("invoice", f"SYN-{number:07d}", issue, supplier, buyer, contract, lines, pretty=False)


def synthetic_invoices(count: int, seed: int = 7) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    for number in range(count):
        yield f"SYN-{number:07d}.xml", synthetic_invoice(number, rng)


def write_invoices(folder: Path, count: int, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in synthetic_invoices(count, seed):
        path = folder / name[:7] / name if count > 5000 else folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def size_summary(sizes: list[int]) -> str:
    ordered = sorted(sizes)

    def at(q: float) -> float:
        return ordered[int(q * (len(ordered) - 1))] / 1000

    return f"sizes {at(0):.1f} / {at(0.1):.1f} / {at(0.5):.1f} / {at(0.9):.1f} / {at(1):.1f} KB (min / p10 / median / p90 / max)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    paths = write_invoices(args.out, args.count)
    sizes = sorted(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} invoices to {args.out}: {size_summary(sizes)}")


if __name__ == "__main__":
    main()
