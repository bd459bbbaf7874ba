"""`briefgen ingest`: outlines of real and new seeds, drafts that never overwrite, registry entries, clear errors."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import yaml

from briefgen.seeds.registry import load_library

NEW_MARKDOWN = """\
# AUKUS after Three Years

AUKUS links Australia, the United Kingdom, and the United States in a **trilateral** pact.

## Problems

### Export controls

ITAR rules slow the sharing of submarine technology. Waivers help, but only in part.

- __Licensing.__ Each transfer still needs its own paperwork.
- Workforce shortages delay the first boats.

### Industrial capacity

Shipyards in all three countries are at capacity.
"""

FRONT_MATTER = """\
---
title: Quad notes
author: Jane Analyst
date: 2024-05-02
publisher: Example Institute
---

The Quad has no secretariat.

## Obstacle 1: No Standing Staff

Without a standing staff, summit pledges fade between meetings.
"""

NEW_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <title>The Quad at Twenty | Example Institute</title>
  <meta name="author" content="Jane Analyst">
  <meta property="og:site_name" content="Example Institute">
  <style>h1 { color: red; }</style>
  <script>var note = "Obstacle 7: scripts must be ignored";</script>
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li>Research &amp; Analysis</li></ul></nav>
<article>
  <h1>The Quad at Twenty</h1>
  <p>The <em>Quad</em> brings together Australia, India, Japan, and the United States.</p>
  <h2>Challenges</h2>
  <h3>Obstacle 1: Uneven Threat Perceptions</h3>
  <p>India does not share the others&rsquo; view of China as an
     adversary. That gap limits joint planning.</p>
  <ul>
    <li><strong>Maritime awareness.</strong> Sharing data on dark shipping is the first test.</li>
    <li>Exercises such as Malabar build habits of cooperation.</li>
  </ul>
  <figure><img src="https://example.org/quad.png" alt="Quad leaders"><figcaption>Leaders in 2023.</figcaption></figure>
</article>
<footer><p>Copyright Example Institute</p></footer>
</body>
</html>
"""


def test_ingest_outlines_every_real_seed(root: Path, run) -> None:
    """All five seeds print an outline with anchors, line spans, repairs, duplicates and notes; exit 0."""
    seeds = sorted(str(p.relative_to(root)) for p in (root / "seeds").iterdir() if p.suffix in (".md", ".txt"))
    result = run(root, "ingest", *seeds)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count(": seed ") == 5 and "not registered" not in out
    assert "L409-L418" in out and "#interest-misalignment [subsection] Obstacle 1: Interest Misalignment" in out
    assert "encoding repairs (6 certain, 9 uncertain" in out
    assert "wisc-traditional:9:28: repaired: '\u03b2' -> '\u2019'" in out
    assert "wisc-stead:58: duplicate of line 57" in out
    assert "icon labels" in out and "'See also' section is empty" in out
    assert "https://i.imgur.com/ygrEuBz.png" in out


def test_new_markdown_and_html_seeds_give_outlines_drafts_and_entries(scratch: Path, run) -> None:
    """New .md (with and without front matter) and .html seeds outline, register, draft, and curate cleanly."""
    seeds = scratch / "seeds"
    (seeds / "aukus-note.md").write_text(NEW_MARKDOWN, encoding="utf-8")
    (seeds / "quad-notes.md").write_text(FRONT_MATTER, encoding="utf-8")
    (seeds / "quad-page.html").write_text(NEW_HTML, encoding="utf-8")
    result = run(scratch, "ingest", "--draft", "--register", "-v",
                 "seeds/aukus-note.md", "seeds/quad-notes.md", "seeds/quad-page.html")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "#export-controls [section] Export controls" in out and "#licensing [item] Licensing" in out
    assert "#obstacle-1-uneven-threat-perceptions [section]" in out and "#maritime-awareness [item]" in out
    assert "scripts must be ignored" not in out and "Home" not in out and "Copyright" not in out
    assert "https://example.org/quad.png" in out
    library = load_library(scratch)
    page = library.get("quad-page")
    assert page.info.format == "html" and page.info.publisher == "Example Institute"
    assert page.info.sha256 == hashlib.sha256((seeds / "quad-page.html").read_bytes()).hexdigest()
    notes = library.get("quad-notes")
    assert notes.info.format == "jekyll-markdown" and notes.info.authors == ["Jane Analyst"]
    assert notes.info.date == "2024-05-02" and library.get("aukus-note").info.format == "markdown"
    assert page.passage("obstacle-1-uneven-threat-perceptions").text.startswith("Obstacle 1: Uneven")
    drafts = scratch / "content" / "drafts"
    written = {p.relative_to(drafts).as_posix() for p in drafts.rglob("*.yaml")}
    assert {"obstacles/industrial-capacity.yaml", "obstacles/no-standing-staff.yaml",
            "obstacles/uneven-threat-perceptions.yaml",
            "additions/arms-legal-and-regulatory-barriers-from-aukus-note.yaml"} <= written
    assert "names obstacle 'arms-legal-and-regulatory-barriers' ('export controls';" in out
    draft = yaml.safe_load((drafts / "obstacles" / "uneven-threat-perceptions.yaml").read_text(encoding="utf-8"))
    assert draft["sources"] == ["quad-page#obstacle-1-uneven-threat-perceptions"] and draft["draft"] is True
    assert draft["summary"].startswith("India does not share the others")
    assert draft["how_it_shows_up"][0] == {"text": "Sharing data on dark shipping is the first test.",
                                           "cite": "quad-page#maritime-awareness"}
    addition = yaml.safe_load((drafts / "additions" / "arms-legal-and-regulatory-barriers-from-aukus-note.yaml")
                              .read_text(encoding="utf-8"))
    assert addition["addition_to"] == "arms-legal-and-regulatory-barriers"
    assert {"text": "Each transfer still needs its own paperwork.", "cite": "aukus-note#licensing"} \
        in addition["how_it_shows_up"]
    assert run(scratch, "check").exit_code == 0  # drafts verify where they lie, outside the catalogue
    moved = []
    for path in (drafts / "obstacles").glob("*.yaml"):  # moved into content/ as written: refused
        moved.append(scratch / "content" / "obstacles" / path.name)
        shutil.move(path, moved[-1])
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "content/obstacles/no-standing-staff.yaml:5:1: error: uncurated draft: a `draft: true` flag is left in" \
        in result.output
    for path in moved:  # curated: flag and TODO comments gone, and every draft validates and its quotes verify
        text = path.read_text(encoding="utf-8")
        keep = [ln.split("  # TODO")[0] for ln in text.splitlines() if not ln.startswith(("draft:", "# TODO"))]
        path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    result = run(scratch, "check")
    assert result.exit_code == 0, result.output


