"""The gettext catalogs (issue 19 item 1): the compiled .mo files are those of the .po files, both
languages are complete, and every translation keeps to its source text's fields."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from compliance.base.i18n import LANGUAGES, translate
from compliance.base.messages import ENGLISH, render_message
from compliance.base.settings import PROJECT_ROOT
from compliance.base.texts import CODE_NAMES, FIXED_TEXTS, TEXT_TEMPLATES, known, render_text

LOCALE = PROJECT_ROOT / "compliance" / "locale"


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_is_the_po_file(lang: str) -> None:
    with _po(lang).open("rb") as stream:
        po = {str(m.id): str(m.string) for m in read_po(stream) if m.id and m.string}
    with _po(lang).with_suffix(".mo").open("rb") as stream:
        mo = gettext.GNUTranslations(stream)
    compiled = {key: value for key, value in vars(mo)["_catalog"].items() if key}
    assert compiled == po, "run: .venv/bin/python scripts/catalogs.py compile"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_translated_with_its_own_fields(lang: str) -> None:
    with _po(lang).open("rb") as stream:
        catalog = read_po(stream)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert not untranslated
    for message in catalog:
        if message.id:
            assert _fields(str(message.string)) <= _fields(str(message.id)), message.id
    sources = [*ENGLISH.values(), *CODE_NAMES.values(), *TEXT_TEMPLATES, *FIXED_TEXTS]
    assert [text for text in sources if text and not known(text, lang)] == []


def test_a_finding_message_renders_in_danish_and_english() -> None:
    params = {
        "plate": "DX18336",
        "place": {"key": "place.invoice_line", "params": {"document_type": "credit_note", "invoice": "GB-1", "line": "1"}},
        "day": "2025-06-03",
        "kind": "van",
        "fuel": "diesel",
        "consequence": "",
    }
    da = render_message("green_vehicles.not_green_vehicle", params, lang="da")
    assert (
        da
        == "DX18336 på kreditnota GB-1, linje 1 er faktureret som grøn tur, men den 2025-06-03 siger registret varebil på diesel"
    )
    en = render_message("green_vehicles.not_green_vehicle", params)
    assert (
        en == "DX18336 on credit note GB-1, line 1 is invoiced as a green trip, but on 2025-06-03 the register says van on diesel"
    )


def test_a_finding_stored_before_still_renders() -> None:
    """An unknown key, or parameters the template does not fit, show the recorded text (any language)."""
    assert render_message("gone.rule", {"x": 1}, "as recorded", lang="da") == "as recorded"
    assert render_message("green_vehicles.log_mismatch", {"month": "2025-06"}, "old text", lang="da") == "old text"
    assert render_message("legacy.recorded_text", {"text": "stored long ago"}, lang="da") == "stored long ago"


def test_expected_and_received_texts_are_translated_at_render_time() -> None:
    assert render_text("95 invoiced, 104 logged", "da") == "95 faktureret, 104 i kørebøgerne"
    assert render_text("van, diesel on 2025-06-03, no green evidence", "da") == (
        "varebil, diesel den 2025-06-03, ingen dokumentation for grønt drivmiddel"
    )
    assert render_text("EU_ECO_LABEL or SVANEN", "da") == "EU-Blomsten eller Svanemærket"
    assert render_text("no label (from none)", "da") == "intet mærke (kilde: ingen)"
    assert render_text("DX18336", "da") == "DX18336"  # a value is shown as recorded
    assert render_text("95 invoiced, 104 logged", "en") == "95 invoiced, 104 logged"
    assert translate("Annual compliance report", "da") == "Årlig rapport om kontraktopfølgning"


def test_a_recalculation_recorded_on_a_hearing_reads_in_danish() -> None:
    """The pipeline's own hearing steps are stored in English and shown in the reader's language."""
    recorded = (
        "recalculated: green trips 488 → 988; all trips 1.029 → 1.529; trips short 78 → 0; penalty 45.100,00 kr. → 0,00 kr.; "
        "documents: invoice GB-202512-G (GB-202512-G.xml), credit note K-1 (k.xml); shortfall found again; comments by 9. december 2026"
    )
    assert render_text(recorded, "da") == (
        "genberegnet: grønne ture 488 → 988; ture i alt 1.029 → 1.529; manglende ture 78 → 0; bod 45.100,00 kr. → 0,00 kr.; "
        "dokumenter: faktura GB-202512-G (GB-202512-G.xml), kreditnota K-1 (k.xml); manko fundet igen; bemærkninger senest "
        "9. december 2026"
    )
    assert render_text(recorded, "en") == recorded
