"""OIOUBL 2.x, Peppol BIS 3 and plain UBL 2.x invoices, credit notes and catalogues → normalised records.

All of these share the UBL 2 component vocabulary (``cac``/``cbc``), so one reader serves them;
the format name is taken from ``cbc:CustomizationID``, never from the file name.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from compliance.documents import (
    AllowanceCharge,
    CatalogueDocument,
    CatalogueLine,
    Classification,
    DocumentLine,
    InvoiceDocument,
    Label,
    Party,
    Property,
    Totals,
)
from compliance.errors import SourceFileError
from compliance.labels import is_label_property, normalise_label

CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = f"{{{CAC_NS}}}"
CBC = f"{{{CBC_NS}}}"
UBL_DOCUMENT_NS = "urn:oasis:names:specification:ubl:schema:xsd:"

INVOICE_ROOTS = {"Invoice": "invoice", "CreditNote": "credit_note"}
CATALOGUE_ROOTS = {
    "Catalogue": "catalogue",
    "CatalogueItemSpecificationUpdate": "catalogue_item_specification_update",
    "CataloguePricingUpdate": "catalogue_pricing_update",
    "CatalogueDeletion": "catalogue_deletion",
}

# xsd:decimal as UBL uses it; the CSV and Excel readers apply it after Danish comma conversion.
XSD_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
CVR_SCHEMES = {"DK:CVR", "0184"}
SE_SCHEMES = {"DK:SE", "0198"}
GLN_SCHEMES = {"GLN", "0088"}


def ubl_root_name(root: etree._Element) -> str | None:
    """The local name of a UBL 2 document root (``Invoice``, ``Catalogue`` …), or None."""
    qname = etree.QName(root)
    if qname.namespace and qname.namespace.startswith(UBL_DOCUMENT_NS):
        return qname.localname
    return None


class _Children:
    """An element's children grouped by tag: one pass instead of a path search per field (hot loop)."""

    __slots__ = ("by_tag",)

    def __init__(self, element: etree._Element | None) -> None:
        self.by_tag: dict[str, list[etree._Element]] = {}
        if element is not None:
            for child in element:
                self.by_tag.setdefault(child.tag, []).append(child)

    def first(self, tag: str) -> etree._Element | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None

    def all(self, tag: str) -> list[etree._Element]:
        return self.by_tag.get(tag, [])


class _Reader:
    """Small helpers that turn element text into typed values with errors that say where."""

    def __init__(self, file: str, root: etree._Element) -> None:
        self.file = file
        self.root = root
        self.tree = root.getroottree()

    def where(self, element: etree._Element) -> str:
        return f"line {element.sourceline}, {element_path(element)}"

    def text_of(self, found: etree._Element | None) -> str | None:
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None

    def decimal_of(self, found: etree._Element | None) -> Decimal | None:
        text = self.text_of(found)
        if text is None:
            return None
        # xsd:decimal: digits with an optional sign and point; no exponent, NaN or Infinity.
        if not XSD_DECIMAL.fullmatch(text):
            assert found is not None
            raise SourceFileError(
                f"{text!r} is not a number",
                file=self.file,
                location=self.where(found),
                expected="a decimal number such as 1234.50",
            )
        return Decimal(text)

    def date_of(self, found: etree._Element | None) -> date | None:
        text = self.text_of(found)
        if text is None:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            assert found is not None
            raise SourceFileError(
                f"{text!r} is not a date", file=self.file, location=self.where(found), expected="an ISO date YYYY-MM-DD"
            ) from None

    def text(self, element: etree._Element | None, path: str) -> str | None:
        return None if element is None else self.text_of(element.find(path))

    def decimal_value(self, element: etree._Element | None, path: str) -> Decimal | None:
        return None if element is None else self.decimal_of(element.find(path))

    def date_value(self, element: etree._Element | None, path: str) -> date | None:
        return None if element is None else self.date_of(element.find(path))

    def _missing(self, path: str, what: str, expected: str) -> SourceFileError:
        return SourceFileError(
            f"the document has no {what}",
            file=self.file,
            location=f"{element_path(self.root)}/{_prefixed(path)}",
            expected=expected,
        )

    def required_text(self, path: str, what: str) -> str:
        value = self.text(self.root, path)
        if value is None:
            raise self._missing(path, what, f"a {what} element")
        return value

    def required_date(self, path: str, what: str) -> date:
        value = self.date_value(self.root, path)
        if value is None:
            raise self._missing(path, what, f"a {what} element with an ISO date")
        return value


