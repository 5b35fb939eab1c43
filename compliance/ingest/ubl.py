"""OIOUBL 2.x, Peppol BIS 3 and plain UBL 2.x invoices, credit notes and catalogues → normalised records.

All of these share the UBL 2 component vocabulary (``cac``/``cbc``), so one reader serves them;
the format name is taken from ``cbc:CustomizationID``, never from the file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from compliance.base.documents import (
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
from compliance.base.errors import SourceFileError
from compliance.labels import is_label_property, normalise_label

CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = f"{{{CAC_NS}}}"
CBC = f"{{{CBC_NS}}}"
UBL_DOCUMENT_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
_UBL_DOCUMENT_TAG_START = "{" + UBL_DOCUMENT_NS

INVOICE_ROOTS = {"Invoice": "invoice", "CreditNote": "credit_note"}
CATALOGUE_ROOTS = {
    "Catalogue": "catalogue",
    "CatalogueItemSpecificationUpdate": "catalogue_item_specification_update",
    "CataloguePricingUpdate": "catalogue_pricing_update",
    "CatalogueDeletion": "catalogue_deletion",
}

# xsd:decimal as UBL uses it; the CSV and Excel readers apply it after Danish comma conversion.
# ASCII digits only: ``\d`` and ``Decimal()`` would also take full-width "１２" or Arabic-Indic digits.
XSD_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
CVR_SCHEMES = {"DK:CVR", "0184"}
SE_SCHEMES = {"DK:SE", "0198"}
GLN_SCHEMES = {"GLN", "0088"}


def ubl_root_name(root: etree._Element) -> str | None:
    """The local name of a UBL 2 document root (``Invoice``, ``Catalogue`` …), or None.

    Read from the tag ``{namespace}local`` itself (no ``QName`` object: called twice per file).
    """
    tag = root.tag
    if isinstance(tag, str) and tag.startswith(_UBL_DOCUMENT_TAG_START):
        return tag.partition("}")[2]
    return None


# Texts up to this long are remembered with what they mean (amounts, label-property names); a longer
# one is worked out each time, so that a hostile file cannot fill the memory with long texts.
_REMEMBERED_TEXT_LENGTH = 24


def _xsd_decimal(text: str) -> Decimal | None:
    """``text`` as a Decimal when it is an xsd:decimal (digits with an optional sign and point; no
    exponent, NaN or Infinity), else None.

    Short texts are remembered: quantities, prices and amounts repeat on every line and in every
    file, and a Decimal cannot change, so one may be shared.
    """
    if len(text) <= _REMEMBERED_TEXT_LENGTH:
        return _short_xsd_decimal(text)
    return Decimal(text) if XSD_DECIMAL.fullmatch(text) else None


@lru_cache(maxsize=4096)
def _short_xsd_decimal(text: str) -> Decimal | None:
    return Decimal(text) if XSD_DECIMAL.fullmatch(text) else None


class _Children:
    """An element's children grouped by tag: one pass instead of a path search per field (hot loop)."""

    __slots__ = ("by_tag",)

    def __init__(self, element: etree._Element | None) -> None:
        by_tag: dict[str, list[etree._Element]] = {}
        self.by_tag = by_tag
        if element is not None:
            for child in element:
                tag = child.tag
                found = by_tag.get(tag)
                if found is None:
                    by_tag[tag] = [child]
                else:
                    found.append(child)

    def first(self, tag: str) -> etree._Element | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None

    def all(self, tag: str) -> list[etree._Element]:
        return self.by_tag.get(tag, [])


