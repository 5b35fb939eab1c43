"""The shared vocabulary of vehicles: kinds, fuels, plates, and what counts as a green vehicle.

Every reader, check and report uses these names, so a fuel or a plate means the same thing from
the e-invoice to the supplier's letter.
"""

from __future__ import annotations

import re

VEHICLE_KINDS = frozenset({"car", "van", "truck", "bus", "motorcycle", "bicycle", "cargo_bike", "other"})
FUELS = frozenset({"petrol", "diesel", "electric", "hydrogen", "natural_gas", "biogas", "lpg", "other", "none"})
NON_MOTORISED = frozenset({"bicycle", "cargo_bike"})
# Handbook §2.1 (RULES.md §1): zero-emission fuels; biogas is green only with declared evidence.
GREEN_FUELS = frozenset({"electric", "hydrogen"})

_PLATE_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_registration(text: str) -> str:
    """``ab 12 345`` → ``AB12345``: plates compare without spaces, upper-case."""
    return _PLATE_SEPARATORS.sub("", text).upper()


def vehicle_is_green(kind: str | None, fuel: str | None, green_evidence: str | None) -> bool:
    """Handbook §2.1 (RULES.md §1): electric, hydrogen, biogas (only with declared evidence), or non-motorised.

    Plug-in hybrids, petrol, diesel, fossil natural gas and HVO are not green.
    """
    if kind in NON_MOTORISED:
        return True
    if fuel in GREEN_FUELS:
        return True
    return fuel == "biogas" and bool(green_evidence)
