"""Report languages: Danish (the default) and English — words, rule titles and number/date formats.

Every fixed text a report, statement or notice shows comes from here, so the two languages can
never drift apart silently: a test checks that both have the same keys. What suppliers and checks
wrote (item names, finding details) is shown as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.errors import ComplianceError
from compliance.formatting import danish_date, danish_money, danish_number, danish_percent, english_number

LANGUAGES = ("da", "en")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "annual_report": "Årlig rapport om kontraktopfølgning",
        "contract": "Kontrakt",
        "contract_year": "kontraktår",
        "supplier": "Leverandør",
        "buyer": "Ordregiver",
        "contract_terms": "Kontraktens grønne krav",
        "terms_file": "Kravfil",
        "green_vehicles": "Grønne køretøjer (§2.1)",
        "status": "Status",
        "window": "Måleperiode",
        "window_transition": "år 1 uden overgangsmånederne",
        "green_trips": "Ture med grønne køretøjer (fakturalinjer, kreditnotaer fratrukket)",
        "conventional_trips": "Ture med konventionelle køretøjer",
        "all_trips": "Ture i alt",
        "logged_km": "km i kørebøger ({trips} ture), heraf grønne",
        "green_share": "Grøn andel (grundlag: {basis})",
        "binding_level": "Bindende niveau ({source})",
        "at_least": "mindst",
        "more_than": "mere end",
        "year_running": "Året er ikke slut: der beregnes ingen bod, før det er. Se varslet blandt fundene.",
        "shortfall_trips": "Manko: manglende grønne ture (oprundet niveau × alle ture − grønne ture)",
        "shortfall_km": "Manko i km (niveau × alle km − grønne km)",
        "penalty_model_km": "Bodsmodel 1: pr. manglende km à {rate}",
        "penalty_model_trip": "Bodsmodel 2: pr. manglende tur à {rate}",
        "fixed_penalty": "Fast bod ved enhver manko",
        "proposed_penalty": "Foreslået bod (afrundet én gang til hele øre)",
        "proposed_penalty_short": "Foreslået bod",
        "monthly_chart": "Grøn andel pr. måned",
        "chart_y": "Grøn andel (%)",
        "chart_x": "Måned",
        "chart_level": "Niveau {level}",
        "chart_share": "Grøn andel",
        "month": "Måned",
        "share": "Andel",
        "level": "Niveau",
        "hearing": "Partshøring (§2.1)",
        "hearing_decided": "Afgørelse: bod {status} — {amount} pålagt.",
        "hearing_withdrawn": "Forslaget er trukket tilbage: en senere kontrol fandt ingen manko.",
        "hearing_open": "Boden er {status}, ikke pålagt. Leverandøren kan komme med bemærkninger til og med {deadline} ({days} dage); intet pålægges, før kontraktejeren har truffet afgørelse.",
        "when_utc": "Tidspunkt (UTC)",
        "step": "Trin",
        "by": "Af",
        "amount": "Beløb",
        "text": "Tekst",
        "trip_lines": "De {count} turlinjer, tallene bygger på",
        "day": "Dag",
        "document": "Dokument",
        "line": "Linje",
        "file_line": "fillinje {line}",
        "kind": "Art",
        "trips": "Ture",
        "registrations": "Registreringsnumre",
        "file": "Fil",
        "purchase_shares": "Indkøbsandele (§16)",
        "rule": "Regel",
        "basis": "Grundlag",
        "total": "I alt",
        "qualifying": "Opfylder",
        "quarter": "Kvartal {number}",
        "quarters_note": "Kvartaler er tremånedersperioder fra kontraktårets start; det er kontraktåret, niveauet gælder for.",
        "findings": "Fund",
        "data_quality": "Datakvalitet i leverandørens filer",
        "no_findings": "Ingen fund.",
        "no_data_quality": "Ingen problemer med datakvaliteten.",
        "severity": "Alvor",
        "finding": "Fund",
        "expected": "Forventet",
        "received": "Modtaget",
        "source": "Kilde",
        "all_contracts": "Alle kontrakter",
        "generated": "Dannet {when} UTC af green-procurement-compliance. Paragrafhenvisninger (§) henviser til Københavns Kommunes Grønne Opslagsværk.",
        "details_as_recorded": "Detaljer (som registreret)",
        "evidence_workbook": "Alle tal med deres kilderækker: {name}",
        "pdf_version": "PDF: {name}",
        "penalty_statement": "Bodsopgørelse",
        "statement_intro": "Opgørelsen følger kontraktens ordlyd trin for trin. Alle tal stammer fra de filer, leverandøren har sendt; fil og linje står i den årlige rapport og dens regneark.",
        "calculation": "Beregning",
        "hearing_history": "Partshøringens forløb",
        "decision": "Afgørelse",
        "decision_pending": "Der er ikke pålagt nogen bod: kontraktejeren har endnu ikke truffet afgørelse. Leverandøren kan komme med bemærkninger til og med {deadline}.",
        "decision_made": "Pålagt bod: {amount} ({status}), afgjort {when}.",
        "decision_withdrawn": "Forslaget er trukket tilbage; der pålægges ingen bod.",
        "step_window": "Måleperiode",
        "step_trips": "Ture",
        "step_trips_value": "{green} med grønne køretøjer af {total} i alt",
        "step_share": "Grøn andel",
        "step_level": "Bindende niveau",
        "step_shortfall": "Manko",
        "step_rate": "Sats",
        "step_rate_value": "{rate} pr. {unit} × {shortfall} = {variable}",
        "step_fixed": "Fast tillæg ved enhver manko",
        "step_total": "Bod i alt (afrundet én gang til hele øre)",
        "unit_km": "km",
        "unit_trip": "tur",
        "trips_count": "{count} ture",
        "notice": "Meddelelse om uoverensstemmelser",
        "notice_to": "Til",
        "notice_from": "Fra",
        "notice_date": "Dato",
        "notice_regarding": "Vedrørende kontrakt {contract}, kontraktår {year} ({start} – {end})",
        "notice_intro": "Ved vores kontrol af de fakturaer, kataloger og kørebøger, I har sendt os under kontrakten, har vi fundet {count} uoverensstemmelse(r) med kontraktens grønne krav. Hver er beskrevet nedenfor med dokument, linje og hvad vi forventede og modtog.",
        "notice_none": "Vi har ikke fundet uoverensstemmelser i kontraktåret.",
        "notice_respond": "Sådan svarer I",
        "notice_respond_text": "Send jeres bemærkninger og eventuel dokumentation (for eksempel registreringsattest, licensnummer eller rettet faktura) til {contact} senest {deadline}. Henvis til kontraktnummer og dokument-id.",
        "notice_penalty": "Kontraktåret viser en manko på grønne ture. Den foreslåede bod er {amount}; den pålægges ikke, før I er hørt og kontraktejeren har truffet afgørelse.",
        "notice_sign": "Med venlig hilsen",
        "notice_plate_item": "Nummerplade / vare",
        "notice_document": "Dokument og linje",
        "notice_discrepancy": "Uoverensstemmelse",
        "notice_deadline": "Frist for bemærkninger",
        "overview": "Oversigt over kontrakter",
        "overview_sub": "Alle kontrakter med status, udvikling i grøn andel og fund; senest indlæst {last_ingest}.",
        "trend": "Grøn andel pr. år",
        "findings_by_kind": "Fund efter art",
        "last_ingest": "Senest indlæst",
        "files_ingested": "Indlæste filer",
        "files_quarantined": "Filer i karantæne",
        "data_quality_state": "Datakvalitet",
        "dq_ok": "ingen filer i karantæne",
        "dq_problems": "{count} fil(er) i karantæne",
        "reports": "Rapporter",
        "statement": "bodsopgørelse",
        "notice_short": "meddelelse",
        "eco_spend_by_unit": "Miljømærket andel af forbruget pr. indkøbsenhed ({year})",
        "buyer_unit": "Indkøbsenhed",
        "spend": "Forbrug",
        "eco_spend": "Miljømærket",
        "unmatched_invoices": "Fakturaer uden kontrakt",
        "quarantined_files": "Filer i karantæne",
        "reason": "Årsag",
        "contract_file_errors": "Kontraktfiler, der blev afvist",
        "portfolio_pages": "Porteføljesider",
        "portfolio": "Portefølje {year}",
        "portfolio_spend": "Miljømærket og økologisk andel af forbruget pr. indkøbsenhed og kategori",
        "portfolio_spend_note": "Fakturabeløb ekskl. moms i DKK for linjer leveret i {year}, kreditnotaer modregnet. Miljømærket: et type 1-miljømærke (Svanemærket, EU-Blomsten, TCO Certified …) på linjen eller, hvis ikke, i kontraktens katalog på leveringsdagen. Økologisk: Ø-mærket, EU's økologilogo eller tilsvarende. Kategori: UNSPSC-segmentet for linjens kode.",
        "buyer_unit_gln": "Indkøbsenhed (EAN/GLN)",
        "category": "Kategori",
        "organic": "Økologisk",
        "lines": "Linjer",
        "portfolio_no_lines": "Ingen fakturalinjer leveret i {year}.",
        "other_currency": "{count} linje(r) i anden valuta end DKK er ikke medregnet (beløb omregnes aldrig).",
        "green_terms_per_contract": "Grønne krav pr. kontrakt",
        "new_contracts_line": "Nye kontrakter fra {year}: {count}; med mindst ét grønt krav: {share} (mål 80 %). Alle kontrakter: {all_share}.",
        "start": "Start",
        "green_terms": "Grønne krav",
        "green_term_note": "Et grønt krav er ét krav, der følges op på: andelen af grønne køretøjer, Euro 6, HVO100, hver miljømærkeregel, miljømærkekategoriseringen, hver indkøbsandel og hver forbudt vare.",
        "none": "ingen",
        "yes": "ja",
        "no": "nej",
    },
    "en": {
        "annual_report": "Annual compliance report",
        "contract": "Contract",
        "contract_year": "contract year",
        "supplier": "Supplier",
        "buyer": "Buyer",
        "contract_terms": "The contract's green terms",
        "terms_file": "Terms file",
        "green_vehicles": "Green vehicles (§2.1)",
        "status": "Status",
        "window": "Measurement window",
        "window_transition": "year 1 without its transition months",
        "green_trips": "Trips with green vehicles (invoice lines, credit notes deducted)",
        "conventional_trips": "Trips with conventional vehicles",
        "all_trips": "All trips",
        "logged_km": "km in driving logs ({trips} logged trips), of which green",
        "green_share": "Green share (basis: {basis})",
        "binding_level": "Binding level ({source})",
        "at_least": "at least",
        "more_than": "more than",
        "year_running": "The year is still running: no penalty is computed before it ends. See the early warning among the findings.",
        "shortfall_trips": "Shortfall: green trips missing (ceil(level × all trips − green trips))",
        "shortfall_km": "Shortfall in km (level × all km − green km)",
        "penalty_model_km": "Penalty model 1: per km short at {rate}",
        "penalty_model_trip": "Penalty model 2: per trip short at {rate}",
        "fixed_penalty": "Fixed penalty for any shortfall",
        "proposed_penalty": "Proposed penalty (rounded once to whole øre)",
        "proposed_penalty_short": "Proposed penalty",
        "monthly_chart": "Green share per month",
        "chart_y": "Green share (%)",
        "chart_x": "Month",
        "chart_level": "Level {level}",
        "chart_share": "Green share",
        "month": "Month",
        "share": "Share",
        "level": "Level",
        "hearing": "Hearing (§2.1)",
        "hearing_decided": "Decision: penalty {status} — {amount} imposed.",
        "hearing_withdrawn": "The proposal was withdrawn: a later check found no shortfall.",
        "hearing_open": "The penalty is {status}, not imposed. The supplier may comment until {deadline} ({days} days); nothing is imposed before the contract manager has decided.",
        "when_utc": "When (UTC)",
        "step": "Step",
        "by": "By",
        "amount": "Amount",
        "text": "Text",
        "trip_lines": "The {count} trip lines the figures are made of",
        "day": "Day",
        "document": "Document",
        "line": "Line",
        "file_line": "file line {line}",
        "kind": "Kind",
        "trips": "Trips",
        "registrations": "Registrations",
        "file": "File",
        "purchase_shares": "Purchase shares (§16)",
        "rule": "Rule",
        "basis": "Basis",
        "total": "Total",
        "qualifying": "Qualifying",
        "quarter": "Quarter {number}",
        "quarters_note": "Quarters are three-month periods from the start of the contract year; the contract year is what the level binds.",
        "findings": "Findings",
        "data_quality": "Data quality in the supplier's files",
        "no_findings": "No findings.",
        "no_data_quality": "No data-quality issues.",
        "severity": "Severity",
        "finding": "Finding",
        "expected": "Expected",
        "received": "Received",
        "source": "Source",
        "all_contracts": "All contracts",
        "generated": "Generated {when} UTC by green-procurement-compliance. Section numbers (§) refer to Københavns Kommune's green procurement handbook (Det Grønne Opslagsværk).",
        "details_as_recorded": "Details (as recorded)",
        "evidence_workbook": "Every figure with the rows it is made of: {name}",
        "pdf_version": "PDF: {name}",
        "penalty_statement": "Penalty statement",
        "statement_intro": "The calculation follows the contract's wording step by step. Every figure comes from the files the supplier sent; file and line are in the annual report and its workbook.",
        "calculation": "Calculation",
        "hearing_history": "Hearing history",
        "decision": "Decision",
        "decision_pending": "No penalty is imposed: the contract manager has not decided yet. The supplier may comment until {deadline}.",
        "decision_made": "Penalty imposed: {amount} ({status}), decided {when}.",
        "decision_withdrawn": "The proposal was withdrawn; no penalty is imposed.",
        "step_window": "Measurement window",
        "step_trips": "Trips",
        "step_trips_value": "{green} with green vehicles of {total} in all",
        "step_share": "Green share",
        "step_level": "Binding level",
        "step_shortfall": "Shortfall",
        "step_rate": "Rate",
        "step_rate_value": "{rate} per {unit} × {shortfall} = {variable}",
        "step_fixed": "Fixed add-on for any shortfall",
        "step_total": "Total penalty (rounded once to whole øre)",
        "unit_km": "km",
        "unit_trip": "trip",
        "trips_count": "{count} trips",
        "notice": "Notice of discrepancies",
        "notice_to": "To",
        "notice_from": "From",
        "notice_date": "Date",
        "notice_regarding": "Concerning contract {contract}, contract year {year} ({start} – {end})",
        "notice_intro": "Checking the invoices, catalogues and driving logs you sent us under the contract, we found {count} discrepancy(ies) with the contract's green terms. Each is listed below with the document, the line, and what we expected and received.",
        "notice_none": "We found no discrepancies in the contract year.",
        "notice_respond": "How to respond",
        "notice_respond_text": "Send your comments and any evidence (for example a registration certificate, a licence number or a corrected invoice) to {contact} by {deadline}. Quote the contract number and the document id.",
        "notice_penalty": "The contract year shows a shortfall of green trips. The proposed penalty is {amount}; it is not imposed before you have been heard and the contract manager has decided.",
        "notice_sign": "Kind regards",
        "notice_plate_item": "Plate / item",
        "notice_document": "Document and line",
        "notice_discrepancy": "Discrepancy",
        "notice_deadline": "Deadline for comments",
        "overview": "Contract overview",
        "overview_sub": "Every contract with its status, green-share trend and findings; last ingest {last_ingest}.",
        "trend": "Green share per year",
        "findings_by_kind": "Findings by kind",
        "last_ingest": "Last ingest",
        "files_ingested": "Files ingested",
        "files_quarantined": "Files quarantined",
        "data_quality_state": "Data quality",
        "dq_ok": "no file quarantined",
        "dq_problems": "{count} file(s) quarantined",
        "reports": "Reports",
        "statement": "penalty statement",
        "notice_short": "notice",
        "eco_spend_by_unit": "Eco-labelled share of spend per buyer unit ({year})",
        "buyer_unit": "Buyer unit",
        "spend": "Spend",
        "eco_spend": "Eco-labelled",
        "unmatched_invoices": "Invoices matching no contract",
        "quarantined_files": "Quarantined files",
        "reason": "Reason",
        "contract_file_errors": "Contract files that were rejected",
        "portfolio_pages": "Portfolio pages",
        "portfolio": "Portfolio {year}",
        "portfolio_spend": "Eco-labelled and organic share of spend, per buyer unit and category",
        "portfolio_spend_note": "Invoiced amount excl. VAT in DKK of lines delivered in {year}, credit notes netted. Eco-labelled: a type-1 eco-label (Nordic Swan, EU Ecolabel, TCO Certified …) on the line or, failing that, in the contract's catalogue on the delivery day. Organic: Ø-mærket, the EU organic logo or an equivalent organic label. Category: the UNSPSC segment of the line's code.",
        "buyer_unit_gln": "Buyer unit (EAN/GLN)",
        "category": "Category",
        "organic": "Organic",
        "lines": "Lines",
        "portfolio_no_lines": "No invoice lines delivered in {year}.",
        "other_currency": "{count} line(s) in another currency than DKK are not included (amounts are never converted).",
        "green_terms_per_contract": "Green terms per contract",
        "new_contracts_line": "New contracts from {year}: {count}; with at least one green term: {share} (target 80 %). All contracts: {all_share}.",
        "start": "Start",
        "green_terms": "Green terms",
        "green_term_note": "A green term is one monitored requirement: the green-vehicle share, Euro 6, HVO100, each eco-label rule, the eco-label categorisation, each purchase share and each banned item.",
        "none": "none",
        "yes": "yes",
        "no": "no",
    },
}

STATUS: dict[str, dict[str, str]] = {
    "da": {
        "compliant": "Overholdt",
        "short": "Under niveauet",
        "no_data": "Ingen data",
        "on_track": "Året kører: på sporet",
        "at_risk": "Året kører: i risiko",
        "in_progress": "Året kører: ingen data endnu",
        "in_hearing": "I partshøring",
        "decided": "Afgjort",
        "contract_compliant": "Overholdt",
        "contract_at_risk": "I risiko",
        "contract_short": "Under niveauet",
        "contract_in_hearing": "I partshøring",
        "contract_decided": "Afgjort",
        "contract_no_data": "Ingen data",
        "proposed": "foreslået",
        "commented": "kommenteret",
        "confirmed": "stadfæstet",
        "reduced": "nedsat",
        "waived": "frafaldet",
        "withdrawn": "trukket tilbage",
    },
    "en": {
        "compliant": "Compliant",
        "short": "Short of the level",
        "no_data": "No data",
        "on_track": "Year running: on track",
        "at_risk": "Year running: at risk",
        "in_progress": "Year running: no data yet",
        "in_hearing": "In hearing",
        "decided": "Decided",
        "contract_compliant": "Compliant",
        "contract_at_risk": "At risk",
        "contract_short": "Short",
        "contract_in_hearing": "In hearing",
        "contract_decided": "Decided",
        "contract_no_data": "No data",
        "proposed": "proposed",
        "commented": "commented",
        "confirmed": "confirmed",
        "reduced": "reduced",
        "waived": "waived",
        "withdrawn": "withdrawn",
    },
}

# Values from contract terms and assessments that reports print (basis, level source, trip kind).
TERMS: dict[str, dict[str, str]] = {
    "da": {
        "trips": "ture",
        "km": "km",
        "amount": "beløb",
        "quantity": "mængde",
        "minimum": "minimumskrav",
        "offer": "tilbud",
        "green": "grøn",
        "conventional": "konventionel",
        "invoice": "faktura",
        "credit_note": "kreditnota",
        "catalogue": "katalog",
    },
    "en": {
        "trips": "trips",
        "km": "km",
        "amount": "amount",
        "quantity": "quantity",
        "minimum": "minimum",
        "offer": "offer",
        "green": "green",
        "conventional": "conventional",
        "invoice": "invoice",
        "credit_note": "credit note",
        "catalogue": "catalogue",
    },
}

SEVERITY: dict[str, dict[str, str]] = {
    "da": {"high": "høj", "medium": "middel", "low": "lav"},
    "en": {"high": "high", "medium": "medium", "low": "low"},
}

EVENTS: dict[str, dict[str, str]] = {
    "da": {
        "proposed": "Bod foreslået",
        "assessment_changed": "Opgørelsen ændret",
        "assessment_changed_after_decision": "Opgørelsen ændret efter afgørelsen",
        "withdrawn": "Forslaget trukket tilbage",
        "supplier_comment": "Leverandørens bemærkning registreret",
        "decision_confirm": "Afgørelse: bod stadfæstet",
        "decision_reduce": "Afgørelse: bod nedsat",
        "decision_waive": "Afgørelse: bod frafaldet",
    },
    "en": {
        "proposed": "Penalty proposed",
        "assessment_changed": "Assessment changed",
        "assessment_changed_after_decision": "Assessment changed after the decision",
        "withdrawn": "Proposal withdrawn",
        "supplier_comment": "Supplier's comment recorded",
        "decision_confirm": "Decision: penalty confirmed",
        "decision_reduce": "Decision: penalty reduced",
        "decision_waive": "Decision: penalty waived",
    },
}

# Rule titles by rule id without its version; purchase-share rules share one title.
RULE_TITLES: dict[str, dict[str, str]] = {
    "da": {
        "banned_items.delivered": "Forbudt vare leveret (§16.1)",
        "catalogue.item_not_in_catalogue": "Vare ikke i e-kataloget på leveringsdagen",
        "catalogue.label_not_in_catalogue": "Miljømærke på fakturaen, som kataloget ikke viser",
        "catalogue.update_without_item": "Katalogopdatering uden vare i kataloget",
        "ecolabel_categorisation.missing_type1": "Type 1-miljømærke mangler (kategorisering 2025, §3.1)",
        "eco_labels.missing_label": "Krævet miljømærke mangler på fakturalinjen (§3.1)",
        "eco_labels.catalogue_missing_label": "Krævet miljømærke mangler i kataloget (§3.1)",
        "eco_labels.missing_licence": "Licensnummer mangler for miljømærket",
        "eco_labels.unknown_label": "Ukendt miljømærketekst",
        "euro6.not_euro6": "Køretøj ikke Euro 6 (§2.6)",
        "green_vehicles.share": "Grøn andel under niveauet (§2.1)",
        "green_vehicles.not_green_vehicle": "Faktureret som grøn tur, men køretøjet er ikke grønt (§2.1)",
        "green_vehicles.unknown_vehicle": "Køretøj ikke i registret (§2.1)",
        "green_vehicles.missing_registration": "Grøn tur uden registreringsnummer (§2.1)",
        "green_vehicles.ambiguous_trip_line": "Fakturalinje både grøn og konventionel (§2.1)",
        "green_vehicles.no_trips": "Ingen ture faktureret (§2.1)",
        "green_vehicles.early_warning": "Varsel: grøn andel i risiko (§2.1)",
        "green_vehicles.log_mismatch": "Fakturerede ture og kørebog stemmer ikke (§2.1)",
        "green_vehicles.green_not_in_log": "Grøn tur uden tur i kørebogen (§2.1)",
        "hvo100.not_hvo100": "Brændstof ikke HVO100 (§2.2)",
        "invoice.unmatched": "Faktura uden kontrakt",
        "licences.invalid_format": "Licensnummer i forkert format",
        "licences.not_in_registry": "Licens findes ikke i registret",
        "licences.expired": "Licens udløbet",
        "licences.wrong_product_group": "Licens til en anden produktgruppe",
        "vehicles.deregistered": "Køretøj afmeldt (§2.1)",
        "vehicles.deregistered_in_log": "Afmeldt køretøj i kørebogen",
        "vehicles.unknown_in_log": "Ukendt køretøj i kørebogen",
        "purchase_share": "Indkøbsandel under niveauet (§16)",
    },
    "en": {
        "banned_items.delivered": "Banned item delivered (§16.1)",
        "catalogue.item_not_in_catalogue": "Item not in the e-catalogue on the delivery date",
        "catalogue.label_not_in_catalogue": "Eco-label on the invoice that the catalogue does not show",
        "catalogue.update_without_item": "Catalogue update for an item no catalogue listed",
        "ecolabel_categorisation.missing_type1": "Type-1 eco-label missing (categorisation 2025, §3.1)",
        "eco_labels.missing_label": "Required eco-label missing on the invoice line (§3.1)",
        "eco_labels.catalogue_missing_label": "Required eco-label missing in the catalogue (§3.1)",
        "eco_labels.missing_licence": "Licence number missing for the eco-label",
        "eco_labels.unknown_label": "Unknown eco-label text",
        "euro6.not_euro6": "Vehicle not Euro 6 (§2.6)",
        "green_vehicles.share": "Green share below the level (§2.1)",
        "green_vehicles.not_green_vehicle": "Invoiced as a green trip, but the vehicle is not green (§2.1)",
        "green_vehicles.unknown_vehicle": "Vehicle not in the register (§2.1)",
        "green_vehicles.missing_registration": "Green trip without a registration number (§2.1)",
        "green_vehicles.ambiguous_trip_line": "Invoice line both green and conventional (§2.1)",
        "green_vehicles.no_trips": "No trips invoiced (§2.1)",
        "green_vehicles.early_warning": "Early warning: green share at risk (§2.1)",
        "green_vehicles.log_mismatch": "Invoiced trips and driving log disagree (§2.1)",
        "green_vehicles.green_not_in_log": "Green trip with no trip in the driving log (§2.1)",
        "hvo100.not_hvo100": "Fuel not HVO100 (§2.2)",
        "invoice.unmatched": "Invoice matching no contract",
        "licences.invalid_format": "Licence number in the wrong format",
        "licences.not_in_registry": "Licence not in the registry",
        "licences.expired": "Licence expired",
        "licences.wrong_product_group": "Licence for another product group",
        "vehicles.deregistered": "Vehicle deregistered (§2.1)",
        "vehicles.deregistered_in_log": "Deregistered vehicle in the driving log",
        "vehicles.unknown_in_log": "Unknown vehicle in the driving log",
        "purchase_share": "Purchase share below the level (§16)",
    },
}

# Findings about the quality of what the supplier sent, rather than about a green term.
DATA_QUALITY_RULES = frozenset(
    {
        "eco_labels.unknown_label",
        "green_vehicles.missing_registration",
        "green_vehicles.ambiguous_trip_line",
        "green_vehicles.log_mismatch",
        "catalogue.update_without_item",
        "licences.invalid_format",
        "vehicles.unknown_in_log",
    }
)


def rule_base(rule_id: str) -> str:
    """``eco_labels.missing_label@1`` → ``eco_labels.missing_label``; purchase-share rules → ``purchase_share``."""
    base = rule_id.split("@", 1)[0]
    return "purchase_share" if base.startswith("purchase_share.") else base


@dataclass(frozen=True)
class Language:
    """One report language: its words and how it writes numbers, money and dates."""

    code: str

    def words(self) -> dict[str, str]:
        return WORDS[self.code]

    def say(self, key: str, **values: object) -> str:
        return WORDS[self.code][key].format(**values)

    def status(self, status: str) -> str:
        return STATUS[self.code].get(status, status.replace("_", " "))

    def term(self, value: str) -> str:
        return TERMS[self.code].get(value, value.replace("_", " "))

    def severity(self, severity: str) -> str:
        return SEVERITY[self.code].get(severity, severity)

    def event(self, kind: str) -> str:
        return EVENTS[self.code].get(kind, kind)

    def rule_title(self, rule_id: str) -> str:
        return RULE_TITLES[self.code].get(rule_base(rule_id), rule_id)

    def number(self, value: Decimal | int | str | None, decimals: int = 0) -> str:
        return danish_number(value, decimals) if self.code == "da" else english_number(value, decimals)

    def money(self, value: Decimal | str | None) -> str:
        if self.code == "da":
            return danish_money(value)
        return "–" if value is None else f"DKK {english_number(value, 2)}"

    def percent(self, fraction: Decimal | str | None, decimals: int = 2) -> str:
        if self.code == "da":
            return danish_percent(fraction, decimals)
        return "–" if fraction is None else f"{english_number(Decimal(str(fraction)) * 100, decimals)} %"

    def date(self, value: date | str | None) -> str:
        if self.code == "da":
            return danish_date(value)
        if value is None:
            return "–"
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def language(code: str | None) -> Language:
    """The report language for ``code`` (default Danish); an unknown code is an error that names the choices."""
    chosen = (code or "da").lower()
    if chosen not in LANGUAGES:
        raise ComplianceError(f"report language {code!r} is not supported", expected=" or ".join(LANGUAGES))
    return Language(chosen)
