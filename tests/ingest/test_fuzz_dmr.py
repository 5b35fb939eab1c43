"""Fuzzing the DMR readers: mutated register extracts (XML and zip) are read, or refused with a reason.

Seeds are the real DMR record in ``../shared/reference/vehicles`` and a small extract written here
in both historical layouts (``DMR_FIELDS.md``). Mutations change records and their fields (text,
order, repetition, tags, namespace prefix), cut the file, and change zip members and bytes. Both
readers are run: the fast byte reader the import uses, and the tree reader it is checked against;
where a mutation changed only field values, the two must agree.
"""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from compliance.base.errors import SourceFileError
from compliance.ingest.dmr import (
    EURO_BY_NORM,
    FUEL_BY_CODE,
    FUEL_BY_NAME,
    KIND_BY_ART,
    RECORD_TAG,
    DmrImportResult,
    is_dmr_extract,
    read_dmr,
    read_dmr_fast,
)
from tests.ingest.fuzzing import (
    COMPRESSIONS,
    XML_TEXT,
    byte_mutation,
    corrupt_member,
    fuzz_settings,
    need_reference,
    parse_own_xml,
    pick,
    read_or_refuse,
    reference_files,
    write_zip,
    xml_mutation,
)

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

KINDS = {*KIND_BY_ART.values(), "other"}
FUELS = {*FUEL_BY_CODE.values(), *FUEL_BY_NAME.values(), "other", "none"}
EURO_CLASSES = {*EURO_BY_NORM.values(), None}


def _record(plate: str, art: str, fuel: str, norm: str, weight: str, status: str, date: str, old_layout: bool) -> str:
    """One ``ns:Statistik`` element: the new layout (several DrivmiddelStruktur, one primary) or the old one."""
    if old_layout:
        motor = f"<ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{fuel}</ns:DrivkraftTypeNummer></ns:DrivkraftTypeStruktur>"
    else:
        motor = (
            "<ns:KoeretoejDrivmiddelSamlingStruktur><ns:KoeretoejDrivmiddelSamling>"
            "<ns:DrivmiddelStruktur><ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>1</ns:DrivkraftTypeNummer>"
            "<ns:DrivkraftTypeNavn>Benzin</ns:DrivkraftTypeNavn></ns:DrivkraftTypeStruktur>"
            "<ns:KoeretoejMotorDrivmiddelPrimaer>false</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
            f"<ns:DrivmiddelStruktur><ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{fuel}</ns:DrivkraftTypeNummer>"
            "</ns:DrivkraftTypeStruktur><ns:KoeretoejMotorDrivmiddelPrimaer>true</ns:KoeretoejMotorDrivmiddelPrimaer>"
            "</ns:DrivmiddelStruktur></ns:KoeretoejDrivmiddelSamling></ns:KoeretoejDrivmiddelSamlingStruktur>"
        )
    return (
        f"<ns:Statistik><ns:KoeretoejIdent>1000000{zlib.crc32(plate.encode()) % 10**9:09d}</ns:KoeretoejIdent>"
        f"<ns:KoeretoejArtNummer>{art}</ns:KoeretoejArtNummer><ns:RegistreringNummerNummer>{plate}</ns:RegistreringNummerNummer>"
        "<ns:KoeretoejOplysningGrundStruktur>"
        f"<ns:KoeretoejOplysningTekniskTotalVaegt>{weight}</ns:KoeretoejOplysningTekniskTotalVaegt>"
        f"<ns:KoeretoejNormStruktur><ns:NormTypeStruktur><ns:NormTypeNummer>{norm}</ns:NormTypeNummer>"
        f"</ns:NormTypeStruktur></ns:KoeretoejNormStruktur><ns:KoeretoejMotorStruktur>{motor}</ns:KoeretoejMotorStruktur>"
        "</ns:KoeretoejOplysningGrundStruktur>"
        f"<ns:KoeretoejRegistreringStatus>{status}</ns:KoeretoejRegistreringStatus>"
        f"<ns:KoeretoejRegistreringStatusDato>{date}</ns:KoeretoejRegistreringStatusDato></ns:Statistik>\n"
    )


SMALL_EXTRACT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/"><ns:StatistikSamling>\n'
    + _record("EC41208", "3", "4", "1", "3500", "Registreret", "2023-05-01T10:00:00.000+02:00", old_layout=False)
    + _record("TR75021", "4", "2", "47", "7500", "Registreret", "2019-03-01T10:00:00.000+01:00", old_layout=True)
    + _record("AB12345", "1", "1", "49", "1800", "Afmeldt", "2021-01-01T10:00:00.000+01:00", old_layout=False)
    + _record("AB12345", "1", "4", "49", "2100", "Registreret", "2022-06-01T10:00:00.000+02:00", old_layout=True)
    + "</ns:StatistikSamling></ns:ESStatistikListeModtag_I>\n"
).encode()


def seeds() -> list[bytes]:
    return [SMALL_EXTRACT, *(path.read_bytes() for path in reference_files("vehicles/dmr_sample_*.xml"))]


def test_the_dmr_seeds_include_the_real_record() -> None:
    need_reference()
    assert len(seeds()) == 2


