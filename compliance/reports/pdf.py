"""PDF from the same HTML the browser shows, through WeasyPrint (Pango underneath).

Reports never load anything from outside: the URL fetcher refuses every request, so nothing in a
supplier's text could make the renderer read a local file or the network.

PDFs are the slow part of a report run (0.2–0.8 s each). A :class:`PdfRenderer` collects a run's
PDFs and renders them at the end, in a pool of processes when there are several (one run's
contracts side by side), and renders none whose content has not changed: the SHA-256 of the exact
HTML a PDF is made from (without the "generated" line), with the renderer's version, is kept
beside it in ``.<name>.pdf.sha256``. Any change to the data, the language or a template changes
that HTML, so such a PDF is always rendered again.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import hashlib
import importlib.metadata
import importlib.util
import multiprocessing
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from compliance.base.errors import ReportError

PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 (Debian; scripts/install-debian-tools.sh installs them)"
# Part of every content hash: a change to how PDFs are made (this module, the renderer) renders them all again.
RENDERING_VERSION = "1"
# The line base.html.j2 prints the time a page was generated in.
GENERATED_LINE = re.compile(r"<p class=\"muted\" data-generated>[^<]*</p>")


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ReportError(f"report rendering does not load {url!r}", expected="a self-contained page")


def pdf_available() -> str | None:
    """``None`` when PDFs can be written; otherwise why not, in words a person can act on.

    Without importing WeasyPrint when it can be helped (1–3 s, and a report run whose PDFs are all
    unchanged renders none): on Linux, WeasyPrint installed and Pango's libraries loadable is the
    same answer; elsewhere, or if that look fails, WeasyPrint is imported to find out."""
    if "weasyprint" in sys.modules:
        return None
    if importlib.util.find_spec("weasyprint") is None:
        return "WeasyPrint is not installed"
    if sys.platform.startswith("linux"):
        try:
            for library in ("libpango-1.0.so.0", "libpangoft2-1.0.so.0"):
                ctypes.CDLL(library)
            return None
        except OSError:
            pass  # not under the usual names: importing WeasyPrint says whether and why not
    try:
        import weasyprint  # noqa: F401  (loads Pango through cffi)
    except OSError as exc:
        return f"WeasyPrint cannot load Pango ({exc}); install {PANGO_PACKAGES}"
    return None


def write_pdf(html: str, path: Path) -> Path:
    """Render ``html`` (print styles apply) to ``path``."""
    problem = pdf_available()
    if problem:
        raise ReportError(f"cannot write {path.name}: {problem}", file=str(path))
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(path)
    return path


def content_sha256(html: str) -> str:
    """The hash that decides whether a PDF must be rendered again: the HTML it is made from without the
    line saying when the page was generated (``data-generated`` in ``base.html.j2``: it changes on every
    run and nothing else does), and the renderer's version. Only that element is left out, never a
    time elsewhere in the page that happens to read the same."""
    stable = GENERATED_LINE.sub("", html)
    digest = hashlib.sha256(f"{RENDERING_VERSION}\0{_weasyprint_version()}\0".encode())
    digest.update(stable.encode("utf-8"))
    return digest.hexdigest()


@functools.cache
def _weasyprint_version() -> str:
    """WeasyPrint's version, from its installed metadata (without importing it)."""
    return importlib.metadata.version("weasyprint")


def hash_path(path: Path) -> Path:
    """Where the content hash of ``path`` is kept: a hidden file beside it."""
    return path.with_name(f".{path.name}.sha256")


def _render(html: str, path: Path, digest: str) -> Path:
    """Render one PDF, then record its content hash (after the PDF, so a crash between leaves it to be rendered again)."""
    write_pdf(html, path)
    hash_path(path).write_text(digest + "\n", encoding="ascii")
    return path


@dataclass
class PdfRenderer:
    """The PDFs of one report run: added as the pages are written, rendered by :meth:`finish`.

    ``workers``: processes that render side by side (1: in this process). ``rendered`` and
    ``unchanged`` list the PDFs made and the ones left as they were (same content hash).
    """

    workers: int = 1
    rendered: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    _jobs: list[tuple[str, Path, str]] = field(default_factory=list)

    def add(self, html: str, path: Path) -> Path:
        """Render ``html`` to ``path`` unless the PDF there was made from the same content; returns ``path``
        (the file exists once :meth:`finish` has run)."""
        digest = content_sha256(html)
        stored = hash_path(path)
        if path.is_file() and stored.is_file() and stored.read_text(encoding="ascii").strip() == digest:
            self.unchanged.append(path)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        stored.unlink(missing_ok=True)  # a PDF rendered in vain is never taken for the new content
        self._jobs.append((html, path, digest))
        return path

    def finish(self) -> None:
        """Render every PDF added since the last call, in a pool when ``workers`` > 1 and there are several."""
        jobs, self._jobs = self._jobs, []
        if not jobs:
            return
        workers = min(self.workers, len(jobs))
        # A daemonic process may not start children (a task in a Celery worker's pool is one): render here.
        if workers <= 1 or multiprocessing.current_process().daemon:
            self.rendered += [_render(*job) for job in jobs]
            return
        # Fork where there is fork: the children start with WeasyPrint already loaded (pdf_available imported it).
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        import weasyprint  # noqa: F401  (once, here: every forked worker starts with it loaded)

        gc.freeze()  # the parent's heap out of the collector's reach: forked workers do not copy it page by page
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                # The largest pages first, so that no worker is left with a long one at the end.
                ordered = sorted(jobs, key=lambda job: len(job[0]), reverse=True)
                futures = [pool.submit(_render, *job) for job in ordered]
                self.rendered += [future.result() for future in futures]
        finally:
            gc.unfreeze()
