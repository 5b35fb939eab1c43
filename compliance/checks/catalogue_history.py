"""Catalogue history: catalogues, updates and deletions applied in document order (RULES.md §3, "E-catalogue data").

The question a check asks is "what did the supplier's catalogue say about this item on the
delivery date?". Each catalogue message changes item states in the order it was issued
(issue date, issue time, then the order the files were received); a change takes effect from
the message's validity start when that is later than its issue date. All states are kept, so an
answer for any day can be traced to the file and line that said it.

How a message changes the items of its supplier:

- a full catalogue whose header action is ``Replace`` — or that has neither a header action
  nor any line action code — replaces the earlier catalogue with the same id or contract
  reference: items it does not list end;
- otherwise (OIOUBL line codes ``Add``/``Update``/``Delete``, Peppol header ``Add``/``Update``)
  each line adds or replaces its item, and ``Delete`` ends it;
- an item-specification update replaces name, classification, labels and properties and keeps
  the price; a pricing update changes only the price; both find their item by seller's item id,
  else by catalogue id + line id;
- a catalogue deletion ends every item of the catalogue it names;
- an item ends, too, after the validity end date of the catalogue that listed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.base.documents import Classification, Label, Property
from compliance.checks.inputs import CatalogueItemRecord, CatalogueMessageRecord

FULL_REPLACE_ACTIONS = {"replace"}
INCREMENTAL_ACTIONS = {"add", "update"}


@dataclass(frozen=True)
class ItemSource:
    """The file and line a statement about an item came from."""

    source_file_id: int
    file: str
    document_type: str
    catalogue_id: str
    issue_date: date
    source_line: int | None
    path: str | None

    def as_evidence(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "document_type": self.document_type,
            "catalogue": self.catalogue_id,
            "issue_date": self.issue_date.isoformat(),
            "source_line": self.source_line,
        }

    @property
    def location(self) -> str | None:
        return f"line {self.source_line}" if self.source_line else self.path


@dataclass(frozen=True)
class ItemState:
    """What the catalogue said about one item from ``valid_from`` on (until a later state or ``expires``)."""

    key: str
    seller_item_id: str | None
    line_id: str
    catalogue_id: str
    contract_references: tuple[str, ...]
    name: str | None
    standard_item_id: str | None
    classification_codes: tuple[Classification, ...]
    labels: tuple[Label, ...]
    properties: tuple[Property, ...]
    price: Decimal | None
    unit_code: str | None
    valid_from: date
    expires: date | None
    specified_by: ItemSource
    priced_by: ItemSource | None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.expires is None or day <= self.expires)


@dataclass(frozen=True)
class _Change:
    """One entry of an item's timeline: a new state, or ``None`` when the item ended."""

    effective: date
    order: int
    state: ItemState | None
    source: ItemSource


@dataclass(frozen=True)
class UnmatchedUpdate:
    """An update line whose item no earlier catalogue listed: kept and reported, never applied silently."""

    source: ItemSource
    line_id: str
    seller_item_id: str | None


def _message_order(message: CatalogueMessageRecord) -> tuple[date, str, int]:
    return (message.issue_date, message.issue_time or "", message.source_file_id)


def _replaces_whole_catalogue(message: CatalogueMessageRecord, lines: Sequence[CatalogueItemRecord]) -> bool:
    if message.document_type != "catalogue":
        return False
    action = (message.action_code or "").casefold()
    if action in FULL_REPLACE_ACTIONS:
        return True
    if action in INCREMENTAL_ACTIONS:
        return False
    return not any(line.action_code for line in lines)