class _Reader:
    """Small helpers that turn element text into typed values with errors that say where."""

    __slots__ = ("file", "root")

    def __init__(self, file: str, root: etree._Element) -> None:
        self.file = file
        self.root = root

    def where(self, element: etree._Element) -> str:
        return f"line {element.sourceline}, {element_path(element)}"

    def text_of(self, found: etree._Element | None) -> str | None:
        return None if found is None else _text(found)

    def decimal_of(self, found: etree._Element | None) -> Decimal | None:
        """The xsd:decimal in ``found``'s text; None when there is no element or no text."""
        if found is None:
            return None
        text = _text(found)
        if text is None:
            return None
        value = _xsd_decimal(text)
        if value is None:
            raise SourceFileError(
                f"{text!r} is not a number",
                file=self.file,
                location=self.where(found),
                expected="a decimal number such as 1234.50",
            )
        return value

    def date_of(self, found: etree._Element | None) -> date | None:
        """The ISO date at the start of ``found``'s text; None when there is no element or no text."""
        if found is None:
            return None
        text = _text(found)
        if text is None:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
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

    def _below_root(self, path: str, header: _Children | None) -> etree._Element | None:
        """The element at ``path`` below the root; ``header`` (the root's children by tag) answers a one-step path."""
        return header.first(path) if header is not None else self.root.find(path)

    def required_text(self, path: str, what: str, header: _Children | None = None) -> str:
        value = self.text_of(self._below_root(path, header))
        if value is None:
            raise self._missing(path, what, f"a {what} element")
        return value

    def required_date(self, path: str, what: str, header: _Children | None = None) -> date:
        value = self.date_of(self._below_root(path, header))
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


# Tags the readers compare against, built once (hot loop: a tag test is a string comparison).
_ID = f"{CBC}ID"
_NAME = f"{CBC}Name"
_VALUE = f"{CBC}Value"
_COMPANY_ID = f"{CBC}CompanyID"
_ENDPOINT_ID = f"{CBC}EndpointID"
_REGISTRATION_NAME = f"{CBC}RegistrationName"
_PARTY_IDENTIFICATION = f"{CAC}PartyIdentification"
_PARTY_NAME = f"{CAC}PartyName"
_PARTY_LEGAL_ENTITY = f"{CAC}PartyLegalEntity"
_PARTY_TAX_SCHEME = f"{CAC}PartyTaxScheme"
_ITEM = f"{CAC}Item"
_DESCRIPTION = f"{CBC}Description"
_SELLERS_ITEM_ID = f"{CAC}SellersItemIdentification"
_STANDARD_ITEM_ID = f"{CAC}StandardItemIdentification"
_COMMODITY_CLASSIFICATION = f"{CAC}CommodityClassification"
_ITEM_CLASSIFICATION_CODE = f"{CBC}ItemClassificationCode"
_CERTIFICATE = f"{CAC}Certificate"
_CERTIFICATE_TYPE_CODE = f"{CBC}CertificateTypeCode"
_REMARKS = f"{CBC}Remarks"
_ADDITIONAL_ITEM_PROPERTY = f"{CAC}AdditionalItemProperty"
_LINE_EXTENSION_AMOUNT = f"{CBC}LineExtensionAmount"
_NOTE = f"{CBC}Note"
_DELIVERY = f"{CAC}Delivery"
_ACTUAL_DELIVERY_DATE = f"{CBC}ActualDeliveryDate"
_ALLOWANCE_CHARGE = f"{CAC}AllowanceCharge"
_BILLING_REFERENCE = f"{CAC}BillingReference"
_INVOICE_DOCUMENT_REFERENCE = f"{CAC}InvoiceDocumentReference"
_BILLING_REFERENCE_LINE = f"{CAC}BillingReferenceLine"
_PARTY = f"{CAC}Party"
_ACCOUNTING_SUPPLIER_PARTY = f"{CAC}AccountingSupplierParty"
_ACCOUNTING_CUSTOMER_PARTY = f"{CAC}AccountingCustomerParty"
_CONTRACT_DOCUMENT_REFERENCE = f"{CAC}ContractDocumentReference"
_INVOICE_PERIOD = f"{CAC}InvoicePeriod"
_START_DATE = f"{CBC}StartDate"
_END_DATE = f"{CBC}EndDate"
_CUSTOMIZATION_ID = f"{CBC}CustomizationID"
_PROFILE_ID = f"{CBC}ProfileID"
_UBL_VERSION_ID = f"{CBC}UBLVersionID"
_DOCUMENT_CURRENCY_CODE = f"{CBC}DocumentCurrencyCode"
_INVOICE_TYPE_CODE = f"{CBC}InvoiceTypeCode"
_CREDIT_NOTE_TYPE_CODE = f"{CBC}CreditNoteTypeCode"
_ISSUE_DATE = f"{CBC}IssueDate"
_LEGAL_MONETARY_TOTAL = f"{CAC}LegalMonetaryTotal"
_TAX_TOTAL = f"{CAC}TaxTotal"
_TAX_AMOUNT = f"{CBC}TaxAmount"
_AMOUNT = f"{CBC}Amount"
_CHARGE_INDICATOR = f"{CBC}ChargeIndicator"
_ALLOWANCE_CHARGE_REASON = f"{CBC}AllowanceChargeReason"
_ALLOWANCE_CHARGE_REASON_CODE = f"{CBC}AllowanceChargeReasonCode"
_GLN = re.compile(r"[0-9]{13}")
_CVR = re.compile(r"[0-9]{8}")
_SPACES = re.compile(r"\s+")


