"""The Danish Motor Register (DMR) open-data extract, streamed with constant memory.

The extract (``ESStatistikListeModtag``, ~130 GB of XML, ~7 GB zipped) holds one
``ns:Statistik`` element per vehicle record, in two historical layouts; the same plate can occur
in several records (registered, deregistered, exported). Each record is read with ``iterparse``,
reduced to what the checks need, and dropped at once; a truncated file keeps every complete
record and says where it broke. Field paths and code lists: ``../shared/reference/vehicles/DMR_FIELDS.md``.

Nothing here grows with the extract: a zipped extract is checked for its declared and inflated
size and ratio (:data:`DMR_ZIP_LIMITS`) and inflated through a bounded buffer; a record longer
than :data:`MAX_RECORD_BYTES` stops the read (the records before it are kept) rather than
growing the buffer; :func:`iter_dmr_records` hands each record on as it is read, and the
import (``compliance.intake.vehicles``) picks each plate's current record in the database.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import unescape

from lxml import etree

from compliance.base.errors import SourceFileError, UnsafeInputError
from compliance.base.vocabulary import normalise_registration, plate_readable
from compliance.ingest.safe_zip import UNPACK_ERRORS, InflateBudget, MemberStream, ZipLimits, open_zip

NS = "{http://skat.dk/dmr/2007/05/31/}"
RECORD_TAG = f"{NS}Statistik"

# KoeretoejArtNummer → our vehicle kind. 2 "Stor personbil" is how buses are said to be
# registered (unverified, see DMR_FIELDS.md): it maps to "bus" so that a contract's bus rule sees it.
KIND_BY_ART = {"1": "car", "2": "bus", "3": "van", "4": "truck", "7": "motorcycle", "16": "motorcycle", "17": "motorcycle"}
# DrivkraftTypeNummer → fuel. There is no biogas code: biogas needs a declaration with evidence.
FUEL_BY_CODE = {"1": "petrol", "2": "diesel", "3": "lpg", "4": "electric", "5": "other", "6": "natural_gas", "7": "hydrogen"}
FUEL_BY_NAME = {
    "benzin": "petrol",
    "diesel": "diesel",
    "el": "electric",
    "brint": "hydrogen",
    "naturgas": "natural_gas",
    "f-gas": "lpg",
    "gas": "lpg",
}
# NormTypeNummer → Euro class (0 = "Ingen Norm"; EEV counts as Euro V).
EURO_BY_NORM = {"1": 0, "27": 1, "28": 2, "29": 3, "46": 4, "47": 5, "48": 5, "49": 6, "50": 7}

# The real extract is ~130 GB of XML in a ~7 GB zip (about 19:1); a record is about 10 kB.
DMR_ZIP_LIMITS = ZipLimits("DMR extract", max_entries=100, max_unzipped_bytes=1 << 40, max_ratio=100)
MAX_RECORD_BYTES = 1 << 20  # one ns:Statistik element, and what may precede the first one


@dataclass(frozen=True)
class DmrVehicle:
    """One DMR record, reduced to what the checks need."""

    record: int
    vehicle_id: str | None
    registration: str
    kind: str
    fuel: str
    euro_norm: int | None
    total_weight_kg: int | None
    registered: bool
    status_date: str | None
    first_registration: str | None = None  # KoeretoejOplysningFoersteRegistreringDato
    plate_expiry: str | None = None  # RegistreringNummerUdloebDato (deregistered plates)

    def newer_than(self, other: DmrVehicle) -> bool:
        """The current record per plate: a registered one beats a deregistered one, then the later status."""
        if self.registered != other.registered:
            return self.registered
        return (self.status_date or "") >= (other.status_date or "")


@dataclass
class DmrImportResult:
    records: int
    vehicles: dict[str, DmrVehicle]
    skipped_without_plate: int
    error: SourceFileError | None = None
    sha256: str | None = None  # of the XML content read (inside the zip for a .zip), by the fast reader
    # The other records of a plate with several (issue 16 item 6: the register keeps validity dates).
    earlier: dict[str, list[DmrVehicle]] = field(default_factory=dict)


def _first_text(record: etree._Element, *names: str) -> str | None:
    for name in names:
        found = record.find(f".//{NS}{name}")
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _primary_fuel(record: etree._Element) -> str:
    """The primary propulsion: new layout (several DrivmiddelStruktur, one primary) or the old single one."""
    candidates = record.findall(f".//{NS}DrivmiddelStruktur")
    chosen = None
    for candidate in candidates:
        flag = candidate.find(f"{NS}KoeretoejMotorDrivmiddelPrimaer")
        if flag is not None and (flag.text or "").strip().lower() == "true":
            chosen = candidate
            break
    scope = chosen if chosen is not None else (candidates[0] if candidates else record)
    code = _first_text(scope, "DrivkraftTypeNummer")
    if code in FUEL_BY_CODE:
        return FUEL_BY_CODE[code]
    name = (_first_text(scope, "DrivkraftTypeNavn") or "").lower()
    return FUEL_BY_NAME.get(name, "other" if name else "none")


def _number(text: str | None) -> int | None:
    if not text:
        return None
    match = re.fullmatch(r"([0-9]{1,9})(\.0+)?", text)  # ASCII digits; an absurd weight is unknown (int() refuses 4,300+ digits)
    return int(match.group(1)) if match else None


def dmr_vehicle(record: etree._Element, index: int) -> DmrVehicle | None:
    """Reduce one ``ns:Statistik`` element; records without a plate (or with only separators, "-") give None."""
    plate = _first_text(record, "RegistreringNummerNummer")
    if not plate or not plate_readable(normalise_registration(plate)):
        return None  # no plate, only separators ("-"), or characters no plate holds (issue 16 item 5)
    status = _first_text(record, "KoeretoejRegistreringStatus") or _first_text(record, "KoeretoejOplysningStatus") or ""
    norm = _first_text(record, "NormTypeNummer")
    return DmrVehicle(
        record=index,
        vehicle_id=_first_text(record, "KoeretoejIdent"),
        registration=normalise_registration(plate),
        kind=KIND_BY_ART.get(_first_text(record, "KoeretoejArtNummer") or "", "other"),
        fuel=_primary_fuel(record),
        euro_norm=EURO_BY_NORM.get(norm or ""),
        total_weight_kg=_number(_first_text(record, "KoeretoejOplysningTekniskTotalVaegt", "KoeretoejOplysningTotalVaegt")),
        registered=status.lower() == "registreret",
        status_date=_first_text(record, "KoeretoejRegistreringStatusDato", "KoeretoejOplysningStatusDato"),
        first_registration=_first_text(record, "KoeretoejOplysningFoersteRegistreringDato"),
        plate_expiry=_first_text(record, "RegistreringNummerUdloebDato"),
    )


def _keep(vehicles: dict[str, DmrVehicle], earlier: dict[str, list[DmrVehicle]], vehicle: DmrVehicle) -> None:
    """Keep the current record per plate in ``vehicles`` and the plate's other records in ``earlier``
    (the register keeps validity dates: a plate can move from one vehicle to another)."""
    current = vehicles.get(vehicle.registration)
    if current is None:
        vehicles[vehicle.registration] = vehicle
    elif vehicle.newer_than(current):
        vehicles[vehicle.registration] = vehicle
        earlier.setdefault(vehicle.registration, []).append(current)
    else:
        earlier.setdefault(vehicle.registration, []).append(vehicle)


class _CountingReader(io.RawIOBase):
    """Serves already-read bytes first, then the stream; counts bytes for progress and for "where it broke"."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self.prefix = prefix
        self.stream = stream
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            data, self.prefix = self.prefix[: len(buffer)], self.prefix[len(buffer) :]
        else:
            data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


