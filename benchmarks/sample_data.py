"""Write the synthetic sample year(s) in ``sample_invoices/``, deterministically.

Run ``python3 -m uv run python benchmarks/sample_data.py`` to regenerate the committed samples
(the XML and CSV files byte for byte; the workbook with the same content and a new save time), or
``--out DIR --scale N`` to write N times as many deliveries for a throughput benchmark.
The data is invented: companies, CVR and GLN numbers and plates are fictitious.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {"cac": CAC, "cbc": CBC}
VAT = Decimal("0.25")
ORE = Decimal("0.01")


@dataclass(frozen=True)
class PartyInfo:
    name: str
    cvr: str | None
    gln: str | None
    street: str
    number: str
    city: str
    zip: str


BUYER_TRANSPORT = PartyInfo(
    "Københavns Kommune, Økonomiforvaltningen", "64942212", "5798000000014", "Rådhuspladsen", "1", "København V", "1550"
)
BUYER_OFFICE = PartyInfo(
    "Københavns Kommune, Koncernindkøb", "64942212", "5798000000038", "Kalvebod Brygge", "45", "København V", "1560"
)
TRANSPORT_SUPPLIER = PartyInfo("Grøn Bud ApS", "38451236", None, "Sydhavnsgade", "18", "København SV", "2450")
OFFICE_SUPPLIER = PartyInfo("Nordisk Kontorforsyning A/S", "27614590", None, "Industrivej", "7", "Glostrup", "2600")

# Grøn Bud's fleet: plate → (kind, fuel, euro norm, total weight kg, evidence for biogas)
GREEN_PLATES = ["EC41208", "EC41209", "EC52117", "BG22519"]
CONVENTIONAL_PLATES = ["DX18334", "DX18335", "TR75021"]
MISDECLARED_PLATE = "DX18336"  # a diesel van once invoiced as green: the register check catches it


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _money(value: Decimal) -> str:
    return str(value.quantize(ORE, rounding=ROUND_HALF_UP))


def _party(parent: etree._Element, tag: str, party: PartyInfo) -> None:
    wrapper = _el(parent, tag)
    node = _el(wrapper, "cac:Party")
    if party.gln:
        _el(node, "cbc:EndpointID", party.gln, schemeAgencyID="9", schemeID="GLN")
        ident = _el(node, "cac:PartyIdentification")
        _el(ident, "cbc:ID", party.gln, schemeAgencyID="9", schemeID="GLN")
    else:
        _el(node, "cbc:EndpointID", f"DK{party.cvr}", schemeAgencyID="320", schemeID="DK:CVR")
        ident = _el(node, "cac:PartyIdentification")
        _el(ident, "cbc:ID", f"DK{party.cvr}", schemeAgencyID="320", schemeID="DK:CVR")
    name = _el(node, "cac:PartyName")
    _el(name, "cbc:Name", party.name)
    address = _el(node, "cac:PostalAddress")
    _el(address, "cbc:AddressFormatCode", "StructuredDK", listAgencyID="320", listID="urn:oioubl:codelist:addressformatcode-1.1")
    _el(address, "cbc:StreetName", party.street)
    _el(address, "cbc:BuildingNumber", party.number)
    _el(address, "cbc:CityName", party.city)
    _el(address, "cbc:PostalZone", party.zip)
    country = _el(address, "cac:Country")
    _el(country, "cbc:IdentificationCode", "DK")
    if party.cvr and not party.gln:
        tax = _el(node, "cac:PartyTaxScheme")
        _el(tax, "cbc:CompanyID", f"DK{party.cvr}", schemeAgencyID="320", schemeID="DK:SE")
        scheme = _el(tax, "cac:TaxScheme")
        _el(scheme, "cbc:ID", "63", schemeAgencyID="320", schemeID="urn:oioubl:id:taxschemeid-1.1")
        _el(scheme, "cbc:Name", "Moms")
    legal = _el(node, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", party.name)
    _el(legal, "cbc:CompanyID", f"DK{party.cvr}", schemeAgencyID="320", schemeID="DK:CVR")


def _tax_total(parent: etree._Element, amount: Decimal) -> None:
    total = _el(parent, "cac:TaxTotal")
    _el(total, "cbc:TaxAmount", _money(amount * VAT), currencyID="DKK")
    sub = _el(total, "cac:TaxSubtotal")
    _el(sub, "cbc:TaxableAmount", _money(amount), currencyID="DKK")
    _el(sub, "cbc:TaxAmount", _money(amount * VAT), currencyID="DKK")
    category = _el(sub, "cac:TaxCategory")
    _el(category, "cbc:ID", "StandardRated", schemeAgencyID="320", schemeID="urn:oioubl:id:taxcategoryid-1.1")
    _el(category, "cbc:Percent", "25")
    scheme = _el(category, "cac:TaxScheme")
    _el(scheme, "cbc:ID", "63", schemeAgencyID="320", schemeID="urn:oioubl:id:taxschemeid-1.1")
    _el(scheme, "cbc:Name", "Moms")


@dataclass
class Line:
    item_id: str
    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    unspsc: str | None = None
    delivery: date | None = None
    registrations: tuple[str, ...] = ()

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.price).quantize(ORE, rounding=ROUND_HALF_UP)


def oioubl_document(
    kind: str,
    number: str,
    issue: date,
    supplier: PartyInfo,
    buyer: PartyInfo,
    contract: str,
    lines: list[Line],
    billing_ref: str | None = None,
    pretty: bool = True,
) -> bytes:
    """An OIOUBL 2.1 invoice or credit note with the elements the OIOUBL rules require."""
    root_name = "Invoice" if kind == "invoice" else "CreditNote"
    root = etree.Element(
        f"{{urn:oasis:names:specification:ubl:schema:xsd:{root_name}-2}}{root_name}",
        nsmap={None: f"urn:oasis:names:specification:ubl:schema:xsd:{root_name}-2", **NSMAP},
    )
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", "OIOUBL-2.1")
    _el(
        root,
        "cbc:ProfileID",
        "urn:www.nesubl.eu:profiles:profile5:ver2.0",
        schemeAgencyID="320",
        schemeID="urn:oioubl:id:profileid-1.6",
    )
    _el(root, "cbc:ID", number)
    _el(root, "cbc:CopyIndicator", "false")
    _el(root, "cbc:IssueDate", issue.isoformat())
    if kind == "invoice":
        _el(root, "cbc:InvoiceTypeCode", "380", listAgencyID="320", listID="urn:oioubl:codelist:invoicetypecode-1.2")
    _el(root, "cbc:DocumentCurrencyCode", "DKK")
    if kind == "invoice":
        order = _el(root, "cac:OrderReference")
        _el(order, "cbc:ID", f"PO-{number}")
    else:
        billing = _el(root, "cac:BillingReference")
        invoice_ref = _el(billing, "cac:InvoiceDocumentReference")
        _el(invoice_ref, "cbc:ID", billing_ref or "")
    contract_ref = _el(root, "cac:ContractDocumentReference")
    _el(contract_ref, "cbc:ID", contract)
    _party(root, "cac:AccountingSupplierParty", supplier)
    _party(root, "cac:AccountingCustomerParty", buyer)
    if kind == "invoice":
        means = _el(root, "cac:PaymentMeans")
        _el(means, "cbc:ID", "1")
        _el(means, "cbc:PaymentMeansCode", "42")
        _el(means, "cbc:PaymentDueDate", (issue + timedelta(days=30)).isoformat())
        _el(means, "cbc:PaymentChannelCode", "DK:BANK", listAgencyID="320", listID="urn:oioubl:codelist:paymentchannelcode-1.1")
        account = _el(means, "cac:PayeeFinancialAccount")
        _el(account, "cbc:ID", "0001234567")
        branch = _el(account, "cac:FinancialInstitutionBranch")
        _el(branch, "cbc:ID", "1234")
    total = sum((line.amount for line in lines), Decimal(0))
    _tax_total(root, total)
    monetary = _el(root, "cac:LegalMonetaryTotal")
    _el(monetary, "cbc:LineExtensionAmount", _money(total), currencyID="DKK")
    _el(monetary, "cbc:TaxExclusiveAmount", _money(total * VAT), currencyID="DKK")
    _el(monetary, "cbc:TaxInclusiveAmount", _money(total * (1 + VAT)), currencyID="DKK")
    _el(monetary, "cbc:PayableAmount", _money(total * (1 + VAT)), currencyID="DKK")
    for index, line in enumerate(lines, start=1):
        node = _el(root, "cac:InvoiceLine" if kind == "invoice" else "cac:CreditNoteLine")
        _el(node, "cbc:ID", str(index))
        _el(node, "cbc:InvoicedQuantity" if kind == "invoice" else "cbc:CreditedQuantity", str(line.quantity), unitCode=line.unit)
        _el(node, "cbc:LineExtensionAmount", _money(line.amount), currencyID="DKK")
        if line.delivery:
            delivery = _el(node, "cac:Delivery")
            _el(delivery, "cbc:ActualDeliveryDate", line.delivery.isoformat())
        _tax_total(node, line.amount)
        item = _el(node, "cac:Item")
        _el(item, "cbc:Description", line.name)
        _el(item, "cbc:Name", line.name)
        sellers = _el(item, "cac:SellersItemIdentification")
        _el(sellers, "cbc:ID", line.item_id)
        if line.unspsc:
            classification = _el(item, "cac:CommodityClassification")
            _el(
                classification,
                "cbc:ItemClassificationCode",
                line.unspsc,
                listAgencyID="9",
                listID="UNSPSC",
                listVersionID="19.0501",
            )
        for plate in line.registrations:
            prop = _el(item, "cac:AdditionalItemProperty")
            _el(prop, "cbc:Name", "Registreringsnummer")
            _el(prop, "cbc:Value", f"{plate[:2]} {plate[2:4]} {plate[4:]}")
        price = _el(node, "cac:Price")
        _el(price, "cbc:PriceAmount", str(line.price), currencyID="DKK")
        _el(price, "cbc:BaseQuantity", "1", unitCode=line.unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def trip_line(kind: str, trips: int, day: date, plates: tuple[str, ...], name_suffix: str = "") -> Line:
    """One of the two invoice lines per delivery (§2.1): green or conventional trips, with plates."""
    if kind == "green":
        return Line(
            "KOERSEL-GROEN",
            "Kørsel med grønt køretøj (el/biogas)" + name_suffix,
            Decimal(trips),
            "EA",
            Decimal("385.00"),
            "78102203",
            day,
            plates,
        )
    return Line(
        "KOERSEL-KONV",
        "Kørsel med konventionelt køretøj" + name_suffix,
        Decimal(trips),
        "EA",
        Decimal("365.00"),
        "78102203",
        day,
        plates,
    )


def delivery_days(month_start: date, per_week: tuple[int, ...] = (1, 3)) -> Iterator[date]:
    """Tuesdays and Thursdays of a month: the courier's fixed delivery days."""
    day = month_start
    while day.month == month_start.month:
        if day.weekday() in per_week:
            yield day
        day += timedelta(days=1)