def _text(element: etree._Element) -> str | None:
    """The element's text without surrounding blanks; None when there is none."""
    text = element.text
    return (text.strip() or None) if text else None


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """``element``'s first child with ``tag``, or None.

    A plain loop: ``iterchildren(tag)`` and ``find`` build a tag matcher or a path on every call,
    which costs more than looking at the one or two children these elements have.
    """
    for child in element:
        if child.tag == tag:
            return child
    return None


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    """``element``'s children with ``tag``, in document order (a plain loop, see :func:`_child`)."""
    return [child for child in element if child.tag == tag]


def _first_grandchild(holders: list[etree._Element], tag: str) -> etree._Element | None:
    """The first child with ``tag`` of any of ``holders``, as a path search ``Holder/Tag`` finds it."""
    for holder in holders:
        for child in holder:
            if child.tag == tag:
                return child
    return None


def _grandchildren(holders: list[etree._Element], tag: str) -> list[etree._Element]:
    """The children with ``tag`` of all ``holders``, in document order."""
    return [child for holder in holders for child in holder if child.tag == tag]


def _grandchild_texts(holders: list[etree._Element], tag: str) -> list[str]:
    """The non-blank texts of the children with ``tag`` of all ``holders``, in document order."""
    texts = []
    for holder in holders:
        for child in holder:
            if child.tag == tag:
                text = _text(child)
                if text:
                    texts.append(text)
    return texts


def _name_and_value(item_property: etree._Element) -> tuple[str, str]:
    """The first ``cbc:Name`` and ``cbc:Value`` of a ``cac:AdditionalItemProperty`` ("" when absent or blank)."""
    name = value = None
    named = valued = False
    for child in item_property:
        tag = child.tag
        if tag == _NAME and not named:
            name, named = _text(child), True
        elif tag == _VALUE and not valued:
            value, valued = _text(child), True
    return name or "", value or ""


def _names_a_label(property_name: str) -> bool:
    """:func:`is_label_property`, remembered for short names: the same few come on every line."""
    if len(property_name) <= _REMEMBERED_TEXT_LENGTH:
        return _short_name_names_a_label(property_name)
    return is_label_property(property_name)


@lru_cache(maxsize=256)
def _short_name_names_a_label(property_name: str) -> bool:
    return is_label_property(property_name)


def normalise_cvr(value: str | None) -> str | None:
    """``DK12345678``, ``DK 12 34 56 78`` or ``12345678`` → ``12345678``; anything else → None."""
    if not value:
        return None
    digits = _SPACES.sub("", value).upper()
    if digits.startswith("DK"):
        digits = digits[2:]
    return digits if _CVR.fullmatch(digits) else None


