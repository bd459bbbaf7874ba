#!/usr/bin/env python3
"""Check every PDF under a build folder (redlines included) against PDF/UA-1 with page-validation, in parallel.

usage: .venv/bin/python scripts/validate-pdfs.py DIR [DIR ...] [-j N] [--json FILE]

Prints one row per PDF (pages, pass or FAIL, failures, the first failed rule) and a total; exits 0 when every PDF
conforms, 1 when one does not (or cannot be read), 2 on a usage error. page-validation comes with the test extra
(pip install -e '.[test]'). Links and special files under DIR are not followed.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def pdfs_under(folder: Path) -> list[Path]:
    """Every regular *.pdf file under FOLDER, reached through no link, sorted."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(top, d)))
        for name in sorted(files):
            path = Path(top) / name
            if name.lower().endswith(".pdf") and stat.S_ISREG(path.lstat().st_mode):
                found.append(path)
    return found


def validate(path: str) -> dict:
    """PDF/UA-1 of one file: conforms or not, its failures (rule and message), the pages."""
    import page as page_validation
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
        report = page_validation.validate_pdf(path, profile="ua1")
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a failure of its row, not of the sweep
        return {"file": path, "pages": 0, "ok": False,
                "failures": [{"rule": "unreadable", "message": str(exc).splitlines()[0] if str(exc) else repr(exc)}]}
    failures = [{"rule": str(f.rule_id), "message": str(f.message)} for f in report.failures]
    return {"file": path, "pages": pages, "ok": bool(report.is_compliant), "failures": failures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="build folder(s) to sweep")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: "
                        "all cores)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON to FILE")
    args = parser.parse_args(argv)
    try:
        import page  # noqa: F401
    except ImportError:
        print("validate-pdfs: page-validation is not installed; run: pip install -e '.[test]'", file=sys.stderr)
        return 2
    files: list[Path] = []
    for folder in args.folders:
        if not folder.is_dir() or folder.is_symlink():
            print(f"validate-pdfs: {folder} is not a folder; build one first: briefgen build --out {folder}",
                  file=sys.stderr)
            return 2
        files += pdfs_under(folder)
    if not files:
        print("validate-pdfs: no PDF found under " + ", ".join(map(str, args.folders)), file=sys.stderr)
        return 2
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(validate, [str(f) for f in files], chunksize=4))
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  pages  result  failures  first failed rule")
    for r in rows:
        first = r["failures"][0] if r["failures"] else None
        print(f"{r['file']:<{width}}  {r['pages']:>5}  {'pass' if r['ok'] else 'FAIL':<6}  {len(r['failures']):>8}  "
              + (f"{first['rule']}: {first['message'][:80]}" if first else ""))
    failed = [r for r in rows if not r["ok"]]
    print(f"total: {len(rows)} PDF(s), {sum(r['pages'] for r in rows)} page(s): {len(rows) - len(failed)} pass "
          f"PDF/UA-1, {len(failed)} fail")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
