"""The shared label vocabulary: any spelling a supplier uses → canonical code + type-1 flag (§3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from compliance.base.documents import Label
from compliance.base.package_data import load_package_json

LABELS_FILE = "labels.json"  # in compliance/data/


@dataclass(frozen=True)
class LabelDefinition:
    code: str
    name: str
    type1: bool
    kind: str


def _key(text: str) -> str:
    """Matching key: case-, space-, hyphen- and underscore-insensitive."""
    return re.sub(r"[\s_\-]+", "", text).casefold()


@lru_cache(maxsize=1)
def label_vocabulary() -> dict[str, LabelDefinition]:
    """Every alias key (and the code itself) mapped to its label definition."""
    data = load_package_json(LABELS_FILE)
    index: dict[str, LabelDefinition] = {}
    for entry in data["labels"]:
        definition = LabelDefinition(entry["code"], entry["name"], entry["type1"], entry["kind"])
        for spelling in [entry["code"], *entry["aliases"]]:
            index[_key(spelling)] = definition
    return index


def definition_for(code: str) -> LabelDefinition | None:
    return label_vocabulary().get(_key(code))


def normalise_label(raw: str, source: str, licence: str | None = None) -> Label | None:
    """Map label text to a :class:`Label`; unknown text is kept (``known=False``), never dropped.

    Placeholder values such as ``NA`` or an empty string carry no label and give ``None``.
    """
    text = raw.strip()
    if not text or text.upper() in {"NA", "N/A", "NONE", "-"}:
        return None
    definition = label_vocabulary().get(_key(text))
    if definition is None:
        return Label(
            code=re.sub(r"[\s\-]+", "_", text).upper(),
            raw=text,
            known=False,
            type1=False,
            source=source,
            licence=licence,
        )
    return Label(
        code=definition.code,
        raw=text,
        known=True,
        type1=definition.type1,
        source=source,
        licence=licence,
    )


# Item properties whose value names a label (OIOUBL catalogues: "Environment code" = "Svanemærket").
LABEL_PROPERTY_NAMES = {
    _key(name)
    for name in (
        "Environment code",
        "Environmental code",
        "Miljømærke",
        "Miljomaerke",
        "Eco label",
        "Ecolabel",
        "Label",
        "Certificate",
    )
}


def is_label_property(name: str) -> bool:
    return _key(name) in LABEL_PROPERTY_NAMES