def _party(party: etree._Element | None) -> Party:
    """Ids and name of a ``cac:Party``, read in one pass over its children."""
    if party is None:
        return Party()
    endpoint: etree._Element | None = None
    legal_ids: list[etree._Element] = []
    party_ids: list[etree._Element] = []
    tax_ids: list[etree._Element] = []
    party_name: str | None = None
    registration_name: str | None = None
    named = registered = False
    for child in party:
        tag = child.tag
        if tag == _ENDPOINT_ID:
            if endpoint is None:
                endpoint = child
        elif tag == _PARTY_IDENTIFICATION:
            party_ids += _children(child, _ID)
        elif tag == _PARTY_NAME:
            if not named:  # the first cac:PartyName/cbc:Name, as a path search finds it
                name = _child(child, _NAME)
                if name is not None:
                    party_name, named = _text(name), True
        elif tag == _PARTY_LEGAL_ENTITY:
            for grandchild in child:
                if grandchild.tag == _COMPANY_ID:
                    legal_ids.append(grandchild)
                elif grandchild.tag == _REGISTRATION_NAME and not registered:
                    registration_name, registered = _text(grandchild), True
        elif tag == _PARTY_TAX_SCHEME:
            tax_ids += _children(child, _COMPANY_ID)
    endpoint_id = endpoint.text.strip() if endpoint is not None and endpoint.text else None
    endpoint_scheme = endpoint.get("schemeID") if endpoint is not None else None
    cvr: str | None = None
    gln: str | None = None
    se: str | None = None
    # The legal entity's registration is the CVR of record; the endpoint and party identifiers
    # may name a subsidiary or a routing id (Peppol DK "master/minor supplier" examples).
    candidates = legal_ids + ([endpoint] if endpoint is not None else []) + party_ids + tax_ids
    for element in candidates:
        scheme = (element.get("schemeID") or "").strip().upper()
        value = (element.text or "").strip()
        if cvr is None and scheme in CVR_SCHEMES:
            cvr = normalise_cvr(value)
        if gln is None and scheme in GLN_SCHEMES and _GLN.fullmatch(value):
            gln = value
        if se is None and scheme in SE_SCHEMES:
            se = normalise_cvr(value)  # an SE number has the same 8-digit shape as a CVR number
    provenance: dict[str, str] | None = None
    if cvr is None:
        cvr, provenance = _danish_vat_number(tax_ids, legal_ids)
    return Party(endpoint_id, endpoint_scheme, cvr, gln, party_name or registration_name, se, provenance)


_DANISH_VAT = re.compile(r"DK[0-9]{8}")


def _danish_vat_number(
    tax_ids: list[etree._Element], legal_ids: list[etree._Element]
) -> tuple[str | None, dict[str, str] | None]:
    """A Danish seller known only by ``DK`` + 8 digits without a ``schemeID`` (plain EN 16931: the seller's
    VAT identifier BT-31 or legal registration BT-30): that is its CVR, and the provenance says so."""
    for where, elements in (
        ("cac:PartyTaxScheme/cbc:CompanyID", tax_ids),
        ("cac:PartyLegalEntity/cbc:CompanyID", legal_ids),
    ):
        for element in elements:
            value = _SPACES.sub("", element.text or "").upper()
            if element.get("schemeID") is None and _DANISH_VAT.fullmatch(value):
                note = f"read from {where} {value!r}, which has no schemeID: a Danish VAT number (DK + CVR), taken as the CVR"
                return value[2:], {"cvr": note}
    return None, None


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


@dataclass(slots=True)
class _ItemFields:
    """What a ``cac:Item`` says about the goods, shared by invoice lines and catalogue items."""

    name: str | None = None
    description: str | None = None
    seller_item_id: str | None = None
    standard_item_id: str | None = None
    standard_item_scheme: str | None = None
    classifications: list[Classification] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)


def _certificate(certificate: etree._Element) -> Label | None:
    identifier = type_code = remarks = None
    for child in certificate:
        tag = child.tag
        if tag == _ID and identifier is None:
            identifier = child
        elif tag == _CERTIFICATE_TYPE_CODE and type_code is None:
            type_code = child
        elif tag == _REMARKS and remarks is None:
            remarks = child
    return certificate_label(
        None if identifier is None else _text(identifier),
        None if type_code is None else _text(type_code),
        None if remarks is None else _text(remarks),
    )


