"""The shared vocabulary of vehicles: kinds, fuels, plates, and what counts as a green vehicle.

Every reader, check and report uses these names, so a fuel or a plate means the same thing from
the e-invoice to the supplier's letter.
"""

from __future__ import annotations

import re
import unicodedata

VEHICLE_KINDS = frozenset({"car", "van", "truck", "bus", "motorcycle", "bicycle", "cargo_bike", "other"})
FUELS = frozenset({"petrol", "diesel", "electric", "hydrogen", "natural_gas", "biogas", "lpg", "other", "none"})
NON_MOTORISED = frozenset({"bicycle", "cargo_bike"})
# Handbook §2.1 (RULES.md §1): zero-emission fuels; biogas is green only with declared evidence.
GREEN_FUELS = frozenset({"electric", "hydrogen"})

# Separators a plate may be written with: whitespace, hyphens and dashes, dots (after NFKC).
_PLATE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.·]+")
# What a canonical plate may hold (issue 16 item 5): the Danish alphabet's capitals and digits.
READABLE_PLATE = re.compile(r"[A-ZÆØÅ0-9]+")


def plate_text(text: str) -> str:
    """A text that holds plates, ready for matching: Unicode NFKC (full-width letters and digits, odd
    spaces become plain ones), invisible format characters (zero-width space and joiners, soft hyphen,
    bidi marks, BOM: Unicode category Cf) removed, upper-case. Separators are kept, so a note's words
    stay apart."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").upper()


def normalise_registration(text: str) -> str:
    """The canonical plate: ``ab 12 345`` → ``AB12345``, ``EC\u200b41\uff12\uff10\uff18`` → ``EC41208``.

    :func:`plate_text`, then every separator removed. Every reader (invoices, driving logs, the DMR
    extract, declared vehicles) and every lookup goes through here, so one plate is one string. The
    result may still hold characters a plate cannot (a Cyrillic Х looks like X):
    :func:`plate_readable` says whether it is a plate at all.
    """
    return _PLATE_SEPARATORS.sub("", plate_text(text))


def plate_readable(canonical: str) -> bool:
    """Whether a canonical plate holds only A–Z, Æ, Ø, Å and digits (anything else is "not readable")."""
    return READABLE_PLATE.fullmatch(canonical) is not None


def plate_unreadable(text: str) -> bool:
    """A plate as a file wrote it that is not empty and not readable. A control character is left to
    the readers' control-character check, which refuses the file with its own reason
    (``compliance.base.text``)."""
    canonical = normalise_registration(text)
    return bool(canonical) and not plate_readable(canonical) and not any(unicodedata.category(ch) == "Cc" for ch in text)


def look_alike_character(ch: str) -> bool:
    """A letter outside the Latin script or a digit outside 0–9: what a look-alike plate is made of
    (a Cyrillic Х, a Greek Α, an Arabic-Indic digit)."""
    if ch.isdigit():
        return not ("0" <= ch <= "9")
    return ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN")


def plate_as_written(text: str) -> str:
    """A plate text as a person can check it: invisible, unprintable and look-alike characters written
    as ``\\u0425``, so "DХ 18 336" shows why it is not read as DX 18 336."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) == "Cf" or not ch.isprintable() or look_alike_character(ch) else ch
        for ch in text.strip()
    )


def vehicle_is_green(kind: str | None, fuel: str | None, green_evidence: str | None) -> bool:
    """Handbook §2.1 (RULES.md §1): electric, hydrogen, biogas (only with declared evidence), or non-motorised.

    Plug-in hybrids, petrol, diesel, fossil natural gas and HVO are not green.
    """
    if kind in NON_MOTORISED:
        return True
    if fuel in GREEN_FUELS:
        return True
    return fuel == "biogas" and bool(green_evidence)
