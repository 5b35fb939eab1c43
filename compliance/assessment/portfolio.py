"""Portfolio figures across contracts (RULES.md §6).

- Seed 002: decentral buyers want to see, per organisational unit and category, how much of their
  spend is eco-labelled (a type-1 label) and how much is organic.
- Seed 000: the share of contracts that set at least one green requirement, and how many each sets
  (the administration's target: 80 % of new contracts).

Spend is the paid amount excl. VAT in DKK of the calendar year's lines (the line's delivery date,
else the invoice's), credit notes netted: the line's net amount plus its pro-rata part of the
invoice's document-level allowances and charges (``compliance.checks.amounts``). Labels are those
on the line, else what the contract's catalogue showed for the item that day. Lines in another
currency are converted at the rate the invoice's contract names (``exchange_rates``), else counted
apart, never added to kroner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from compliance.assessment.inputs import contract_catalogues, invoice_record, stored_invoices
from compliance.base.documents import Classification, Label
from compliance.base.package_data import load_package_json
from compliance.categorisation import unspsc_codes
from compliance.checks.amounts import paid_amount
from compliance.checks.attribution import HELD_OUT
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.items import dated_lines, effective_labels
from compliance.contracts import ContractTerms, ExchangeRate
from compliance.labels import definition_for
from compliance.store.db import session_scope

SEGMENTS_FILE = "unspsc-segments.json"  # in compliance/data/
NEW_CONTRACT_TARGET = Decimal("0.80")  # seed 000: 80 % of new contracts set green requirements


@lru_cache(maxsize=1)
def _segment_names() -> dict[str, str]:
    return dict(load_package_json(SEGMENTS_FILE)["segments"])


def category_of(classification_codes: Sequence[Classification]) -> str:
    """The UNSPSC segment a line belongs to, as '50 Food beverage and tobacco products'."""
    codes = unspsc_codes(classification_codes)
    if not codes or len(codes[0]) < 2:
        return "unclassified"
    segment = codes[0][:2]
    return f"{segment} {_segment_names().get(segment, '(segment ' + segment + ')')}"


@dataclass
class SpendShare:
    """Spend of one buyer unit in one category, and the eco-labelled and organic part of it."""

    buyer_unit: str
    buyer_name: str | None
    category: str
    spend: Decimal = Decimal(0)
    eco_labelled: Decimal = Decimal(0)
    organic: Decimal = Decimal(0)
    lines: int = 0
    # Spend under contracts whose items can carry eco-labels (a contract with eco-label, purchase-share
    # or categorisation terms, or no contract known): where it is 0 (courier transport), the eco-label
    # share is "not relevant", not 0 % (issue 19 item 7).
    label_spend: Decimal = Decimal(0)

    @property
    def labels_apply(self) -> bool:
        return self.label_spend > 0

    @property
    def eco_share(self) -> Decimal | None:
        return None if self.spend <= 0 else self.eco_labelled / self.spend

    @property
    def organic_share(self) -> Decimal | None:
        return None if self.spend <= 0 else self.organic / self.spend

    def as_json(self) -> dict[str, Any]:
        return {
            "buyer_unit": self.buyer_unit,
            "buyer_name": self.buyer_name,
            "category": self.category,
            "spend": str(self.spend),
            "eco_labelled": str(self.eco_labelled),
            "organic": str(self.organic),
            # Spend that cannot carry labels (courier transport) has no share, as on the page: not 0 %.
            "labels_apply": self.labels_apply,
            "eco_share": None if self.eco_share is None or not self.labels_apply else str(self.eco_share),
            "organic_share": None if self.organic_share is None or not self.labels_apply else str(self.organic_share),
            "lines": self.lines,
        }


@dataclass
class ContractGreenTerms:
    """One contract's green terms, for the coverage figure."""

    id: str
    name: str
    start: date
    green_terms: int