class CatalogueHistory:
    """Every state every item of a set of catalogue messages went through, queryable by day."""

    def __init__(self, messages: Iterable[CatalogueMessageRecord], items: Iterable[CatalogueItemRecord]) -> None:
        self._timeline: dict[str, list[_Change]] = {}
        self._by_seller_item: dict[str, str] = {}
        self.unmatched_updates: list[UnmatchedUpdate] = []
        lines_by_file: dict[int, list[CatalogueItemRecord]] = {}
        for item in items:
            lines_by_file.setdefault(item.source_file_id, []).append(item)
        current: dict[str, ItemState] = {}
        line_keys: dict[tuple[str, str], str] = {}
        self.messages: list[CatalogueMessageRecord] = sorted(messages, key=_message_order)
        for order, message in enumerate(self.messages):
            lines = sorted(lines_by_file.get(message.source_file_id, []), key=lambda line: line.position)
            effective = max(message.issue_date, message.valid_from or message.issue_date)
            self._apply(message, lines, effective, order, current, line_keys)

    # -- building -------------------------------------------------------------------------

    def _record(self, key: str, effective: date, order: int, state: ItemState | None, source: ItemSource) -> None:
        self._timeline.setdefault(key, []).append(_Change(effective, order, state, source))

    def _apply(
        self,
        message: CatalogueMessageRecord,
        lines: Sequence[CatalogueItemRecord],
        effective: date,
        order: int,
        current: dict[str, ItemState],
        line_keys: dict[tuple[str, str], str],
    ) -> None:
        target = message.target_catalogue_id
        file = message.source_path or str(message.source_file_id)

        def source_of(line: CatalogueItemRecord | None) -> ItemSource:
            return ItemSource(
                message.source_file_id,
                file,
                message.document_type,
                message.catalogue_id,
                message.issue_date,
                line.source_line if line is not None else None,
                line.path if line is not None else "/" + message.document_type,
            )

        def end(key: str, source: ItemSource) -> None:
            if key in current:
                del current[key]
                self._record(key, effective, order, None, source)

        if message.document_type == "catalogue_deletion":
            for key in [k for k, state in current.items() if state.catalogue_id == target]:
                end(key, source_of(None))
            return
        if _replaces_whole_catalogue(message, lines):
            listed = {self._key_for(line, target, line_keys) for line in lines}
            references = set(message.contract_references or [])
            for key, state in list(current.items()):
                same_catalogue = state.catalogue_id == target or bool(references & set(state.contract_references))
                if same_catalogue and key not in listed:
                    end(key, source_of(None))
        for line in lines:
            source = source_of(line)
            key = self._key_for(line, target, line_keys)
            action = (line.action_code or "").casefold()
            if action == "delete":
                end(key, source)
                continue
            before = current.get(key)
            if message.document_type == "catalogue_pricing_update":
                if before is None:
                    self.unmatched_updates.append(UnmatchedUpdate(source, line.line_id, line.seller_item_id))
                    continue
                state = replace(before, price=line.price, unit_code=line.unit_code or before.unit_code, priced_by=source)
            elif message.document_type == "catalogue_item_specification_update":
                if before is None:
                    self.unmatched_updates.append(UnmatchedUpdate(source, line.line_id, line.seller_item_id))
                state = self._state(key, line, message, target, source, before, keep_price=True)
            else:
                state = self._state(key, line, message, target, source, before, keep_price=False)
            state = replace(state, valid_from=effective)
            current[key] = state
            line_keys[(target, line.line_id)] = key
            if state.seller_item_id:
                self._by_seller_item[state.seller_item_id] = key
            self._record(key, effective, order, state, source)

    def _key_for(self, line: CatalogueItemRecord, target: str, line_keys: dict[tuple[str, str], str]) -> str:
        if line.seller_item_id:
            return f"item:{line.seller_item_id}"
        return line_keys.get((target, line.line_id), f"line:{target}:{line.line_id}")

    @staticmethod
    def _state(
        key: str,
        line: CatalogueItemRecord,
        message: CatalogueMessageRecord,
        target: str,
        source: ItemSource,
        before: ItemState | None,
        keep_price: bool,
    ) -> ItemState:
        price = before.price if keep_price and before is not None else line.price
        priced_by = (
            (before.priced_by if before is not None else None) if keep_price else (source if line.price is not None else None)
        )
        expires = message.valid_to if message.valid_to is not None else (before.expires if before is not None else None)
        return ItemState(
            key=key,
            seller_item_id=line.seller_item_id or (before.seller_item_id if before is not None else None),
            line_id=line.line_id,
            catalogue_id=target,
            contract_references=message.contract_references or (before.contract_references if before else ()),
            name=line.name or (before.name if before is not None else None),
            standard_item_id=line.standard_item_id or (before.standard_item_id if before is not None else None),
            classification_codes=line.classification_codes,
            labels=line.labels,
            properties=line.properties,
            price=price,
            unit_code=line.unit_code or (before.unit_code if before is not None else None),
            valid_from=message.issue_date,
            expires=expires,
            specified_by=source,
            priced_by=priced_by,
        )

    # -- questions --------------------------------------------------------------------------

    @property
    def has_items(self) -> bool:
        """Whether any message listed any item (a contract without a catalogue has nothing to compare)."""
        return bool(self._timeline)

    def state_on(self, seller_item_id: str | None, day: date) -> ItemState | None:
        """What the catalogue said about an item on ``day``; None when it was not in the catalogue."""
        if not seller_item_id:
            return None
        key = self._by_seller_item.get(seller_item_id, f"item:{seller_item_id}")
        best: _Change | None = None
        for change in self._timeline.get(key, []):
            if change.effective <= day and (best is None or change.order > best.order):
                best = change
        if best is None or best.state is None or not best.state.in_force_on(day):
            return None
        return best.state

    def ever_listed(self, seller_item_id: str | None) -> bool:
        """Whether any catalogue message ever listed the item (to tell "never listed" from "not listed then")."""
        return bool(seller_item_id) and self._by_seller_item.get(seller_item_id or "") is not None

    def states_in(self, start: date, end: date) -> list[ItemState]:
        """Every item state in force at some day of [start, end], in item and document order."""
        return [state for state, _, _ in self.spans_in(start, end)]

    def spans_in(self, start: date, end: date) -> list[tuple[ItemState, date, date]]:
        """Every item state in force within [start, end], with its first and last day in force there."""
        found: list[tuple[ItemState, date, date]] = []
        for changes in self._timeline.values():
            ordered = sorted(changes, key=lambda c: c.order)
            for index, change in enumerate(ordered):
                state = change.state
                if state is None:
                    continue
                superseded = min((c.effective for c in ordered[index + 1 :]), default=None)
                last_day = min(end, state.expires) if state.expires is not None else end
                if superseded is not None:
                    last_day = min(last_day, date.fromordinal(superseded.toordinal() - 1))
                first_day = max(state.valid_from, start)
                if first_day <= last_day:
                    found.append((state, first_day, last_day))
        return found

    def timeline(self, seller_item_id: str) -> list[tuple[date, ItemState | None, ItemSource]]:
        """An item's history in document order: (effective date, state or None when it ended, source)."""
        key = self._by_seller_item.get(seller_item_id, f"item:{seller_item_id}")
        return [(c.effective, c.state, c.source) for c in sorted(self._timeline.get(key, []), key=lambda c: c.order)]
