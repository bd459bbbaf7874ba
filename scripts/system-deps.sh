#!/bin/sh
# Install the Debian libraries briefgen's rendering and tests need, or say exactly what to run.
# libharfbuzz-subset0: WeasyPrint subsets fonts with HarfBuzz (fontTools fallback is ~0.5 s/doc slower).
# poppler-utils: pdftoppm, used to look at rendered pages.
set -u
PKGS="libharfbuzz-subset0 poppler-utils"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
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