# What zipfile raises on a damaged archive or member, as the fuzz tests found (tests/ingest/test_fuzz_dmr.py):
# a bad header or CRC, a broken deflate, bzip2 or lzma stream, an encrypted member or an unknown compression
# (the zip's member stream passes them on unwrapped, so that the refusal can say after which record).
DAMAGED_ZIP_ERRORS = UNPACK_ERRORS


def damaged_zip(exc: BaseException, path: Path, where: str) -> SourceFileError:
    """The refusal of an extract whose zip cannot be read; nothing of it is imported."""
    return SourceFileError(
        f"the zip is damaged ({type(exc).__name__}: {str(exc)[:200]}); nothing was imported",
        file=str(path),
        location=where,
        expected="an undamaged zip holding one DMR extract (download it again)",
    )


def open_dmr(path: Path) -> tuple[IO[bytes], int]:
    """The XML stream and its size: the file itself, or the one XML member of a zip, inflated through
    a bounded buffer after its declared size and ratio are checked (:data:`DMR_ZIP_LIMITS`)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        return path.open("rb"), path.stat().st_size
    expected = "one DMR extract (.xml) in the zip"
    archive = open_zip(path, str(path), DMR_ZIP_LIMITS, expected)
    try:
        members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
        if len(members) != 1:
            raise SourceFileError(f"the zip holds {len(members)} XML files", file=str(path), expected=expected)
        budget = InflateBudget(archive, str(path), DMR_ZIP_LIMITS)
        budget.check_declared(archive)
        stream = MemberStream(
            archive, members[0], budget, f"an undamaged zip with {expected}", owns_archive=True, raw_errors=True
        )
    except DAMAGED_ZIP_ERRORS as exc:
        archive.close()
        raise damaged_zip(exc, path, f"zip member {members[0].filename}") from exc
    except BaseException:
        archive.close()
        raise
    return io.BufferedReader(stream, buffer_size=1 << 16), members[0].file_size


RECORD_START = re.compile(rb"<([\w.-]+:)?Statistik[\s>]")
CHUNK = 4 << 20


class _RecordBytes:
    """Field lookup in one record's bytes with ``bytes.find`` on exact start tags (prefix known)."""

    __slots__ = ("data", "prefix")

    def __init__(self, data: bytes, prefix: bytes) -> None:
        self.data = data
        self.prefix = prefix

    def positions(self, name: bytes) -> list[int]:
        """Where each value of the field starts; an empty element ``<ns:Name/>`` counts too (its value is
        empty), as it does for the tree reader: missing it merged two fuel blocks into one."""
        tag = b"<" + self.prefix + name + b">"
        found = []
        at = self.data.find(tag)
        while at >= 0:
            found.append(at + len(tag))
            at = self.data.find(tag, at + 1)
        empty = b"<" + self.prefix + name + b"/>"
        at = self.data.find(empty)
        while at >= 0:
            found.append(at)  # value_at(at) is "": the next "<" is the element's own
            at = self.data.find(empty, at + 1)
        return sorted(found)

    def value_at(self, position: int) -> str:
        end = self.data.find(b"<", position)
        return unescape(self.data[position:end].decode("utf-8", "replace").strip())

    def first(self, name: bytes, start: int = 0, stop: int | None = None) -> str | None:
        tag = b"<" + self.prefix + name + b">"
        at = self.data.find(tag, start, stop if stop is not None else len(self.data))
        if at < 0:
            return None
        return self.value_at(at + len(tag)) or None