@dataclass
class Portfolio:
    year: int
    spend: list[SpendShare]
    other_currency_lines: int
    contracts: list[ContractGreenTerms] = field(default_factory=list)
    other_currency_amounts: dict[str, Decimal] = field(default_factory=dict)  # counted apart, per currency
    rates_used: dict[str, set[ExchangeRate]] = field(default_factory=dict)  # converted, per currency

    @property
    def new_contracts(self) -> list[ContractGreenTerms]:
        return [c for c in self.contracts if c.start.year == self.year]

    def by_buyer_unit(self) -> list[SpendShare]:
        """The spend rows summed over categories: one row per buyer unit, largest spend first."""
        units: dict[str, SpendShare] = {}
        for row in self.spend:
            unit = units.setdefault(row.buyer_unit, SpendShare(row.buyer_unit, row.buyer_name, ""))
            unit.spend += row.spend
            unit.eco_labelled += row.eco_labelled
            unit.organic += row.organic
            unit.lines += row.lines
            unit.label_spend += row.label_spend
        return sorted(units.values(), key=lambda unit: (-unit.spend, unit.buyer_unit))

    @staticmethod
    def share_with_green_terms(contracts: Sequence[ContractGreenTerms]) -> Decimal | None:
        if not contracts:
            return None
        return Decimal(sum(1 for c in contracts if c.green_terms > 0)) / Decimal(len(contracts))

    def as_json(self) -> dict[str, Any]:
        def coverage(contracts: Sequence[ContractGreenTerms]) -> dict[str, Any]:
            share = self.share_with_green_terms(contracts)
            return {
                "contracts": len(contracts),
                "with_green_terms": sum(1 for c in contracts if c.green_terms > 0),
                "share": None if share is None else str(share),
                "target": str(NEW_CONTRACT_TARGET),
                "meets_target": None if share is None else share >= NEW_CONTRACT_TARGET,
            }

        return {
            "year": self.year,
            "spend": [row.as_json() for row in self.spend],
            "other_currency_lines": self.other_currency_lines,
            "other_currency_amounts": {currency: str(amount) for currency, amount in sorted(self.other_currency_amounts.items())},
            "rates": [
                {"currency": rate.currency, "dkk": str(rate.dkk), "source": rate.source}
                for currency in sorted(self.rates_used)
                for rate in sorted(self.rates_used[currency], key=lambda rate: (rate.dkk, rate.source or ""))
            ],
            "green_terms": {
                "all_contracts": coverage(self.contracts),
                "new_contracts": coverage(self.new_contracts),
                "per_contract": [
                    {"id": c.id, "name": c.name, "start": c.start.isoformat(), "green_terms": c.green_terms}
                    for c in self.contracts
                ],
            },
        }


def _is_organic(label: Label) -> bool:
    definition = definition_for(label.code)
    return definition is not None and definition.kind == "organic"


def labels_can_apply(contract: ContractTerms) -> bool:
    """Whether a contract's spend can carry eco-labels: it has eco-label, purchase-share or categorisation terms."""
    return bool(contract.eco_labels or contract.purchase_shares or contract.categorisation is not None)


def portfolio_figures(engine: Engine, contracts: Sequence[ContractTerms], year: int) -> Portfolio:
    """Spend shares per buyer unit and category for calendar ``year``, and green-term coverage."""
    return portfolios_by_year(engine, contracts, [year])[year]


def portfolios_by_year(engine: Engine, contracts: Sequence[ContractTerms], years: Sequence[int]) -> dict[int, Portfolio]:
    """The portfolio figures of several calendar years, from one read of invoices and catalogues."""
    rows: dict[int, dict[tuple[str, str], SpendShare]] = {year: {} for year in years}
    other_currency = dict.fromkeys(years, 0)
    held_out: dict[int, dict[str, Decimal]] = {year: {} for year in years}
    rates_used: dict[int, dict[str, set[ExchangeRate]]] = {year: {} for year in years}
    rates_of = {contract.id: contract.exchange_rates for contract in contracts}
    labels_apply = {contract.id: labels_can_apply(contract) for contract in contracts}
    with session_scope(engine) as session:
        invoices = [invoice_record(invoice) for invoice in stored_invoices(session)]
        catalogues = contract_catalogues(session, contracts)
        no_catalogue = CatalogueHistory([], [])
        for dated in dated_lines(invoices, date(min(years), 1, 1), date(max(years), 12, 31)):
            paid = paid_amount(dated, rates_of.get(dated.invoice.contract_id or "", ()))
            if paid is None or dated.day.year not in rows:
                continue
            if dated.invoice.issuer_role == HELD_OUT:
                continue  # cites a contract that does not list its issuer: held out of every figure (issue 16)
            if paid.dkk is None:
                other_currency[dated.day.year] += 1
                apart = held_out[dated.day.year]
                apart[paid.currency] = apart.get(paid.currency, Decimal(0)) + paid.paid
                continue
            if paid.rate is not None:
                rates_used[dated.day.year].setdefault(paid.currency, set()).add(paid.rate)
            amount = paid.dkk
            catalogue = catalogues.get(dated.invoice.contract_id or "", no_catalogue)
            labels, _ = effective_labels(dated, catalogue)
            unit = dated.invoice.customer_gln or dated.invoice.customer_endpoint_id or "unknown"
            category = category_of(dated.line.classification_codes)
            row = rows[dated.day.year].setdefault((unit, category), SpendShare(unit, dated.invoice.customer_name, category))
            row.spend += amount
            row.lines += 1
            if labels_apply.get(dated.invoice.contract_id or "", True):
                row.label_spend += amount
            if any(label.type1 for label in labels):
                row.eco_labelled += amount
            if any(_is_organic(label) for label in labels):
                row.organic += amount
    terms = [ContractGreenTerms(c.id, c.name, c.start, c.green_term_count()) for c in sorted(contracts, key=lambda c: c.start)]
    return {
        year: Portfolio(
            year,
            sorted(rows[year].values(), key=lambda r: (r.buyer_unit, r.category)),
            other_currency[year],
            terms,
            held_out[year],
            rates_used[year],
        )
        for year in years
    }