def _item_fields(item: etree._Element | None) -> _ItemFields:
    """One pass over an item's children (the hot loop of every invoice line and catalogue item).

    Where a field may repeat, the first one counts, as a path search would find it; the children of
    the children are read with plain loops (see :func:`_child`).
    """
    if item is None:
        return _ItemFields()
    name = description = seller_item_id = standard_item_id = standard_item_scheme = None
    named = described = seller = standard = False
    classifications: list[Classification] = []
    certificate_labels: list[Label] = []
    property_labels: list[Label] = []
    properties: list[Property] = []
    for child in item:
        tag = child.tag
        if tag == _NAME:
            if not named:
                name, named = _text(child), True
        elif tag == _ADDITIONAL_ITEM_PROPERTY:
            property_name, value = _name_and_value(child)
            properties.append(Property(property_name, value))
            if _names_a_label(property_name):
                label = normalise_label(value, "property")
                if label is not None:
                    property_labels.append(label)
        elif tag == _COMMODITY_CLASSIFICATION:
            for code in child:
                if code.tag == _ITEM_CLASSIFICATION_CODE:
                    text = _text(code)
                    if text:
                        classifications.append(Classification(text, code.get("listID")))
        elif tag == _SELLERS_ITEM_ID:
            if not seller:  # the first ID in any of them, as a path search finds it
                identifier = _child(child, _ID)
                if identifier is not None:
                    seller_item_id, seller = _text(identifier), True
        elif tag == _STANDARD_ITEM_ID:
            if not standard:
                identifier = _child(child, _ID)
                if identifier is not None:
                    standard_item_id, standard = _text(identifier), True
                    standard_item_scheme = identifier.get("schemeID")
        elif tag == _CERTIFICATE:
            label = _certificate(child)
            if label is not None:
                certificate_labels.append(label)
        elif tag == _DESCRIPTION and not described:
            description, described = _text(child), True
    return _ItemFields(
        name,
        description,
        seller_item_id,
        standard_item_id,
        standard_item_scheme,
        classifications,
        certificate_labels + property_labels,  # certificates first, then label-like properties
        properties,
    )


def _allowance_charges(reader: _Reader, elements: list[etree._Element]) -> list[AllowanceCharge]:
    """``cac:AllowanceCharge`` children of the document or of a line (not the price-level ones)."""
    result = []
    for element in elements:
        fields = _Children(element)
        amount = reader.decimal_of(fields.first(_AMOUNT))
        indicator = (reader.text_of(fields.first(_CHARGE_INDICATOR)) or "").lower()
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
                reason=reader.text_of(fields.first(_ALLOWANCE_CHARGE_REASON)),
                reason_code=reader.text_of(fields.first(_ALLOWANCE_CHARGE_REASON_CODE)),
            )
        )
    return result


# The ``cac:LegalMonetaryTotal`` amounts of UBL 2.0 and 2.1, in schema order.
MONETARY_TOTALS = (
    "LineExtensionAmount",
    "TaxExclusiveAmount",
    "TaxInclusiveAmount",
    "AllowanceTotalAmount",
    "ChargeTotalAmount",
    "PrepaidAmount",
    "PayableRoundingAmount",
    "PayableAmount",
)
_MONETARY_TOTAL_TAGS = tuple((name, f"{CBC}{name}") for name in MONETARY_TOTALS)
_OIOUBL_2 = re.compile(r"OIOUBL-2\.", re.IGNORECASE)


def _sum(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) if values else None


def _totals(
    reader: _Reader, header: _Children, customization_id: str | None, currency: str | None, adjustments: list[AllowanceCharge]
) -> Totals:
    """Net, tax and gross under one meaning whatever the format (issue 16 item 9).

    OIOUBL 2.x (CustomizationID ``OIOUBL-2.01``/``2.02``/``2.1``) writes the VAT total in
    ``TaxExclusiveAmount``; Peppol BIS 3, plain UBL 2.1 and OIOUBL 3 write the net amount there, as
    UBL defines it. The VAT total is else read from the header's ``cac:TaxTotal`` in the document's
    currency (Peppol adds a second one in the tax currency). What is missing is derived:
    net = lines − allowances + charges, gross = net + tax.
    """
    monetary: dict[str, etree._Element] = {}  # the first child of each tag, as a path search finds it
    legal_monetary_total = header.first(_LEGAL_MONETARY_TOTAL)
    if legal_monetary_total is not None:
        for child in legal_monetary_total:
            monetary.setdefault(child.tag, child)
    stated: dict[str, Decimal] = {}
    for name, tag in _MONETARY_TOTAL_TAGS:  # in schema order: the first wrong amount is the one reported
        value = reader.decimal_of(monetary.get(tag))
        if value is not None:
            stated[name] = value
    line_extension = stated.get("LineExtensionAmount")
    allowances = stated.get("AllowanceTotalAmount", _sum([a.amount for a in adjustments if not a.charge]))
    charges = stated.get("ChargeTotalAmount", _sum([a.amount for a in adjustments if a.charge]))
    derived_net = None if line_extension is None else line_extension - (allowances or Decimal(0)) + (charges or Decimal(0))
    header_tax: list[Decimal] = []
    for tax_total in header.all(_TAX_TOTAL):
        amount = _child(tax_total, _TAX_AMOUNT)
        stated_currency = None if amount is None else amount.get("currencyID")
        value = reader.decimal_of(amount)
        if value is not None and (stated_currency is None or currency is None or stated_currency.strip() == currency):
            header_tax.append(value)
    gross = stated.get("TaxInclusiveAmount")
    if _OIOUBL_2.match((customization_id or "").strip()):
        tax = stated.get("TaxExclusiveAmount", _sum(header_tax))
        net = derived_net if derived_net is not None else (None if gross is None or tax is None else gross - tax)
    else:
        net = stated.get("TaxExclusiveAmount", derived_net)
        tax = _sum(header_tax)
        if tax is None and gross is not None and net is not None:
            tax = gross - net
    if gross is None and net is not None and tax is not None:
        gross = net + tax
    return Totals(
        line_extension=line_extension,
        allowance_total=allowances,
        charge_total=charges,
        net=net,
        tax=tax,
        gross=gross,
        prepaid=stated.get("PrepaidAmount"),
        rounding=stated.get("PayableRoundingAmount"),
        payable=stated.get("PayableAmount"),
        stated=stated,
    )