def _months(start: date, count: int) -> Iterator[date]:
    for offset in range(count):
        year = start.year + (start.month - 1 + offset) // 12
        month = (start.month - 1 + offset) % 12 + 1
        yield date(year, month, 1)


def green_target(month: date) -> float:
    """The share Grøn Bud actually drives: low in the transition, ~38 % in 2024, ~50 % in 2025."""
    if month.year == 2024:
        return 0.20 if month.month <= 3 else 0.385
    return 0.49


def transport_year(out: Path, rng: random.Random, scale: int = 1) -> list[tuple[date, str, int]]:
    """Monthly invoices Jan 2024 – Dec 2025, two trip lines per delivery; returns the driving-log trips."""
    trips_driven: list[tuple[date, str, int]] = []
    folder = out / "transport"
    folder.mkdir(parents=True, exist_ok=True)
    for month in _months(date(2024, 1, 1), 24):
        lines: list[Line] = []
        for day in delivery_days(month):
            for _ in range(scale):
                trips = rng.randint(8, 12)
                green = round(trips * green_target(month) + rng.uniform(-0.6, 0.6))
                green = max(0, min(trips, green))
                conventional = trips - green
                green_plates = tuple(sorted(rng.sample(GREEN_PLATES, k=min(2, max(1, green)))))
                if month == date(2025, 6, 1) and day.day < 8:
                    green_plates = (*green_plates, MISDECLARED_PLATE)
                conv_plates = tuple(sorted(rng.sample(CONVENTIONAL_PLATES, k=min(2, max(1, conventional)))))
                if green:
                    lines.append(trip_line("green", green, day, green_plates))
                if conventional:
                    lines.append(trip_line("conventional", conventional, day, conv_plates))
                for _ in range(green):
                    trips_driven.append((day, rng.choice(green_plates[:2]), rng.randint(6, 38)))
                for _ in range(conventional):
                    trips_driven.append((day, rng.choice(conv_plates), rng.randint(6, 38)))
        number = f"GB-{month:%Y%m}"
        issue = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        data = oioubl_document("invoice", number, issue, TRANSPORT_SUPPLIER, BUYER_TRANSPORT, "KK-2024-0117", lines)
        (folder / f"{number}.xml").write_bytes(data)
    # Two green trips on 7 Oct 2025 were invoiced but never driven: credited in November.
    credit = [trip_line("green", 2, date(2025, 10, 7), ("EC41208",), " - kreditering")]
    data = oioubl_document(
        "credit_note", "GB-K-202511", date(2025, 11, 14), TRANSPORT_SUPPLIER, BUYER_TRANSPORT, "KK-2024-0117", credit, "GB-202510"
    )
    (folder / "GB-K-202511.xml").write_bytes(data)
    return trips_driven


