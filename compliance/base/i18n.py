"""The gettext catalogs every text a person reads comes from: Danish (the default) and English.

The source texts (gettext's ``msgid``) are the English texts marked with ``N_()`` in the code; the
catalogs live in ``compliance/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled to ``.mo``
files that travel in the wheel (README, "Languages": ``pybabel extract/update/compile``). A text
a catalog lacks is shown in English and remembered in ``MISSING``, so a test can render every output
and fail on any text that has no translation.
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
DOMAIN = "messages"

# (language, source text) of every text asked for that its catalog has no translation for.
MISSING: set[tuple[str, str]] = set()


def N_(text: str) -> str:
    """Marks a text for extraction into the catalogs (gettext's no-op marker); returns it unchanged."""
    return text


class Phrase(str):
    """A value put into a catalog text that is itself an English source text (a hearing's status, a word):
    translated with the text it is put into (see ``compliance.base.texts.render_error``)."""


class _Recorder(gettext.NullTranslations):
    """The last fallback of a catalog: returns the source text and remembers that it was missing."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._lang = lang

    def gettext(self, message: str) -> str:
        MISSING.add((self._lang, message))
        return message


@cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (shipped in the package), with the recorder as its fallback."""
    compiled = files("compliance").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.mo")
    translations: gettext.NullTranslations
    try:
        with compiled.open("rb") as stream:
            translations = gettext.GNUTranslations(stream)
    except FileNotFoundError:
        translations = gettext.NullTranslations()
    translations.add_fallback(_Recorder(lang))
    return translations


def translate(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``text`` (an English source text) in ``lang``; the empty text stays empty."""
    if not text:
        return text
    return catalog(lang).gettext(text)
