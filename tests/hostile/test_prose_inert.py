"""Item 4: raw HTML and script links in prose render as inert text; the PDF holds nothing from /etc/passwd."""
from __future__ import annotations

from pathlib import Path

import pytest
from hostile_cases import PROSE_CASES, assert_outcome
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

SHOWN = {
    "prose-script": "<script>alert(1)</script>",
    "prose-img-onerror": "<img src=x onerror=",
    "prose-link-attachment": "<link rel=attachment href=file:///etc/passwd>",
    "prose-javascript-link": "[x](javascript:alert(1))",
}


def _passwd_line() -> bytes:
    """A line of this machine's /etc/passwd, to look for in the PDF."""
    return Path("/etc/passwd").read_bytes().splitlines()[0]


def _all_stream_bytes(reader: PdfReader) -> bytes:
    """Every object of the PDF, streams decompressed, as one byte string."""
    out = []
    for num in range(1, len(reader.xref_objStm) + 10_000):
        try:
            obj = reader.get_object(IndirectObject(num, 0, reader))
        except Exception:  # noqa: BLE001 - past the last object
            break
        if obj is None:
            break
        out.append(obj.get_data() if isinstance(obj, StreamObject) else repr(obj).encode())
    return b"\n".join(out)


def _uris(reader: PdfReader) -> list[str]:
    """Every URI a link annotation of the PDF points at."""
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


@pytest.mark.parametrize("case", PROSE_CASES, ids=lambda c: c.id)
def test_hostile_prose_is_inert_text(case, outcome, server) -> None:
    """The brief renders; the markup shows as text; no script link, attachment or /etc/passwd line is in the PDF."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    pdf = o.project / "build" / "congress" / "briefs" / "nato.pdf"
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", " ").replace("\u2010", "")
    assert SHOWN[case.id] in text
    assert not reader.attachments
    raw = _all_stream_bytes(reader)
    assert b"/EmbeddedFile" not in raw and b"/FileAttachment" not in raw
    assert _passwd_line() not in raw and _passwd_line().decode() not in text
    assert not any(u.lower().startswith(("javascript:", "file:")) for u in _uris(reader))
    assert not server.RequestHandlerClass.hits
