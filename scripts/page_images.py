"""Page images for docs/images/ and for looking at a whole build: `python scripts/page_images.py BUILD [--sheets DIR]`.

From a `briefgen build --audience all` output folder BUILD it writes the images docs/README.md lists (pdftoppm at
60 dpi, side by side with Pillow), and with --sheets a contact sheet of every page of every kind for every audience
(a brief, a one-pager and the book), to look at before a design change is called done.
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "images"
AUDIENCES = ("congress", "executive", "allies", "public")
DPI = 60
GAP = 12
#: The briefs and one-pagers whose every page docs/images/ shows per audience (a thin topic's may not be built: the
#: editorial gate of content/gate.py gives IPEF no brief and no one-pager, and docs/README.md says so).
SHEET_BRIEFS = ("nato", "aukus", "ipef")
SHEET_ONEPAGERS = ("free-riding", "ipef")


def pages(pdf: Path, first: int | None = None, last: int | None = None, dpi: int = DPI) -> list[Image.Image]:
    """The pages FIRST..LAST (1-based, inclusive; negative counts from the end) of PDF as images."""
    count = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    first = count + 1 + first if first is not None and first < 0 else (first or 1)
    last = count + 1 + last if last is not None and last < 0 else (last or count)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf),
                        f"{tmp}/p"], check=True)
        return [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p*.png"))]


def side_by_side(images: list[Image.Image], cols: int | None = None, labels: list[str] | None = None) -> Image.Image:
    """IMAGES in a grid of COLS columns on a light grey ground, each with an optional label under it."""
    cols = cols or len(images)
    rows = -(-len(images) // cols)
    w = max(i.width for i in images)
    h = max(i.height for i in images) + (14 if labels else 0)
    sheet = Image.new("RGB", (cols * w + (cols + 1) * GAP, rows * h + (rows + 1) * GAP), "#d9d9d9")
    draw = ImageDraw.Draw(sheet)
    for n, img in enumerate(images):
        x, y = GAP + (n % cols) * (w + GAP), GAP + (n // cols) * (h + GAP)
        sheet.paste(img, (x, y))
        if labels:
            draw.text((x, y + img.height + 2), labels[n], fill="#333333")
    return sheet


def docs_images(build: Path) -> list[Path]:
    """The images docs/README.md describes, from BUILD."""
    written: list[Path] = []

    def save(img: Image.Image, name: str) -> None:
        path = DOCS / name
        img.save(path, optimize=True)
        written.append(path)

    congress = build / "congress"
    for n, img in enumerate(pages(congress / "briefs" / "nato.pdf", 1, 2), 1):
        save(img, f"brief-nato-congress-{n}.png")
    save(side_by_side(pages(congress / "briefs" / "nato.pdf")), "brief-nato-congress-all.png")
    save(pages(congress / "onepagers" / "free-riding.pdf")[0], "onepager-free-riding-congress-1.png")
    save(side_by_side([pages(build / a / "briefs" / "nato.pdf", 1, 1)[0] for a in AUDIENCES], labels=list(AUDIENCES)),
         "nato-four-audiences.png")
    save(side_by_side([pages(build / a / "onepagers" / "free-riding.pdf")[0] for a in AUDIENCES],
                      labels=list(AUDIENCES)), "onepager-four-audiences.png")
    for a in AUDIENCES:  # every page of the NATO, AUKUS and IPEF briefs, for each audience built
        for block in SHEET_BRIEFS:
            if (build / a / "briefs" / f"{block}.pdf").exists():
                save(side_by_side(pages(build / a / "briefs" / f"{block}.pdf")), f"brief-{block}-{a}-all.png")
    for block in SHEET_ONEPAGERS:  # the one-pagers for the four audiences side by side (those the gate plans)
        built = [a for a in AUDIENCES if (build / a / "onepagers" / f"{block}.pdf").exists()]
        if built:
            save(side_by_side([pages(build / a / "onepagers" / f"{block}.pdf")[0] for a in built], labels=built),
                 f"onepager-{block}-four-audiences.png")
    book = pages(congress / "book.pdf")
    for n in (1, 2):
        save(book[n - 1], f"book-p{n}.png")
    save(side_by_side(book[:12], cols=6), "book-first-12.png")
    save(side_by_side(book[-6:], cols=6), "book-last-6.png")
    return written


def contact_sheets(build: Path, out: Path) -> list[Path]:
    """Every page of the NATO and free-riding briefs and one-pagers, and of the book, per audience."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for a in AUDIENCES:
        for rel in ("briefs/nato.pdf", "briefs/free-riding.pdf", "onepagers/nato.pdf", "onepagers/free-riding.pdf"):
            imgs = pages(build / a / rel)
            path = out / f"{a}-{rel.replace('/', '-').removesuffix('.pdf')}.png"
            side_by_side(imgs).save(path)
            written.append(path)
        imgs = pages(build / a / "book.pdf", dpi=30)
        for start in range(0, len(imgs), 40):
            path = out / f"{a}-book-{start + 1:03d}.png"
            chunk = imgs[start:start + 40]
            side_by_side(chunk, cols=10, labels=[str(start + 1 + i) for i in range(len(chunk))]).save(path)
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="a `briefgen build --audience all` output folder")
    parser.add_argument("--sheets", type=Path, help="also write contact sheets of every page type here")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/images/ alone")
    args = parser.parse_args()
    written = [] if args.no_docs else docs_images(args.build)
    if args.sheets:
        written += contact_sheets(args.build, args.sheets)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
