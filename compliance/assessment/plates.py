"""The plates our data mentions, which is all of the DMR extract an inbox import needs to keep."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.assessment.inputs import scanned_line
from compliance.checks.green_vehicles import line_registrations
from compliance.contracts import ContractTerms
from compliance.store.models import InvoiceLine, Trip, Vehicle


def plates_in_data(session: Session, contracts: Sequence[ContractTerms]) -> set[str]:
    """Every plate our data mentions: driving logs, the register, and trip lines as each contract reads them."""
    plates = {plate for plate in session.scalars(select(Trip.registration)) if plate}
    plates.update(session.scalars(select(Vehicle.registration)))
    rules = [c.green_vehicles.trip_lines for c in contracts if c.green_vehicles is not None and c.green_vehicles.trip_lines]
    for line in session.scalars(select(InvoiceLine)):
        scanned = scanned_line(line)
        for rule in rules:
            plates.update(line_registrations(rule, scanned))
    return plates