def _fast_vehicle(record: _RecordBytes, index: int) -> DmrVehicle | None:
    """The same reduction as :func:`dmr_vehicle`, from the record's bytes (first occurrence of each
    field, as a descendant search would find). Fuel blocks are cut at each DrivkraftTypeNummer:
    its name and primary flag are the ones before the next block."""
    plate = record.first(b"RegistreringNummerNummer")
    if not plate or not plate_readable(normalise_registration(plate)):
        return None
    starts = record.positions(b"DrivkraftTypeNummer")
    blocks = []
    for number, begin in enumerate(starts):
        stop = starts[number + 1] if number + 1 < len(starts) else None
        blocks.append(
            (
                record.value_at(begin),
                (record.first(b"DrivkraftTypeNavn", begin, stop) or "").lower(),
                (record.first(b"KoeretoejMotorDrivmiddelPrimaer", begin, stop) or "").lower() == "true",
            )
        )
    code, fuel_name, _primary = next((block for block in blocks if block[2]), blocks[0] if blocks else ("", "", False))
    fuel = FUEL_BY_CODE.get(code) or FUEL_BY_NAME.get(fuel_name, "other" if fuel_name else "none")
    status = record.first(b"KoeretoejRegistreringStatus") or record.first(b"KoeretoejOplysningStatus") or ""
    return DmrVehicle(
        record=index,
        vehicle_id=record.first(b"KoeretoejIdent"),
        registration=normalise_registration(plate),
        kind=KIND_BY_ART.get(record.first(b"KoeretoejArtNummer") or "", "other"),
        fuel=fuel,
        euro_norm=EURO_BY_NORM.get(record.first(b"NormTypeNummer") or ""),
        total_weight_kg=_number(
            record.first(b"KoeretoejOplysningTekniskTotalVaegt") or record.first(b"KoeretoejOplysningTotalVaegt")
        ),
        registered=status.lower() == "registreret",
        status_date=record.first(b"KoeretoejRegistreringStatusDato") or record.first(b"KoeretoejOplysningStatusDato"),
        first_registration=record.first(b"KoeretoejOplysningFoersteRegistreringDato"),
        plate_expiry=record.first(b"RegistreringNummerUdloebDato"),
    )


