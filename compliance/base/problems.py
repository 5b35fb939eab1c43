"""Contract-file problems for people (issue 19 item 5): every schema error at once, each with the
file's line and column, a plain sentence, a hint in the reader's language and, for a misspelt key or
value, the one that was probably meant.

Texts are English source texts marked with ``N_()`` and translated when shown (``ContractProblem.text``);
the technical ``expected`` of the first problem stays on ``ContractTermsError`` for callers that read it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from compliance.base.i18n import N_, translate

Path = tuple[str | int, ...]
NUMBER_PATTERNS = frozenset({r"^[0-9]+(\.[0-9]+)?$", r"^[0-9]+(\.[0-9]{1,2})?$"})
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

HINTS = {
    "percent": N_("write a percentage as 40, not '40 %'"),
    "decimal_comma": N_("write decimals with a point: 7.46, not 7,46"),
    "amount": N_("write an amount as 450.00, without 'kr.' or thousands separators"),
    "number": N_("write a number with digits and a decimal point, e.g. 450.00"),
    "date": N_("dates are written YYYY-MM-DD, e.g. 2026-03-01"),
    "cvr": N_("a CVR number is 8 digits, without spaces or 'DK'"),
    "gln": N_("a GLN (EAN location number) is 13 digits"),
    "currency": N_("a currency is its three capital letters, e.g. EUR"),
    "identifier": N_("use letters, digits, '.', '_' and '-' only, without spaces"),
    "email": N_("an e-mail address such as indkob@kk.dk"),
    "quote": N_("put the text in quotes"),
}


@dataclass(frozen=True)
class ContractProblem:
    """One thing wrong in a contract file, where it is, and what to write instead."""

    location: str  # the field path, e.g. green_vehicles.years[1].offer
    message: str  # English source text with {fields}
    values: Mapping[str, str]
    line: int | None = None
    column: int | None = None
    hint: str | None = None  # English source text
    suggestion: str | None = None  # the key or value probably meant

    def plain(self, lang: str = "en") -> str:
        """The sentence with its hint and suggestion, in ``lang``, without the place."""
        values = {name: translate(value, lang) if value in TYPE_NAMES.values() else value for name, value in self.values.items()}
        text = translate(self.message, lang).format(**values)
        if self.hint:
            text += f" — {translate(self.hint, lang)}"
        if self.suggestion:
            text += " " + translate(N_("(did you mean '{suggestion}'?)"), lang).format(suggestion=self.suggestion)
        return text

    def text(self, file: str, lang: str = "en") -> str:
        """``file:line:column: field: sentence — hint (did you mean …?)`` in ``lang``."""
        where = f"{file}:{self.line}:{self.column}" if self.line is not None else file
        return f"{where}: {self.location}: {self.plain(lang)}"


def yaml_places(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> dict[Path, tuple[int, int]]:
    """Where each value of a YAML document starts (1-based line and column), by its path; a key's own
    place is under the path with ``("key",)`` appended to its value's path."""
    places: dict[Path, tuple[int, int]] = {}
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return places

    def walk(node: yaml.Node, path: Path) -> None:
        places[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                places[(*path, name, "key")] = (key.start_mark.line + 1, key.start_mark.column + 1)
                walk(value, (*path, name))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return places


def parse_field_path(location: str) -> Path:
    """``green_vehicles.years[1].offer`` → ``("green_vehicles", "years", 1, "offer")``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", location):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _hint_for_value(value: Any, pattern: str | None) -> str | None:
    if isinstance(value, str):
        if "%" in value:
            return HINTS["percent"]
        if pattern in NUMBER_PATTERNS or pattern is None:
            if re.fullmatch(r"\s*-?[0-9.]+,[0-9]+\s*", value):
                return HINTS["decimal_comma"]
            if "kr" in value.lower() or re.search(r"[0-9][. ][0-9]{3}\b", value):
                return HINTS["amount"]
    return None


def _suggest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def describe(error: Any, places: Mapping[Path, tuple[int, int]], field_path: str) -> list[ContractProblem]:
    """The problems one jsonschema ``ValidationError`` stands for (an unknown-keys error may name several)."""
    path: Path = tuple(error.absolute_path)
    kind, rule, value = error.validator, error.validator_value, error.instance
    line, column = places.get(path, (None, None))

    def problem(message: str, hint: str | None = None, suggestion: str | None = None, **values: Any) -> ContractProblem:
        shown = {name: str(item) for name, item in values.items()}
        return ContractProblem(field_path, message, shown, line, column, hint, suggestion)

    if kind == "additionalProperties" and isinstance(value, dict):
        known = list((error.schema.get("properties") or {}).keys())
        allowed = set(known)
        extra = [key for key in value if key not in allowed]
        problems = []
        for key in extra:
            key_line, key_column = places.get((*path, str(key), "key"), (line, column))
            location = f"{field_path}.{key}" if path else str(key)
            problems.append(
                ContractProblem(
                    location,
                    N_("unknown key '{key}'"),
                    {"key": str(key)},
                    key_line,
                    key_column,
                    None,
                    _suggest(str(key), known),
                )
            )
        return problems
    if kind == "required":
        missing = [name for name in rule if isinstance(value, dict) and name not in value]
        return [problem(N_("the key '{key}' is missing"), key=name) for name in missing] or [
            problem(N_("a required key is missing"))
        ]
    if kind == "enum":
        choices = ", ".join(repr(item) for item in rule)
        return [
            problem(
                N_("{value} is not one of {choices}"),
                suggestion=_suggest(str(value), [str(item) for item in rule]),
                value=repr(value),
                choices=choices,
            )
        ]
    if kind == "format" and rule == "date" or kind == "pattern" and rule == DATE_PATTERN:
        return [problem(N_("{value} is not a date"), HINTS["date"], value=repr(value))]
    if kind == "format" and rule == "email":
        return [problem(N_("{value} is not an e-mail address"), HINTS["email"], value=repr(value))]
    if kind == "pattern":
        hint = _hint_for_value(value, rule)
        if hint is None:
            hint = {
                r"^[0-9]{8}$": HINTS["cvr"],
                r"^[0-9]{13}$": HINTS["gln"],
                r"^[A-Z]{3}$": HINTS["currency"],
            }.get(rule, HINTS["number"] if rule in NUMBER_PATTERNS else HINTS["identifier"])
        return [problem(N_("{value} is not in the form this key takes"), hint, value=repr(value))]
    if kind == "type":
        wanted = rule if isinstance(rule, str) else " / ".join(rule)
        hint = _hint_for_value(value, None)
        if hint is None and wanted in {"string"}:
            hint = HINTS["quote"]
        return [problem(N_("{value} should be {wanted}"), hint, value=repr(value), wanted=_type_name(wanted))]
    if kind in {"minimum", "exclusiveMinimum"}:
        return [problem(N_("{value} is below the smallest allowed value {limit}"), value=value, limit=rule)]
    if kind in {"maximum", "exclusiveMaximum"}:
        return [problem(N_("{value} is above the largest allowed value {limit}"), value=value, limit=rule)]
    if kind in {"minItems", "minLength"}:
        return [problem(N_("the list or text is empty or too short (at least {limit})"), limit=rule)]
    return [problem(N_("{detail}"), detail=error.message)]


TYPE_NAMES = {
    "number": N_("a number"),
    "integer": N_("a whole number"),
    "string": N_("a text"),
    "array": N_("a list"),
    "object": N_("a group of keys"),
    "boolean": N_("true or false"),
}


def _type_name(wanted: str) -> str:
    return TYPE_NAMES.get(wanted, wanted)
