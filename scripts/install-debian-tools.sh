#!/usr/bin/env bash
# Install the Debian packages the reports and the tests need, when they are missing:
#   --pdf   only what PDFs need: Pango (WeasyPrint draws text with it) and DejaVu fonts;
#   (none)  also what the tests use: poppler-utils (pdftotext, pdftoppm: PDFs are read back),
#           Chromium (the overview page is opened in a real browser), docker-compose
#           (`docker-compose config` validates docker-compose.yml; no Docker engine is needed) and
#           redis-server (the Celery broker of the production-shape test; started on loopback by it).
# Installing needs root; without it the script says what is missing and exits 0, and PDFs are
# then skipped with the same advice (HTML and XLSX reports are written anyway).
set -euo pipefail
missing=()
ldconfig -p | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "${1:-}" != "--pdf" ]; then
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v redis-server >/dev/null || missing+=(redis-server)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Debian tools missing (install as root): apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "installing from Debian: ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
