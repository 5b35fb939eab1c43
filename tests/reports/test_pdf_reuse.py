"""PDFs rendered in a pool of processes, and not rendered again when their content has not changed (issue 21 item 4)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from compliance.pipeline import write_contract_reports
from compliance.reports import pdf as pdf_module
from compliance.reports.pdf import PdfRenderer, hash_path
from compliance.reports.workbook import Sheet, write_workbook
from tests.reports.conftest import need_tool

Run = tuple  # (Settings, PipelineResult), as sample_run gives it

PAGE = (
    '<html><body><h1>{title}</h1><p>Delivered {delivered}</p><p class="muted" data-generated>Generated {stamp}</p></body></html>'
)
FIRST = datetime(2026, 11, 25, 21, 5, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every PDF rendered in this process, in order."""
    rendered: list[Path] = []
    real = pdf_module.write_pdf

    def counting(html: str, path: Path) -> Path:
        rendered.append(path)
        return real(html, path)

    monkeypatch.setattr(pdf_module, "write_pdf", counting)
    return rendered


def _page(title: str, when: datetime, delivered: datetime = FIRST) -> str:
    return PAGE.format(title=title, stamp=when.strftime("%Y-%m-%d %H:%M"), delivered=delivered.strftime("%Y-%m-%d %H:%M"))


def test_a_pdf_is_rendered_again_only_when_its_content_changed(tmp_path: Path, renders: list[Path]) -> None:
    need_tool(pdf_module.pdf_available())
    path = tmp_path / "report.pdf"
    first = PdfRenderer()
    first.add(_page("Year 1", FIRST), path)
    first.finish()
    assert renders == [path] and path.read_bytes().startswith(b"%PDF") and hash_path(path).is_file()
    # Only the generation stamp differs: the PDF stays as it is.
    again = PdfRenderer()
    again.add(_page("Year 1", LATER), path)
    again.finish()
    assert renders == [path] and again.unchanged == [path] and again.rendered == []
    # Other content (data, language, template: all change the HTML): rendered again.
    changed = PdfRenderer()
    changed.add(_page("År 1", LATER), path)
    changed.finish()
    assert renders == [path, path] and changed.rendered == [path]
    # A time in the data that reads like the generated time is content: kept when the run's time moves on.
    same_minute = PdfRenderer()
    same_minute.add(_page("År 1", FIRST, delivered=FIRST), path)
    same_minute.finish()
    moved_on = PdfRenderer()
    moved_on.add(_page("År 1", LATER, delivered=FIRST), path)
    moved_on.finish()
    assert moved_on.unchanged == [path], "only the generated line differs"
    delivered_later = PdfRenderer()
    delivered_later.add(_page("År 1", LATER, delivered=LATER), path)
    delivered_later.finish()
    assert delivered_later.rendered == [path], "a time in the data changed"
    renders.clear()
    renders.append(path)
    renders.append(path)
    # The PDF gone (or its hash gone): rendered again.
    path.unlink()
    gone = PdfRenderer()
    gone.add(_page("År 1", LATER), path)
    gone.finish()
    assert len(renders) == 3 and path.is_file()
    hash_path(path).unlink()
    no_hash = PdfRenderer()
    no_hash.add(_page("År 1", LATER), path)
    no_hash.finish()
    assert len(renders) == 4


def test_a_change_of_renderer_renders_every_pdf_again(
    tmp_path: Path, renders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    need_tool(pdf_module.pdf_available())
    path = tmp_path / "report.pdf"
    for version in ("1", "1", "2"):
        monkeypatch.setattr(pdf_module, "RENDERING_VERSION", version)
        renderer = PdfRenderer()
        renderer.add(_page("Year 1", FIRST), path)
        renderer.finish()
    assert renders == [path, path]


def test_a_pool_renders_every_pdf(tmp_path: Path) -> None:
    need_tool(pdf_module.pdf_available())
    renderer = PdfRenderer(workers=2)
    paths = [renderer.add(_page(f"Contract {n}", FIRST), tmp_path / f"c{n}" / "report.pdf") for n in range(4)]
    renderer.finish()
    assert sorted(renderer.rendered) == sorted(paths)
    for path in paths:
        assert path.read_bytes().startswith(b"%PDF") and hash_path(path).is_file()
    again = PdfRenderer(workers=2)
    for n, path in enumerate(paths):
        again.add(_page(f"Contract {n}", LATER), path)
    again.finish()
    assert again.rendered == [] and sorted(again.unchanged) == sorted(paths)


def test_a_second_report_run_with_nothing_new_renders_no_pdf(
    sample_run: Run, need_pdf: None, renders: list[Path], tmp_path: Path
) -> None:
    settings, result = sample_run
    assert result.reports.pdf
    written = write_contract_reports(replace(settings, report_workers=1))
    assert written.pdf and renders == [], "nothing changed since the sample run: no PDF rendered"
    # The same reports in English: every PDF again (the language is in the content).
    english = write_contract_reports(replace(settings, report_workers=1), language_code="en")
    assert sorted(renders) == sorted([*english.pdf, *(p for p in english.statements if p.suffix == ".pdf")])


def test_a_workbook_is_written_again_only_when_its_content_changed(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    past = 1_700_000_000 * 10**9

    def written_again(title: str, amount: str) -> bool:
        if path.exists():
            os.utime(path, ns=(past, past))
        write_workbook(path, [Sheet(title, ["id", "amount", "day"], [["KK-1", Decimal(amount), date(2026, 1, 31)]])])
        return path.stat().st_mtime_ns != past

    assert written_again("Rows", "12.50") and hash_path(path).is_file()
    assert not written_again("Rows", "12.50"), "same content: not written again"
    assert written_again("Rows", "12.51"), "a changed value: written again"
    assert written_again("Rækker", "12.51"), "a changed title (another language): written again"
    path.unlink()
    assert written_again("Rækker", "12.51"), "the workbook gone: written again"


def _render_two_in_a_pool(folder: str) -> None:
    renderer = PdfRenderer(workers=2)
    for name in ("a", "b"):
        renderer.add(_page(name, FIRST), Path(folder) / f"{name}.pdf")
    renderer.finish()


@pytest.mark.slow
def test_a_daemonic_process_renders_its_pdfs_itself(tmp_path: Path) -> None:
    """A task in a Celery worker's pool is a daemonic process, which may not start children: the pool of
    PDF workers must not be tried there (the production shape's checks failed on it), the PDFs are made."""
    need_tool(pdf_module.pdf_available())
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(target=_render_two_in_a_pool, args=(str(tmp_path),), daemon=True)
    process.start()
    process.join(120)
    assert process.exitcode == 0
    assert (tmp_path / "a.pdf").is_file() and (tmp_path / "b.pdf").is_file()
