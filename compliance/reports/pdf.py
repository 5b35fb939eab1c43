"""PDF from the same HTML the browser shows, through WeasyPrint (Pango underneath).

Reports never load anything from outside: the URL fetcher refuses every request, so nothing in a
supplier's text could make the renderer read a local file or the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from compliance.base.errors import ReportError

PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 (Debian; scripts/install-debian-tools.sh installs them)"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ReportError(f"report rendering does not load {url!r}", expected="a self-contained page")


def pdf_available() -> str | None:
    """``None`` when PDFs can be written; otherwise why not, in words a person can act on."""
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
