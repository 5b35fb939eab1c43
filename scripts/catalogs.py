"""Keep the gettext catalogs current: extract the N_() texts, update the .po files, compile the .mo files.

    .venv/bin/python scripts/catalogs.py          # extract + update + compile (after changing a text)
    .venv/bin/python scripts/catalogs.py compile  # only compile (after translating in a .po file)
    .venv/bin/python scripts/catalogs.py fill da PAIRS.json  # fill untranslated entries from {"English": "Dansk"}

It runs Babel's ``pybabel extract/update/compile`` (configured in ``babel.cfg``) and drops the ``python-format``
flag Babel guesses for texts such as "within {tolerance} % of each other": every
text here is a ``str.format`` (brace) template, never a %-template. The compiled ``.mo`` files are
committed, so the wheel carries them; ``tests/test_catalogs.py`` fails when one is out of date.
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "compliance" / "locale"
TEMPLATE = LOCALE / "messages.pot"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def _drop_percent_flags(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = []
    for line in lines:
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "python-format"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags) + "\n"
        kept.append(line)
    path.write_text("".join(kept), encoding="utf-8")


def _run(*args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    subprocess.run([PYBABEL, *args], cwd=ROOT, check=True, env=env)


def extract_json_names(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor (babel.cfg ``json_names``): the names of a shipped reference table, e.g. the
    ``segments`` of ``unspsc-segments.json``, which outputs show translated."""
    data = json.load(fileobj)
    for name in data.get("segments", {}).values():
        yield 0, None, name, []


def fill(lang: str, pairs_file: Path) -> None:
    """Fill the untranslated entries of ``lang`` from a JSON object of source text → translation (e.g.
    the Danish side of a table merged from a branch that still kept both languages in the code); the
    English catalog takes every source text as it is."""
    pairs = json.loads(pairs_file.read_text(encoding="utf-8")) if lang != "en" else {}
    po = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as stream:
        catalog = read_po(stream, locale=lang)
    missing = []
    for message in catalog:
        if message.id and not message.string:
            text = str(message.id)
            if lang == "en":
                message.string = text
            elif text in pairs:
                message.string = pairs[text]
            else:
                missing.append(text)
    with po.open("wb") as stream:
        write_po(stream, catalog, width=0, no_location=True, sort_output=True)
    _drop_percent_flags(po)
    for text in missing:
        print(f"untranslated in {lang}: {text!r}")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "fill":
        fill(argv[1], Path(argv[2]) if len(argv) > 2 else Path("/dev/null"))
        return
    if not argv or argv[0] != "compile":
        _run(
            "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output", "--omit-header", "-o", str(TEMPLATE), "."
        )
        _drop_percent_flags(TEMPLATE)
        _run("update", "-i", str(TEMPLATE), "-d", str(LOCALE), "-D", "messages", "--no-wrap", "--no-fuzzy-matching")
        for po in LOCALE.glob("*/LC_MESSAGES/messages.po"):
            _drop_percent_flags(po)
    compile_catalogs()


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def compile_catalogs() -> None:
    """``pybabel compile`` with the brace check instead of Babel's %-check (which reads "% of" as
    a %-placeholder): a translation may use only fields its source text has."""
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as stream:
            catalog = read_po(stream)
        for message in catalog:
            if message.id and message.string and not _fields(str(message.string)) <= _fields(str(message.id)):
                raise SystemExit(f"{po}: the translation of {message.id!r} uses a field its source text has not")
        translated = sum(1 for message in catalog if message.id and message.string)
        print(f"{po.relative_to(ROOT)}: {translated} of {len(catalog)} texts translated")
        with po.with_suffix(".mo").open("wb") as stream:
            write_mo(stream, catalog)


if __name__ == "__main__":
    main(sys.argv[1:])