class DmrRecords:
    """The records of an extract as :func:`iter_dmr_records` reads them; ``records``, ``skipped``,
    ``error`` and ``sha256`` are final once the iteration has ended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self.skipped = 0
        self.error: SourceFileError | None = None
        self.sha256: str | None = None


def iter_dmr_records(
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    outcome: DmrRecords | None = None,
) -> Iterator[DmrVehicle]:
    """Every record with a plate (in ``only_plates``, if given), in file order, not yet reduced to
    one per plate. Records are cut at their end tags and their fields found with ``bytes.find``;
    with ``only_plates`` a record is skipped after looking at its plate. The buffer holds at most one
    record (:data:`MAX_RECORD_BYTES`) and one read; ``outcome`` receives the counts, the error and
    the SHA-256 of the XML content (inside the zip for a .zip).

    The DMR extract is machine-written and the fields read are plain values (numbers, codes,
    plates, status words), which makes this sound; the tests check it against :func:`read_dmr`
    on both layouts, a zip, a truncated file and the real sample.
    """
    result = outcome if outcome is not None else DmrRecords(path)
    stream, total = open_dmr(path)
    digest = hashlib.sha256()
    buffer = b""
    prefix: bytes | None = None
    end_tag = plate_tag = b""
    bytes_read = 0

    def read() -> bytes:
        try:
            return stream.read(CHUNK)
        except DAMAGED_ZIP_ERRORS as exc:
            raise damaged_zip(exc, path, f"after {result.records} record(s), about byte {bytes_read}") from exc

    with stream:
        while True:
            chunk = read()
            if bytes_read == 0 and re.search(rb"<!\s*(DOCTYPE|ENTITY)", chunk[:4096], re.IGNORECASE):
                raise UnsafeInputError(
                    "the extract declares a DOCTYPE or ENTITY; it was not parsed", file=str(path), location="prolog"
                )
            bytes_read += len(chunk)
            digest.update(chunk)
            buffer += chunk
            if prefix is None:
                opened = RECORD_START.search(buffer)
                if opened is None:
                    if len(buffer) > MAX_RECORD_BYTES:
                        result.error = SourceFileError(
                            f"no record in the first {len(buffer)} bytes",
                            file=str(path),
                            location="prolog",
                            expected=f"a DMR extract whose first ns:Statistik record starts within {MAX_RECORD_BYTES} bytes",
                        )
                        break
                    if chunk:
                        continue
                    break
                prefix = opened.group(1) or b""
                end_tag = b"</" + prefix + b"Statistik>"
                plate_tag = b"<" + prefix + b"RegistreringNummerNummer>"
            start = 0
            end = buffer.find(end_tag)
            while end >= 0:
                stop = end + len(end_tag)
                result.records += 1
                # Look at the plate in place; only a record we keep is copied out of the buffer.
                at = buffer.find(plate_tag, start, stop)
                plate = None
                if at >= 0:
                    value_start = at + len(plate_tag)
                    plate = buffer[value_start : buffer.find(b"<", value_start)].decode("utf-8", "replace").strip() or None
                if plate is None or not normalise_registration(unescape(plate)):  # none, or only separators ("-")
                    result.skipped += 1
                elif only_plates is None or normalise_registration(unescape(plate)) in only_plates:
                    vehicle = _fast_vehicle(_RecordBytes(buffer[start:stop], prefix), result.records)
                    if vehicle is None:
                        result.skipped += 1  # a plate no plate can be (issue 16 item 5)
                    else:
                        yield vehicle
                start = stop
                if on_progress is not None and result.records % 1000 == 0:
                    on_progress(bytes_read, total, result.records)
                end = buffer.find(end_tag, start)
            buffer = buffer[start:]
            if len(buffer) > MAX_RECORD_BYTES:
                opened = RECORD_START.search(buffer)
                if opened is None:
                    buffer = buffer[-4096:]  # no record under way: what is between records is not kept
                elif len(buffer) - opened.start() > MAX_RECORD_BYTES:
                    result.error = SourceFileError(
                        f"record {result.records + 1} is longer than {MAX_RECORD_BYTES} bytes; the extract was read up to it",
                        file=str(path),
                        location=f"about byte {bytes_read - len(buffer) + opened.start()}",
                        expected=f"DMR records of at most {MAX_RECORD_BYTES} bytes (a real one is about 10 kB); "
                        "the complete records before this point were kept",
                    )
                    break
                else:
                    buffer = buffer[opened.start() :]
            if not chunk:
                break
        if result.error is not None:
            while chunk := read():  # the rest is hashed, so the source is known by its whole content
                bytes_read += len(chunk)
                digest.update(chunk)
    if result.error is None:
        opened = RECORD_START.search(buffer)
        if opened is not None or not re.search(rb"</(?:[\w.-]+:)?ESStatistikListeModtag_I>\s*$", buffer):
            result.error = SourceFileError(
                f"the extract breaks off after {result.records} complete record(s)"
                + (" inside a record" if opened is not None else " before its closing tag"),
                file=str(path),
                location=f"about byte {bytes_read - len(buffer) + (opened.start() if opened else 0)}",
                expected="a complete DMR extract; the complete records before this point were kept",
            )
    if on_progress is not None:
        on_progress(bytes_read, total, result.records)
    result.sha256 = digest.hexdigest()


def read_dmr_fast(
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportResult:
    """:func:`read_dmr` without building a tree (:func:`iter_dmr_records`), keeping the current
    record per plate in memory: for tests and small extracts; the import picks them in the database."""
    outcome = DmrRecords(path)
    vehicles: dict[str, DmrVehicle] = {}
    earlier: dict[str, list[DmrVehicle]] = {}
    for vehicle in iter_dmr_records(path, only_plates, on_progress, outcome):
        _keep(vehicles, earlier, vehicle)
    return DmrImportResult(outcome.records, vehicles, outcome.skipped, outcome.error, outcome.sha256, earlier)


def read_dmr(
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportResult:
    """Stream the extract and keep the current record per plate (optionally only ``only_plates``).

    ``on_progress(bytes_read, total_bytes, records)`` is called every 1,000 records. A file that
    breaks off keeps the complete records before the break; ``error`` says where.
    """
    stream, total = open_dmr(path)
    try:
        head = stream.read(4096)
    except DAMAGED_ZIP_ERRORS as exc:
        raise damaged_zip(exc, path, "the start of the extract") from exc
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", head, re.IGNORECASE):
        raise UnsafeInputError("the extract declares a DOCTYPE or ENTITY; it was not parsed", file=str(path), location="prolog")
    counting = _CountingReader(head, stream)
    vehicles: dict[str, DmrVehicle] = {}
    earlier: dict[str, list[DmrVehicle]] = {}
    records = skipped = 0
    error: SourceFileError | None = None
    parser = etree.iterparse(
        io.BufferedReader(counting, buffer_size=1 << 20),
        events=("end",),
        tag=RECORD_TAG,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _event, element in parser:
            records += 1
            vehicle = dmr_vehicle(element, records)
            if vehicle is None:
                skipped += 1
            elif only_plates is None or vehicle.registration in only_plates:
                _keep(vehicles, earlier, vehicle)
            # Constant memory: drop the record and everything before it.
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
            if on_progress is not None and records % 1000 == 0:
                on_progress(counting.bytes_read, total, records)
    except DAMAGED_ZIP_ERRORS as exc:
        raise damaged_zip(exc, path, f"after {records} record(s), about byte {counting.bytes_read}") from exc
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        error = SourceFileError(
            f"the extract breaks off or is damaged after {records} complete record(s): {exc.msg}",
            file=str(path),
            location=f"line {line}, column {column}, about byte {counting.bytes_read}",
            expected="a complete DMR extract; the complete records before this point were kept",
        )
    finally:
        stream.close()
    if on_progress is not None:
        on_progress(counting.bytes_read, total, records)
    return DmrImportResult(records, vehicles, skipped, error, earlier=earlier)


def is_dmr_extract(path: Path) -> bool:
    """Recognised by content: the DMR root element near the start (also inside a zip). A zip that
    breaks the limits of :data:`DMR_ZIP_LIMITS` is refused here (:class:`UnsafeInputError`)."""
    try:
        stream, _size = open_dmr(path)
        with stream:
            return b"ESStatistikListeModtag" in stream.read(4096)
    except UnsafeInputError:
        raise
    except (SourceFileError, *DAMAGED_ZIP_ERRORS):
        return False