@st.composite
def mutated_extract(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A mutated extract, and whether only field values changed (then both readers must agree)."""
    data = pick(draw, seeds())
    values_only = True
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["value", "value", "record", "record", "prefix", "cut", "bytes"]))
        root = parse_own_xml(data) if kind in {"value", "record"} else None
        if root is not None:
            records = list(root.iter(RECORD_TAG))
            if kind == "value" and records:  # a field's text: the first field of its name, which both readers read
                fields = [e for e in pick(draw, records).iter() if isinstance(e.tag, str) and len(e) == 0]
                if fields:
                    with contextlib.suppress(ValueError):
                        pick(draw, fields).text = draw(XML_TEXT).replace("\r", "")
            else:
                values_only = False
                xml_mutation(draw, root, pick(draw, records) if records and draw(st.booleans()) else None)
            data = bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))
        elif kind == "prefix":  # another namespace prefix, or the default namespace
            values_only = False
            prefix = draw(st.sampled_from([b"dmr:", b"", b"n-s.1:"]))
            data = data.replace(b"<ns:", b"<" + prefix).replace(b"</ns:", b"</" + prefix)
            data = data.replace(b"xmlns:ns=", b"xmlns:" + prefix.rstrip(b":") + b"=" if prefix else b"xmlns=")
        elif kind == "cut":
            values_only = False
            data = data[: draw(st.integers(0, len(data)))]
        else:
            values_only = False
            data = byte_mutation(draw, data)
    return data, values_only


@st.composite
def mutated_zip(draw: st.DrawFn) -> bytes:
    """An extract zipped, with members added, renamed or dropped, compressed several ways, or damaged."""
    extract, _values_only = draw(mutated_extract())
    members = [(draw(st.sampled_from(["ESStatistikListeModtag.xml", "dmr/extract.xml", "EXTRACT.XML"])), extract)]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["second xml", "readme", "drop", "rename", "nested zip"]))
        if kind == "second xml":
            members.append(("second.xml", SMALL_EXTRACT))
        elif kind == "readme":
            members.insert(0, ("LAES_MIG.txt", b"DMR extract"))
        elif kind == "drop" and members:
            members.pop()
        elif kind == "rename" and members:
            members[-1] = (
                draw(st.sampled_from(["extract", "extract.xml.gz", "../extract.xml", "a/" * 40 + "x.xml"])),
                members[-1][1],
            )
        elif kind == "nested zip":
            members = [("inner.zip", write_zip(members, zipfile.ZIP_DEFLATED))]
    archive = write_zip(members, draw(st.sampled_from(COMPRESSIONS)))
    if draw(st.integers(0, 3)) == 0:
        archive = corrupt_member(draw, archive)
    if draw(st.integers(0, 3)) == 0:
        archive = byte_mutation(draw, archive)
    return archive


def check_result(result: DmrImportResult | SourceFileError, path: Path) -> None:
    """Every vehicle read is a plausible register record; a break names the file and says where."""
    if isinstance(result, SourceFileError):
        return
    if result.error is not None:
        assert result.error.message.strip() and result.error.file == str(path)
    assert len(result.vehicles) + result.skipped_without_plate <= result.records
    for plate, vehicle in result.vehicles.items():
        assert plate == vehicle.registration and plate, vehicle
        assert vehicle.kind in KINDS and vehicle.fuel in FUELS and vehicle.euro_norm in EURO_CLASSES, vehicle
        assert vehicle.total_weight_kg is None or vehicle.total_weight_kg >= 0, vehicle


def read_both(path: Path) -> tuple[DmrImportResult | SourceFileError, DmrImportResult | SourceFileError] | None:
    """Both readers' outcomes on an extract the import recognises (None when it does not)."""
    recognised = read_or_refuse(lambda: is_dmr_extract(path), str(path))
    if recognised is not True:
        return None
    fast = read_or_refuse(lambda: read_dmr_fast(path), str(path))
    tree = read_or_refuse(lambda: read_dmr(path), str(path))
    check_result(fast, path)
    check_result(tree, path)
    return fast, tree


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dmr-fuzz")


def test_every_dmr_seed_reads_alike(folder: Path) -> None:
    for number, data in enumerate(seeds()):
        path = folder / f"seed-{number}.xml"
        path.write_bytes(data)
        outcomes = read_both(path)
        assert outcomes is not None
        fast, tree = outcomes
        assert isinstance(fast, DmrImportResult) and isinstance(tree, DmrImportResult)
        assert fast.error is None and fast.vehicles and fast.vehicles == tree.vehicles


@fuzz_settings()
@given(mutated_extract())
def test_mutated_dmr_extracts_read_or_refuse_with_a_reason(folder: Path, case: tuple[bytes, bool]) -> None:
    data, values_only = case
    path = folder / "extract.xml"
    path.write_bytes(data)
    outcomes = read_both(path)
    if outcomes is not None and values_only:
        fast, tree = outcomes
        if isinstance(fast, DmrImportResult) and isinstance(tree, DmrImportResult) and not (fast.error or tree.error):
            assert fast.vehicles == tree.vehicles, "the fast reader and the tree reader disagree on changed field values"


@fuzz_settings()
@given(mutated_zip())
def test_mutated_dmr_zips_read_or_refuse_with_a_reason(folder: Path, data: bytes) -> None:
    path = folder / "extract.zip"
    path.write_bytes(data)
    read_both(path)
