"""Share arithmetic shared by every minimum-share rule (§2.1 green trips or km, §16.3 purchase shares).

Exact ``Decimal`` throughout; nothing here rounds except where a rule counts whole trips.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def meets_level(level_percent: Decimal, total: Decimal, green: Decimal, inclusive: bool) -> bool:
    """Exact comparison green/total ≥ level (or >), without dividing."""
    required = level_percent / HUNDRED * total
    return green >= required if inclusive else green > required


def trips_short(level_percent: Decimal, total: Decimal, green: Decimal, inclusive: bool) -> int:
    """Green trips missing to reach the level (interpretation in RULES.md §1).

    Inclusive ("at least"): ceil(level × total − green), floored at 0. Strict ("more than"): the
    smallest k with green + k > level × total, capped at the conventional trips there were.
    """
    required = level_percent / HUNDRED * total
    gap = required - green
    if inclusive:
        return max(0, int(gap.to_integral_value(rounding=ROUND_CEILING)))
    if gap < ZERO:
        return 0
    missing = int(gap.to_integral_value(rounding=ROUND_FLOOR)) + 1
    return min(missing, int(max(total - green, ZERO)))


def km_short(level_percent: Decimal, total_km: Decimal, green_km: Decimal) -> Decimal:
    """level × total km − green km, floored at 0 (RULES.md §1, model 1)."""
    return max(ZERO, level_percent / HUNDRED * total_km - green_km)
