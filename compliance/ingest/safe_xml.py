"""Parse supplier XML without trusting it: no DTDs, no entity expansion, no network, bounded size."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from lxml import etree

from compliance.base.errors import SourceFileError, UnsafeInputError

# A DOCTYPE or ENTITY declaration has no place in an e-invoice or catalogue; it is how the
# billion-laughs, quadratic blow-up and external-entity (file://, http://) attacks start.
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _declaration(data: bytes) -> re.Match[bytes] | None:
    """The first DOCTYPE or ENTITY declaration in ``data``, or None.

    Most invoices have no "!" at all, and looking for one byte is a ``memchr`` (a fraction of a
    microsecond for 20 KB), while a search for ``<!`` stops at every ``<`` (tens of microseconds:
    more than a tenth of the parse). Only a document with a "!" is searched for the declaration.
    """
    return _DECLARATION.search(data) if b"!" in data else None


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's safe parser (a parser may be reused, one document at a time, by its thread)."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, file: str) -> etree._Element:
    """Return the root element of ``data``, or raise with the file, line and column of the fault."""
    match = _declaration(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise UnsafeInputError(
            f"the document declares a {match.group(1).decode().upper()}, which can expand "
            "entities or load external files; it was not parsed",
            file=file,
            location=f"line {line}",
            expected="an XML document without DOCTYPE or ENTITY declarations",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise SourceFileError(
            f"not well-formed XML: {exc.msg}",
            file=file,
            location=f"line {line}, column {column}",
            expected="a well-formed XML document",
        ) from exc
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Reached only when the declaration is in an encoding the byte scan cannot see (UTF-16).
        raise UnsafeInputError(
            "the document declares a DOCTYPE; it was not used",
            file=file,
            location="prolog",
            expected="an XML document without DOCTYPE or ENTITY declarations",
        )
    return root


def _declaration_error(kind: bytes, file: str, location: str) -> UnsafeInputError:
    return UnsafeInputError(
        f"the document declares a {kind.decode().upper()}, which can expand entities or load external files; it was not parsed",
        file=file,
        location=location,
        expected="an XML document without DOCTYPE or ENTITY declarations",
    )


class DeclarationScan:
    """The byte scan of :func:`parse_xml` for a document that arrives in chunks (a declaration may
    straddle two of them). ``where`` prefixes the line in messages, e.g. the part of a workbook."""

    OVERLAP = 16  # longer than "<!DOCTYPE" with a little white space

    def __init__(self, file: str, where: str = "") -> None:
        self.file = file
        self.where = where
        self.tail = b""
        self.line = 1  # the line the tail starts on

    def feed(self, chunk: bytes) -> None:
        window = self.tail + chunk
        match = _declaration(window)
        if match:
            line = self.line + window.count(b"\n", 0, match.start())
            raise _declaration_error(match.group(1), self.file, f"{self.where}line {line}")
        keep = window[-self.OVERLAP :]
        self.line += window.count(b"\n", 0, len(window) - len(keep))
        self.tail = keep


class _DoctypeTarget:
    """A parser target that builds nothing and notes a DOCTYPE (libxml2 reports it in any encoding)."""

    def __init__(self) -> None:
        self.doctype_seen = False

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        self.doctype_seen = True

    def close(self) -> bool:
        return self.doctype_seen


def check_xml_stream(chunks: Iterable[bytes], file: str, where: str = "") -> None:
    """Parse a document fed in chunks with the safe settings of :func:`parse_xml`, building no tree:
    refuse a DOCTYPE or ENTITY declaration, and anything not well-formed, with the line and column."""
    scan = DeclarationScan(file, where)
    target: Any = _DoctypeTarget()  # lxml-stubs know no target protocol with doctype()
    parser = etree.XMLParser(target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        for chunk in chunks:
            scan.feed(chunk)
            parser.feed(chunk)
        doctype_seen = parser.close()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise SourceFileError(
            f"not well-formed XML: {exc.msg}",
            file=file,
            location=f"{where}line {line}, column {column}",
            expected="a well-formed XML document",
        ) from exc
    if doctype_seen:
        raise _declaration_error(b"DOCTYPE", file, f"{where}prolog")