def _format_name(customization_id: str | None, ubl_version: str | None) -> str:
    custom = (customization_id or "").strip()
    if custom.upper().startswith("OIOUBL-"):
        return custom.lower()
    if "peppol" in custom.lower():
        return "peppol-bis3"
    return f"ubl-{ubl_version or '2.1'}"


def _invoice_line(reader: _Reader, element: etree._Element, quantity_tag: str, position: int, path: str) -> DocumentLine:
    """One ``cac:InvoiceLine`` or ``cac:CreditNoteLine``, read in one pass over its children."""
    first: dict[str, etree._Element] = {}  # the first child of each tag, as a path search finds it
    notes: list[str] = []
    allowance_charges: list[etree._Element] = []
    for child in element:
        tag = child.tag
        if tag == _NOTE:
            note = _text(child)
            if note:
                notes.append(note)
        elif tag == _ALLOWANCE_CHARGE:
            allowance_charges.append(child)
        else:
            first.setdefault(tag, child)
    line_id = first.get(_ID)
    identifier = _text(line_id) if line_id is not None else None
    if identifier is None:
        raise SourceFileError("the line has no ID", file=reader.file, location=reader.where(element), expected="cbc:ID")
    quantity = first.get(quantity_tag)
    delivery = first.get(_DELIVERY)
    delivery_date = None if delivery is None else _child(delivery, _ACTUAL_DELIVERY_DATE)
    goods = _item_fields(first.get(_ITEM))
    billing_reference = first.get(_BILLING_REFERENCE)
    credited_invoice, credited_line = (None, None) if billing_reference is None else _line_billing_reference(billing_reference)
    return DocumentLine(
        position=position,
        id=identifier,
        quantity=reader.decimal_of(quantity),
        unit_code=quantity.get("unitCode") if quantity is not None else None,
        line_amount=reader.decimal_of(first.get(_LINE_EXTENSION_AMOUNT)),
        name=goods.name,
        description=goods.description,
        seller_item_id=goods.seller_item_id,
        standard_item_id=goods.standard_item_id,
        standard_item_scheme=goods.standard_item_scheme,
        classification_codes=goods.classifications,
        labels=goods.labels,
        properties=goods.properties,
        notes=notes,
        delivery_date=reader.date_of(delivery_date),
        allowance_charges=_allowance_charges(reader, allowance_charges) if allowance_charges else [],
        source_line=_source_line(element),
        path=path,
        billing_reference=credited_invoice,
        billing_reference_line=credited_line,
    )


def _line_billing_reference(reference: etree._Element) -> tuple[str | None, str | None]:
    """The invoice number and line a credit-note line credits (OIOUBL ``CreditNoteLine/BillingReference``):
    the first non-blank ``InvoiceDocumentReference/ID`` and ``BillingReferenceLine/ID``."""
    invoices = _grandchild_texts(_children(reference, _INVOICE_DOCUMENT_REFERENCE), _ID)
    lines = _grandchild_texts(_children(reference, _BILLING_REFERENCE_LINE), _ID)
    return (invoices[0] if invoices else None), (lines[0] if lines else None)