def _keep_only_nato_and_free_riding(project: Path) -> None:
    """Cut a scratch project's catalogue down to NATO and free riding, linked only to each other."""
    content = project / "content"
    for path in content.rglob("*.yaml"):
        if path.stem not in ("nato", "free-riding"):
            path.unlink()
    for path, links in ((content / "alliances" / "nato.yaml", {"related_obstacles": ["free-riding"]}),
                        (content / "obstacles" / "free-riding.yaml", {"affected_alliances": ["nato"]})):
        block = yaml.safe_load(path.read_text(encoding="utf-8"))
        block.update(links, recommendations=[])
        path.write_text(yaml.safe_dump(block, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_drafts_never_overwrite(scratch: Path, run) -> None:
    """Curated ids and passages are skipped, and an existing draft is kept byte for byte."""
    _keep_only_nato_and_free_riding(scratch)  # the real catalogue curates every draft these seeds would yield
    assert run(scratch, "check").exit_code == 0
    mine = scratch / "content" / "drafts" / "alliances" / "five-eyes.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# my edits\n", encoding="utf-8")
    result = run(scratch, "ingest", "--draft", "seeds/wisc-modernizing-traditional-alliances.txt",
                 "seeds/csis-2025-us-allied-cooperation.md")
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8") == "# my edits\n"
    out = result.output
    assert "additions/nato-from-wisc-traditional.yaml" in out
    assert "additions/free-riding-from-csis-2025.yaml" in out
    assert "draft exists (drafts are never overwritten)" not in out  # five-eyes is curated: no new draft of it
    assert not (scratch / "content" / "drafts" / "alliances" / "nato.yaml").exists()
    assert (scratch / "content" / "drafts" / "obstacles" / "interest-misalignment.yaml").is_file()
    taiwan = (scratch / "content" / "drafts" / "alliances" / "strengthening-critical-strategic-partnerships.yaml")
    assert taiwan.is_file() or (scratch / "content" / "drafts" / "alliances" / "taiwan.yaml").is_file()
    again = run(scratch, "ingest", "--draft", "seeds/csis-2025-us-allied-cooperation.md")
    assert "draft exists (drafts are never overwritten)" in again.output
    checked = run(scratch, "check")
    assert checked.exit_code == 0, checked.output  # the drafts verify where they lie


def test_unregistered_seed_prints_its_registry_entry(scratch: Path, run) -> None:
    """Without --register the entry to add (with sha256) is printed and sources.yaml is left alone."""
    before = (scratch / "seeds" / "sources.yaml").read_bytes()
    path = scratch / "seeds" / "aukus-note.md"
    path.write_text(NEW_MARKDOWN, encoding="utf-8")
    result = run(scratch, "ingest", "seeds/aukus-note.md")
    assert result.exit_code == 0, result.output
    entry = result.output.split("(or run again with --register):\n", 1)[1]
    parsed = yaml.safe_load(entry.split("\n\n")[0])[0]
    assert parsed["id"] == "aukus-note" and parsed["format"] == "markdown"
    assert parsed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (scratch / "seeds" / "sources.yaml").read_bytes() == before


def test_unsupported_and_undecodable_files_name_the_file(scratch: Path, run) -> None:
    """A broken .pdf and .docx, a .rtf and a Latin-1 .txt each give an error naming the file; exit 1."""
    (scratch / "seeds" / "report.pdf").write_bytes(b"%PDF-1.7\n")
    (scratch / "seeds" / "report.rtf").write_bytes(b"{\\rtf1 hello}")
    (scratch / "seeds" / "memo.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (scratch / "seeds" / "latin.txt").write_bytes("Title\n\nCaf\xe9 diplomacy\n".encode("latin-1"))
    result = run(scratch, "ingest", "seeds/report.pdf", "seeds/report.rtf", "seeds/memo.docx", "seeds/latin.txt")
    assert result.exit_code == 1
    assert "seeds/report.pdf: error: not a readable PDF" in result.output
    assert "seeds/report.rtf: error: unsupported seed format '.rtf'" in result.output
    assert "seeds/memo.docx: error: not a readable Word document (BadZipFile" in result.output
    assert "seeds/latin.txt:3:4: error: not valid UTF-8: byte 0xe9" in result.output
    missing = run(scratch, "ingest", "seeds/missing.md")
    assert missing.exit_code == 1 and "seeds/missing.md: error: no such seed file" in missing.output


WORKING_NOTE = """\
# Working Note: Deterrence in the Baltic

*By Anna Kowalska, Baltic Desk | 12 March 2024*

## Summary

NATO's eastern flank depends on forces that can arrive within days. Poland now spends 4.1 percent of GDP on
defense, the highest share in the alliance.

## Findings

1. Rotational brigades have become near-permanent.
2. Stockpiles of artillery shells cover 30 days of high-intensity fighting.

> "We cannot defend what we cannot reach in time," a senior planner told the authors.

| Country | Spending (% of GDP) |
|---|---|
| Poland | 4.1 |
| "Lithuania" | 2.5 |

## Obstacles

Host nations disagree on who pays for infrastructure. Several members argue that "burden sharing must include
roads and rails," and want common funding.

## Recommendations

- Fund military mobility through the common budget.
- Pre-position equipment for 2 brigades.
"""

CRS_EXCERPT = """\
U.S.-Philippines Alliance: Issues for Congress
Updated May 21, 2024 (R47599)
The United States and the Philippines are treaty allies under the 1951 Mutual Defense Treaty. The alliance has expanded since 2014, when the two countries signed the Enhanced Defense Cooperation Agreement (EDCA).
Enhanced Defense Cooperation Agreement
EDCA gives U.S. forces access to 9 Philippine bases. Manila approved 4 new sites in 2023.
"""


def test_working_note_and_report_excerpt_give_drafts_worth_curating(small: Path, run) -> None:
    """Byline and date lines never become a summary; lists, quote, table and recommendations are used; short ids."""
    (small / "seeds" / "working-note.md").write_text(WORKING_NOTE, encoding="utf-8")
    (small / "seeds" / "crs-excerpt.txt").write_text(CRS_EXCERPT, encoding="utf-8")
    result = run(small, "ingest", "--register", "--draft", "-v", "seeds/working-note.md", "seeds/crs-excerpt.txt")
    assert result.exit_code == 0, result.output
    assert "#table-1-row-3 [row] table 1, row 3: \"Lithuania\" | 2.5" in result.output
    library = load_library(small)
    note, crs = library.get("working-note"), library.get("crs-excerpt")
    assert (note.info.authors, note.info.date) == (["Anna Kowalska"], "2024-03-12")
    assert (crs.info.title, crs.info.date) == ("U.S.-Philippines Alliance: Issues for Congress", "2024-05-21")
    drafts = small / "content" / "drafts"
    nato = yaml.safe_load((drafts / "additions" / "nato-from-working-note.yaml").read_text(encoding="utf-8"))
    points = [p["text"] for p in nato["why_it_matters"]]
    assert points[0].startswith("NATO's eastern flank depends on forces") and "By Anna" not in " ".join(points)
    assert "Rotational brigades have become near-permanent." in points
    assert [a["text"] for a in nato["key_actions"]] == ["Fund military mobility through the common budget.",
                                                         "Pre-position equipment for 2 brigades."]
    assert nato["quotes"] == [{"text": "We cannot defend what we cannot reach in time", "cite": "working-note#L15"}]
    obstacle = yaml.safe_load((drafts / "obstacles" / "deterrence-baltic-obstacles.yaml").read_text(encoding="utf-8"))
    assert obstacle["summary"].startswith("Host nations disagree on who pays")
    assert obstacle["quotes"][0]["text"] == "burden sharing must include roads and rails"
    alliance = yaml.safe_load((drafts / "alliances" / "us-philippines-alliance.yaml").read_text(encoding="utf-8"))
    assert alliance["name"] == "U.S.-Philippines Alliance" and alliance["kind"] == "treaty alliance"
    assert alliance["summary"].startswith("The United States and the Philippines are treaty allies")
    assert "drawn into the proposed addition to 'nato'" in result.output
    # A quote inside a table cell verifies through the normal provenance check, cited by row.
    block = yaml.safe_load((small / "content" / "alliances" / "nato.yaml").read_text(encoding="utf-8"))
    block["quotes"] = [{"text": "Lithuania", "cite": "working-note#table-1-row-3"}]
    (small / "content" / "alliances" / "nato.yaml").write_text(yaml.safe_dump(block, sort_keys=False), encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
