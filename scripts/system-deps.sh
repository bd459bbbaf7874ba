#!/bin/sh
# Install the Debian libraries briefgen's rendering and tests need, or say exactly what to run.
# usage: sh scripts/system-deps.sh [--test]
# libharfbuzz-subset0: WeasyPrint subsets fonts with HarfBuzz (fontTools fallback is ~0.5 s/doc slower).
# poppler-utils: pdftoppm and pdfinfo, used to look at rendered pages (and by `briefgen serve` for page images).
# --test adds TEST_PKGS, which only the tests use. They are required in CI (CI set) and installed when root;
# on a developer machine without root a missing one is reported and the tests that need it skip.
# chromium: Debian's browser, driven headless by tests/test_serve_browser.py (the live preview) and
# tests/render/test_site_browser.py (the web edition, with axe-core from npm); `briefgen check --web` and
# tests/render/test_audit_web.py (the web edition's audit at 390 and 1280 px).
# openjdk-17-jre-headless, nodejs (its npm): the Nu Html Checker (npm vnu-jar, installed by `make test`),
# which validates the `--format html` output in tests/test_html_output.py and the web edition's pages.
# libreoffice-writer-nogui: headless LibreOffice, which opens and converts the `--format docx` output in
# tests/render/test_docx.py (a real word processor reads what briefgen writes).
set -u
PKGS="libharfbuzz-subset0 poppler-utils"
TEST_PKGS="chromium openjdk-17-jre-headless nodejs libreoffice-writer-nogui"
optional=""
if [ "${1:-}" = "--test" ]; then
  if [ -n "${CI:-}" ] || [ "$(id -u)" = 0 ]; then PKGS="$PKGS $TEST_PKGS"; else optional="$TEST_PKGS"; fi
fi
# A package may be registered under its architecture-qualified name only (openjdk-17-jre-headless:amd64).
installed() {
  for name in "$1" "$1:$(dpkg --print-architecture 2>/dev/null)"; do
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" && return 0
  done
  return 1
}
for p in $optional; do
  installed "$p" || echo "system-deps: $p is not installed; the tests that need it will skip (run: sudo apt-get install -y $p)" >&2
done
missing=""
for p in $PKGS; do
  installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing$missing"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && exit 0
  echo "system-deps: apt-get failed; run: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "system-deps: missing Debian packages:$missing" >&2
echo "system-deps: run: sudo apt-get install -y$missing   (then re-run make)" >&2
exit 1