def read_ubl_invoice(root: etree._Element, file: str) -> InvoiceDocument:
    """Normalise a UBL invoice or credit note (OIOUBL 2.x, Peppol BIS 3, other UBL 2.1 profiles).

    The header's children are grouped by tag in one pass; the fields are read in a fixed order, so
    that of several faults in a document the same one is reported each time (the lines first).
    """
    root_name = ubl_root_name(root)
    if root_name not in INVOICE_ROOTS:
        raise SourceFileError(f"root element is {root.tag}", file=file, location="/", expected="Invoice or CreditNote")
    reader = _Reader(file, root)
    line_tag = "InvoiceLine" if root_name == "Invoice" else "CreditNoteLine"
    quantity_tag = CBC + ("InvoicedQuantity" if root_name == "Invoice" else "CreditedQuantity")
    header = _Children(root)
    line_elements = header.all(f"{CAC}{line_tag}")
    lines = [
        _invoice_line(reader, element, quantity_tag, position, _line_path(root_name, line_tag, position, len(line_elements)))
        for position, element in enumerate(line_elements, start=1)
    ]
    text = reader.text_of
    customization_id = text(header.first(_CUSTOMIZATION_ID))
    currency = text(header.first(_DOCUMENT_CURRENCY_CODE))
    adjustments = _allowance_charges(reader, header.all(_ALLOWANCE_CHARGE))
    invoice_periods = header.all(_INVOICE_PERIOD)
    return InvoiceDocument(
        document_type="invoice" if root_name == "Invoice" else "credit_note",
        format=_format_name(customization_id, text(header.first(_UBL_VERSION_ID))),
        id=reader.required_text(_ID, "document number (cbc:ID)", header),
        issue_date=reader.required_date(_ISSUE_DATE, "issue date (cbc:IssueDate)", header),
        currency=currency,
        supplier=_party(_first_grandchild(header.all(_ACCOUNTING_SUPPLIER_PARTY), _PARTY)),
        customer=_party(_first_grandchild(header.all(_ACCOUNTING_CUSTOMER_PARTY), _PARTY)),
        contract_references=_grandchild_texts(header.all(_CONTRACT_DOCUMENT_REFERENCE), _ID),
        totals=_totals(reader, header, customization_id, currency, adjustments),
        lines=lines,
        customization_id=customization_id,
        profile_id=text(header.first(_PROFILE_ID)),
        type_code=text(header.first(_INVOICE_TYPE_CODE)) or text(header.first(_CREDIT_NOTE_TYPE_CODE)),
        delivery_date=reader.date_of(_first_grandchild(header.all(_DELIVERY), _ACTUAL_DELIVERY_DATE)),
        period_start=reader.date_of(_first_grandchild(invoice_periods, _START_DATE)),
        period_end=reader.date_of(_first_grandchild(invoice_periods, _END_DATE)),
        billing_references=_grandchild_texts(_grandchildren(header.all(_BILLING_REFERENCE), _INVOICE_DOCUMENT_REFERENCE), _ID),
        allowance_charges=adjustments,
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
        goods = _item_fields(element.find(f"{CAC}Item"))
        price = element.find(f"{CAC}RequiredItemLocationQuantity/{CAC}Price")
        price_amount = price.find(f"{CBC}PriceAmount") if price is not None else None
        lines.append(
            CatalogueLine(
                position=position,
                id=reader.text(element, f"{CBC}ID") or str(position),
                action_code=reader.text(element, f"{CBC}ActionCode"),
                seller_item_id=goods.seller_item_id,
                standard_item_id=goods.standard_item_id,
                name=goods.name or goods.description,
                classification_codes=goods.classifications,
                labels=goods.labels,
                properties=goods.properties,
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
        supplier=_party(supplier),
        customer=_party(root.find(f"{CAC}ReceiverParty")),
        contract_references=references,
        lines=lines,
        issue_time=reader.text(root, f"{CBC}IssueTime"),
        action_code=reader.text(root, f"{CBC}ActionCode"),
        version_id=reader.text(root, f"{CBC}VersionID"),
        target_catalogue_id=target or own_id,
        valid_from=reader.date_value(root, f"{CAC}ValidityPeriod/{CBC}StartDate"),
        valid_to=reader.date_value(root, f"{CAC}ValidityPeriod/{CBC}EndDate"),
    )