def element_path(element: etree._Element) -> str:
    """``/Invoice/cac:InvoiceLine[2]/cac:Item``: readable, with the usual UBL prefixes."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = {CAC_NS: "cac:", CBC_NS: "cbc:"}.get(qname.namespace or "", "")
        step = f"{prefix}{qname.localname}"
        parent = node.getparent()
        if parent is not None:
            same = [child for child in parent if child.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))


def _source_line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _line_path(root_name: str, line_tag: str, position: int, count: int) -> str:
    """The element path of the ``position``-th line, without walking the tree (large invoices)."""
    return f"/{root_name}/cac:{line_tag}" + (f"[{position}]" if count > 1 else "")


def _prefixed(path: str) -> str:
    return path.replace(CAC, "cac:").replace(CBC, "cbc:")


def normalise_cvr(value: str | None) -> str | None:
    """``DK12345678``, ``DK 12 34 56 78`` or ``12345678`` → ``12345678``; anything else → None."""
    if not value:
        return None
    digits = re.sub(r"\s+", "", value).upper()
    if digits.startswith("DK"):
        digits = digits[2:]
    return digits if re.fullmatch(r"\d{8}", digits) else None


def _party(reader: _Reader, party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    endpoint = party.find(f"{CBC}EndpointID")
    endpoint_id = endpoint.text.strip() if endpoint is not None and endpoint.text else None
    endpoint_scheme = endpoint.get("schemeID") if endpoint is not None else None
    cvr: str | None = None
    gln: str | None = None
    se: str | None = None
    # The legal entity's registration is the CVR of record; the endpoint and party identifiers
    # may name a subsidiary or a routing id (Peppol DK "master/minor supplier" examples).
    candidates = party.findall(f"{CAC}PartyLegalEntity/{CBC}CompanyID")
    candidates += [endpoint] if endpoint is not None else []
    candidates += party.findall(f"{CAC}PartyIdentification/{CBC}ID")
    candidates += party.findall(f"{CAC}PartyTaxScheme/{CBC}CompanyID")
    for element in candidates:
        scheme = (element.get("schemeID") or "").strip().upper()
        value = (element.text or "").strip()
        if cvr is None and scheme in CVR_SCHEMES:
            cvr = normalise_cvr(value)
        if gln is None and scheme in GLN_SCHEMES and re.fullmatch(r"\d{13}", value):
            gln = value
        if se is None and scheme in SE_SCHEMES:
            se = normalise_cvr(value)  # an SE number has the same 8-digit shape as a CVR number
    name = reader.text(party, f"{CAC}PartyName/{CBC}Name") or reader.text(party, f"{CAC}PartyLegalEntity/{CBC}RegistrationName")
    return Party(endpoint_id, endpoint_scheme, cvr, gln, name, se)


def certificate_label(identifier: str | None, type_code: str | None, remarks: str | None) -> Label | None:
    """Read a ``cac:Certificate``: the label may be in ID (OIOUBL) or in the type code (Peppol).

    When the type code names the label, the ID is the licence number (Peppol catalogues put
    ``123450`` in ID and ``SVANEN`` in CertificateTypeCode).
    """
    for text in (identifier, type_code):
        if text:
            label = normalise_label(text, "certificate")
            if label is not None and label.known:
                licence = identifier if text is type_code else None
                return Label(label.code, label.raw, True, label.type1, "certificate", licence)
    if remarks and len(remarks) <= 80:
        label = normalise_label(remarks, "certificate", licence=identifier)
        if label is not None and label.known:
            return label
    return normalise_label(identifier or type_code or "", "certificate")


def _item_details(reader: _Reader, item: _Children) -> tuple[list[Classification], list[Label], list[Property]]:
    classifications = []
    for commodity in item.all(f"{CAC}CommodityClassification"):
        for element in commodity.iterchildren(f"{CBC}ItemClassificationCode"):
            code = reader.text_of(element)
            if code:
                classifications.append(Classification(code, element.get("listID")))
    labels: list[Label] = []
    for certificate in item.all(f"{CAC}Certificate"):
        fields = _Children(certificate)
        label = certificate_label(
            reader.text_of(fields.first(f"{CBC}ID")),
            reader.text_of(fields.first(f"{CBC}CertificateTypeCode")),
            reader.text_of(fields.first(f"{CBC}Remarks")),
        )
        if label is not None:
            labels.append(label)
    properties: list[Property] = []
    for prop in item.all(f"{CAC}AdditionalItemProperty"):
        fields = _Children(prop)
        name = reader.text_of(fields.first(f"{CBC}Name")) or ""
        value = reader.text_of(fields.first(f"{CBC}Value")) or ""
        properties.append(Property(name, value))
        if is_label_property(name):
            label = normalise_label(value, "property")
            if label is not None:
                labels.append(label)
    return classifications, labels, properties


def _allowance_charges(reader: _Reader, elements: list[etree._Element]) -> list[AllowanceCharge]:
    """``cac:AllowanceCharge`` children of the document or of a line (not the price-level ones)."""
    result = []
    for element in elements:
        fields = _Children(element)
        amount = reader.decimal_of(fields.first(f"{CBC}Amount"))
        indicator = (reader.text_of(fields.first(f"{CBC}ChargeIndicator")) or "").lower()
        if amount is None or indicator not in {"true", "false"}:
            raise SourceFileError(
                "an allowance or charge without amount or charge indicator",
                file=reader.file,
                location=reader.where(element),
                expected="cbc:ChargeIndicator true/false and cbc:Amount",
            )
        result.append(
            AllowanceCharge(
                charge=indicator == "true",
                amount=amount,
                reason=reader.text_of(fields.first(f"{CBC}AllowanceChargeReason")),
                reason_code=reader.text_of(fields.first(f"{CBC}AllowanceChargeReasonCode")),
            )
        )
    return result


def _format_name(customization_id: str | None, ubl_version: str | None) -> str:
    custom = (customization_id or "").strip()
    if custom.upper().startswith("OIOUBL-"):
        return custom.lower()
    if "peppol" in custom.lower():
        return "peppol-bis3"
    return f"ubl-{ubl_version or '2.1'}"


def read_ubl_invoice(root: etree._Element, file: str) -> InvoiceDocument:
    """Normalise a UBL invoice or credit note (OIOUBL 2.x, Peppol BIS 3, other UBL 2.1 profiles)."""
    root_name = ubl_root_name(root)
    if root_name not in INVOICE_ROOTS:
        raise SourceFileError(f"root element is {root.tag}", file=file, location="/", expected="Invoice or CreditNote")
    reader = _Reader(file, root)
    line_tag = "InvoiceLine" if root_name == "Invoice" else "CreditNoteLine"
    quantity_tag = "InvoicedQuantity" if root_name == "Invoice" else "CreditedQuantity"
    lines: list[DocumentLine] = []
    line_elements = root.findall(f"{CAC}{line_tag}")
    for position, element in enumerate(line_elements, start=1):
        fields = _Children(element)
        item_element = fields.first(f"{CAC}Item")
        item = _Children(item_element)
        classifications, labels, properties = _item_details(reader, item)
        quantity_element = fields.first(f"{CBC}{quantity_tag}")
        standard = _Children(item.first(f"{CAC}StandardItemIdentification")).first(f"{CBC}ID")
        line_id = reader.text_of(fields.first(f"{CBC}ID"))
        if line_id is None:
            raise SourceFileError("the line has no ID", file=file, location=reader.where(element), expected="cbc:ID")
        lines.append(
            DocumentLine(
                position=position,
                id=line_id,
                quantity=reader.decimal_of(quantity_element),
                unit_code=quantity_element.get("unitCode") if quantity_element is not None else None,
                line_amount=reader.decimal_of(fields.first(f"{CBC}LineExtensionAmount")),
                name=reader.text_of(item.first(f"{CBC}Name")),
                description=reader.text_of(item.first(f"{CBC}Description")),
                seller_item_id=reader.text_of(_Children(item.first(f"{CAC}SellersItemIdentification")).first(f"{CBC}ID")),
                standard_item_id=reader.text_of(standard),
                standard_item_scheme=standard.get("schemeID") if standard is not None else None,
                classification_codes=classifications,
                labels=labels,
                properties=properties,
                notes=[note for note in map(reader.text_of, fields.all(f"{CBC}Note")) if note],
                delivery_date=reader.date_of(_Children(fields.first(f"{CAC}Delivery")).first(f"{CBC}ActualDeliveryDate")),
                allowance_charges=_allowance_charges(reader, fields.all(f"{CAC}AllowanceCharge")),
                source_line=_source_line(element),
                path=_line_path(root_name, line_tag, position, len(line_elements)),
            )
        )
    totals_element = root.find(f"{CAC}LegalMonetaryTotal")
    totals = Totals(
        line_extension=reader.decimal_value(totals_element, f"{CBC}LineExtensionAmount"),
        tax_exclusive=reader.decimal_value(totals_element, f"{CBC}TaxExclusiveAmount"),
        tax_inclusive=reader.decimal_value(totals_element, f"{CBC}TaxInclusiveAmount"),
        allowance_total=reader.decimal_value(totals_element, f"{CBC}AllowanceTotalAmount"),
        charge_total=reader.decimal_value(totals_element, f"{CBC}ChargeTotalAmount"),
        payable=reader.decimal_value(totals_element, f"{CBC}PayableAmount"),
    )
    customization_id = reader.text(root, f"{CBC}CustomizationID")
    return InvoiceDocument(
        document_type="invoice" if root_name == "Invoice" else "credit_note",
        format=_format_name(customization_id, reader.text(root, f"{CBC}UBLVersionID")),
        id=reader.required_text(f"{CBC}ID", "document number (cbc:ID)"),
        issue_date=reader.required_date(f"{CBC}IssueDate", "issue date (cbc:IssueDate)"),
        currency=reader.text(root, f"{CBC}DocumentCurrencyCode"),
        supplier=_party(reader, root.find(f"{CAC}AccountingSupplierParty/{CAC}Party")),
        customer=_party(reader, root.find(f"{CAC}AccountingCustomerParty/{CAC}Party")),
        contract_references=[
            e.text.strip() for e in root.findall(f"{CAC}ContractDocumentReference/{CBC}ID") if e.text and e.text.strip()
        ],
        totals=totals,
        lines=lines,
        customization_id=customization_id,
        profile_id=reader.text(root, f"{CBC}ProfileID"),
        type_code=reader.text(root, f"{CBC}InvoiceTypeCode") or reader.text(root, f"{CBC}CreditNoteTypeCode"),
        delivery_date=reader.date_value(root, f"{CAC}Delivery/{CBC}ActualDeliveryDate"),
        period_start=reader.date_value(root, f"{CAC}InvoicePeriod/{CBC}StartDate"),
        period_end=reader.date_value(root, f"{CAC}InvoicePeriod/{CBC}EndDate"),
        billing_references=[
            e.text.strip()
            for e in root.findall(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference/{CBC}ID")
            if e.text and e.text.strip()
        ],
        allowance_charges=_allowance_charges(reader, root.findall(f"{CAC}AllowanceCharge")),
    )


def read_ubl_catalogue(root: etree._Element, file: str) -> CatalogueDocument:
    """Normalise a UBL catalogue document: items, classifications, labels and prices."""
    root_name = ubl_root_name(root)
    if root_name not in CATALOGUE_ROOTS:
        raise SourceFileError(f"root element is {root.tag}", file=file, location="/", expected="a UBL catalogue document")
    reader = _Reader(file, root)
    lines: list[CatalogueLine] = []
    line_elements = root.findall(f"{CAC}{root_name}Line")
    for position, element in enumerate(line_elements, start=1):
        item = element.find(f"{CAC}Item")
        classifications, labels, properties = _item_details(reader, _Children(item))
        price = element.find(f"{CAC}RequiredItemLocationQuantity/{CAC}Price")
        price_amount = price.find(f"{CBC}PriceAmount") if price is not None else None
        lines.append(
            CatalogueLine(
                position=position,
                id=reader.text(element, f"{CBC}ID") or str(position),
                action_code=reader.text(element, f"{CBC}ActionCode"),
                seller_item_id=reader.text(item, f"{CAC}SellersItemIdentification/{CBC}ID"),
                standard_item_id=reader.text(item, f"{CAC}StandardItemIdentification/{CBC}ID"),
                name=reader.text(item, f"{CBC}Name") or reader.text(item, f"{CBC}Description"),
                classification_codes=classifications,
                labels=labels,
                properties=properties,
                price=reader.decimal_value(price, f"{CBC}PriceAmount"),
                unit_code=reader.text(element, f"{CBC}OrderableUnit")
                or (price_amount.get("unitCode") if price_amount is not None else None),
                source_line=_source_line(element),
                path=_line_path(root_name, f"{root_name}Line", position, len(line_elements)),
            )
        )
    references = [
        e.text.strip()
        for path in (f"{CAC}ReferencedContract/{CBC}ID", f"{CAC}ContractDocumentReference/{CBC}ID")
        for e in root.findall(path)
        if e.text and e.text.strip()
    ]
    supplier = root.find(f"{CAC}ProviderParty")
    if supplier is None:
        supplier = root.find(f"{CAC}SellerSupplierParty/{CAC}Party")
    own_id = reader.required_text(f"{CBC}ID", "catalogue id (cbc:ID)")
    target = reader.text(root, f"{CAC}RelatedCatalogueReference/{CBC}ID") or reader.text(
        root, f"{CAC}DeletedCatalogueReference/{CBC}ID"
    )
    return CatalogueDocument(
        document_type=CATALOGUE_ROOTS[root_name],
        format=_format_name(reader.text(root, f"{CBC}CustomizationID"), reader.text(root, f"{CBC}UBLVersionID")),
        id=own_id,
        issue_date=reader.required_date(f"{CBC}IssueDate", "issue date (cbc:IssueDate)"),
        supplier=_party(reader, supplier),
        customer=_party(reader, root.find(f"{CAC}ReceiverParty")),
        contract_references=references,
        lines=lines,
        issue_time=reader.text(root, f"{CBC}IssueTime"),
        action_code=reader.text(root, f"{CBC}ActionCode"),
        version_id=reader.text(root, f"{CBC}VersionID"),
        target_catalogue_id=target or own_id,
        valid_from=reader.date_value(root, f"{CAC}ValidityPeriod/{CBC}StartDate"),
        valid_to=reader.date_value(root, f"{CAC}ValidityPeriod/{CBC}EndDate"),
    )