def driving_log(out: Path, trips: list[tuple[date, str, int]]) -> None:
    """Grøn Bud's 2025 driving log as a Danish spreadsheet exports it: ';', decimal comma, dd-mm-yyyy."""
    rows = ["trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr"]
    for index, (day, plate, km) in enumerate(t for t in trips if t[0].year == 2025):
        rows.append(f"{day:%d-%m-%Y};{plate[:2]} {plate[2:4]} {plate[4:]};;{km},{index % 10};;38451236")
    for day in delivery_days(date(2025, 9, 1)):
        rows.append(f"{day:%d-%m-%Y};;cargo_bike;4,2;;38451236")
    (out / "transport" / "koerselslog-2025.csv").write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")


def vehicle_register(out: Path) -> None:
    rows = [
        "registration,kind,fuel,euro_norm,total_weight_kg,registered,green_evidence",
        "EC41208,van,electric,0,3500,true,",
        "EC41209,van,electric,0,3500,true,",
        "EC52117,truck,electric,0,12000,true,",
        "BG22519,truck,biogas,6,16000,true,Biogasaftale Nature Energy 2024-117 (certifikat af 2024-02-01)",
        "DX18334,van,diesel,6,3500,true,",
        "DX18335,van,diesel,6,3500,true,",
        "DX18336,van,diesel,6,3500,true,",
        "TR75021,truck,diesel,5,7500,true,",
    ]
    (out / "transport" / "koeretoejer.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


OFFICE_ITEMS = {
    # item id: (name, unit, price, UNSPSC)
    "KOP-A4-SV": ("Kopipapir A4 80 g, Svanemærket, 5 x 500 ark", "PK", Decimal("189.00"), "14111507"),
    "KOP-A4-STD": ("Kopipapir A4 80 g, standard, 5 x 500 ark", "PK", Decimal("149.00"), "14111507"),
    "KAF-FT-OKO": ("Kaffe, hele bønner, Fairtrade og økologisk, 1 kg", "KGM", Decimal("212.00"), "50201706"),
    "KAF-STD": ("Kaffe, formalet, 500 g", "PK", Decimal("64.00"), "50201706"),
    "TE-OKO": ("Te, grøn, økologisk, 100 breve", "PK", Decimal("89.00"), "50201712"),
    "RENG-SV": ("Universalrengøring, Svanemærket, 1 l", "LTR", Decimal("38.50"), "47131805"),
    "TONER-26A": ("Toner HP 26A, sort", "EA", Decimal("689.00"), "44103103"),
    "PLASTKRUS": ("Engangskrus plast 20 cl, 100 stk", "PK", Decimal("42.00"), "52152102"),
}
OFFICE_LABELS = {
    "KOP-A4-SV": [("SVANEN", "3041 0012")],
    "KAF-FT-OKO": [("FAIR_TRADE_MARK", None), ("EU_ORGANIC_FARMING", None)],
    "TE-OKO": [("EU_ORGANIC_FARMING", None)],
    "RENG-SV": [("SVANEN", "2045 0077")],
}


def office_lines(rng: random.Random, month: date) -> list[Line]:
    quantities = {
        "KOP-A4-SV": rng.randint(30, 60),
        "KOP-A4-STD": rng.choice([0, 0, 0, 5]),
        "KAF-FT-OKO": rng.randint(14, 22),
        "KAF-STD": rng.randint(25, 45),
        "TE-OKO": rng.randint(4, 10),
        "RENG-SV": rng.randint(20, 40),
        "TONER-26A": rng.randint(2, 6),
        "PLASTKRUS": 6 if month.month == 8 else 0,
    }
    lines = [
        Line(
            item,
            OFFICE_ITEMS[item][0],
            Decimal(qty),
            OFFICE_ITEMS[item][1],
            OFFICE_ITEMS[item][2],
            OFFICE_ITEMS[item][3],
            month.replace(day=15),
        )
        for item, qty in quantities.items()
        if qty
    ]
    if month.month == 10:
        # Pens the catalogue never listed: "invoiced item not in the catalogue".
        lines.append(
            Line("KUGLE-BLAA", "Kuglepen, blå, 10 stk", Decimal(3), "PK", Decimal("25.00"), "44121701", month.replace(day=15))
        )
    return lines


def office_year(out: Path, rng: random.Random) -> None:
    folder = out / "office"
    folder.mkdir(parents=True, exist_ok=True)
    for month in _months(date(2025, 1, 1), 11):
        number = f"NK-2025-{month.month:04d}"
        issue = month.replace(day=28)
        data = oioubl_document("invoice", number, issue, OFFICE_SUPPLIER, BUYER_OFFICE, "KK-2025-0042", office_lines(rng, month))
        (folder / f"{number}.xml").write_bytes(data)
    excel_invoice(folder / "NK-2025-0012.xlsx", office_lines(rng, date(2025, 12, 1)))
    catalogue(folder / "katalog-2025.xml")
    catalogue_update(folder / "katalog-2025-opdatering-juli.xml")


def excel_invoice(path: Path, lines: list[Line]) -> None:
    """December's invoice in the project's Excel template (the supplier's portal was down)."""
    book = Workbook()
    book.properties.created = datetime(2025, 12, 22, 9, 0)
    book.properties.creator = OFFICE_SUPPLIER.name
    header = book.active
    assert header is not None
    header.title = "Invoice"
    total = sum((line.amount for line in lines), Decimal(0))
    for row in [
        ("field", "value"),
        ("document_type", "invoice"),
        ("invoice_number", "NK-2025-0012"),
        ("issue_date", "2025-12-22"),
        ("currency", "DKK"),
        ("supplier_cvr", "27614590"),
        ("supplier_name", OFFICE_SUPPLIER.name),
        ("customer_gln", BUYER_OFFICE.gln),
        ("customer_name", BUYER_OFFICE.name),
        ("contract_reference", "KK-2025-0042"),
        ("delivery_date", "2025-12-15"),
        ("payable_amount", float(total * (1 + VAT))),
    ]:
        header.append(row)
    sheet = book.create_sheet("Lines")
    sheet.append(
        [
            "line_id",
            "seller_item_id",
            "name",
            "quantity",
            "unit_code",
            "line_amount",
            "unspsc",
            "labels",
            "label_licence",
            "registrations",
            "delivery_date",
            "note",
        ]
    )
    for index, line in enumerate(lines, start=1):
        labels = OFFICE_LABELS.get(line.item_id, [])
        sheet.append([
            index, line.item_id, line.name, int(line.quantity), line.unit, float(line.amount), line.unspsc,
            ", ".join(code for code, _ in labels), next((lic for _, lic in labels if lic), None), None, "2025-12-15", None,
        ])  # fmt: skip
    book.save(path)


def _catalogue_parties(root: etree._Element) -> None:
    """Nordisk Kontorforsyning as provider, the office buyer as receiver (OIOUBL catalogue parties)."""
    provider = _el(root, "cac:ProviderParty")
    _el(provider, "cbc:EndpointID", "DK27614590", schemeAgencyID="320", schemeID="DK:CVR")
    provider_id = _el(provider, "cac:PartyIdentification")
    _el(provider_id, "cbc:ID", "DK27614590", schemeAgencyID="320", schemeID="DK:CVR")
    provider_name = _el(provider, "cac:PartyName")
    _el(provider_name, "cbc:Name", OFFICE_SUPPLIER.name)
    receiver = _el(root, "cac:ReceiverParty")
    _el(receiver, "cbc:EndpointID", BUYER_OFFICE.gln or "", schemeAgencyID="9", schemeID="GLN")
    receiver_name = _el(receiver, "cac:PartyName")
    _el(receiver_name, "cbc:Name", BUYER_OFFICE.name)


def catalogue(path: Path) -> None:
    """Nordisk Kontorforsyning's OIOUBL 2.1 catalogue; labels as cac:Certificate (licence in ID)."""
    ns = "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
    root = etree.Element(f"{{{ns}}}Catalogue", nsmap={None: ns, **NSMAP})
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", "OIOUBL-2.1")
    _el(root, "cbc:ProfileID", "Catalogue-CatAdv-1.0", schemeAgencyID="320", schemeID="urn:oioubl:id:profileid-1.6")
    _el(root, "cbc:ID", "NK-KAT-2025")
    _el(root, "cbc:IssueDate", "2024-12-15")
    _el(root, "cbc:VersionID", "1")
    period = _el(root, "cac:ValidityPeriod")
    _el(period, "cbc:StartDate", "2025-01-01")
    _el(period, "cbc:EndDate", "2026-12-31")
    contract = _el(root, "cac:ReferencedContract")
    _el(contract, "cbc:ID", "KK-2025-0042")
    _catalogue_parties(root)
    for index, (item_id, (name, unit, price, unspsc)) in enumerate(OFFICE_ITEMS.items(), start=1):
        line = _el(root, "cac:CatalogueLine")
        _el(line, "cbc:ID", str(index))
        _el(line, "cbc:ActionCode", "Add")
        _el(line, "cbc:OrderableUnit", unit)
        location = _el(line, "cac:RequiredItemLocationQuantity")
        price_node = _el(location, "cac:Price")
        _el(price_node, "cbc:PriceAmount", str(price), currencyID="DKK")
        item = _el(line, "cac:Item")
        _el(item, "cbc:Description", name)
        _el(item, "cbc:Name", name)
        sellers = _el(item, "cac:SellersItemIdentification")
        _el(sellers, "cbc:ID", item_id)
        classification = _el(item, "cac:CommodityClassification")
        _el(classification, "cbc:ItemClassificationCode", unspsc, listAgencyID="9", listID="UNSPSC", listVersionID="19.0501")
        for code, licence in OFFICE_LABELS.get(item_id, []):
            certificate = _el(item, "cac:Certificate")
            _el(certificate, "cbc:ID", licence or code)
            _el(certificate, "cbc:CertificateTypeCode", code)
            _el(certificate, "cbc:CertificateType", "Miljømærke")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def catalogue_update(path: Path) -> None:
    """1 July 2025: the cleaning product changes and the new one has no Nordic Swan licence (history demo)."""
    ns = "urn:oasis:names:specification:ubl:schema:xsd:CatalogueItemSpecificationUpdate-2"
    root = etree.Element(f"{{{ns}}}CatalogueItemSpecificationUpdate", nsmap={None: ns, **NSMAP})
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", "OIOUBL-2.1")
    _el(root, "cbc:ProfileID", "Catalogue-CatAdv-1.0", schemeAgencyID="320", schemeID="urn:oioubl:id:profileid-1.6")
    _el(root, "cbc:ID", "NK-KAT-2025-U1")
    _el(root, "cbc:IssueDate", "2025-06-20")
    _el(root, "cbc:IssueTime", "10:00:00")
    _el(root, "cbc:VersionID", "2")
    period = _el(root, "cac:ValidityPeriod")
    _el(period, "cbc:StartDate", "2025-07-01")
    related = _el(root, "cac:RelatedCatalogueReference")
    _el(related, "cbc:ID", "NK-KAT-2025")
    contract = _el(root, "cac:ReferencedContract")
    _el(contract, "cbc:ID", "KK-2025-0042")
    _catalogue_parties(root)
    line = _el(root, "cac:CatalogueItemSpecificationUpdateLine")
    _el(line, "cbc:ID", "6")
    item = _el(line, "cac:Item")
    _el(item, "cbc:Description", "Universalrengøring, 1 l (ny opskrift)")
    _el(item, "cbc:Name", "Universalrengøring, 1 l")
    sellers = _el(item, "cac:SellersItemIdentification")
    _el(sellers, "cbc:ID", "RENG-SV")
    classification = _el(item, "cac:CommodityClassification")
    _el(classification, "cbc:ItemClassificationCode", "47131805", listAgencyID="9", listID="UNSPSC", listVersionID="19.0501")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_samples(out: Path, scale: int = 1, seed: int = 2024) -> None:
    rng = random.Random(seed)
    trips = transport_year(out, rng, scale)
    driving_log(out, trips)
    vehicle_register(out)
    office_year(out, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "sample_invoices")
    parser.add_argument("--scale", type=int, default=1, help="deliveries per delivery day (1 = the committed samples)")
    args = parser.parse_args()
    write_samples(args.out, args.scale)
    print(f"wrote samples to {args.out}")


if __name__ == "__main__":
    main()
