"""The engine floor F: one warm WeasyPrint process renders each target's final HTML once, nothing shared.

Run by bench/run.py in a fresh process: `python bench/floor.py PROJECT AUDIENCE MANIFEST [line-cache] [part=K/N]`.
One-pagers are
rendered at the level their last build fitted them (from MANIFEST), the book as one whole HTML document; each
document is `HTML(string=..., base_url=PROJECT).render().write_pdf(pdf_variant="pdf/ua-1")`. Prints JSON.
With `line-cache`, WeasyPrint breaks lines through briefgen's cache (render/linebreaks.py), as briefgen's own
layouts do: the floor of the engine briefgen runs (each document still laid out once, with its own fonts).
With `part=K/N`, only part K of N (0-based) of the documents, split so that each part has about the same HTML to
lay out (largest first, each to the lightest part): N such processes started together measure what the engine
itself gains from N processes on this machine (its CPUs' cost of running side by side included).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    root, audience, manifest = Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3])
    import weasyprint

    from briefgen.render import linebreaks

    extra = sys.argv[4:]
    part = next((tuple(int(x) for x in a[5:].split("/")) for a in extra if a.startswith("part=")), (0, 1))
    if "line-cache" in extra:
        linebreaks.install(weasyprint)
    else:
        linebreaks._installed.append(False)  # the plain engine: briefgen's modules below must not install it

    from briefgen.project import Project
    from briefgen.render.book.plan import plan_book
    from briefgen.render.context import render_html
    from briefgen.render.fit import options

    fitted = {v["id"]: v.get("fit_level") or 0 for v in json.loads(manifest.read_text())["outputs"].values()
              if v["kind"] == "onepager" and v["audience"] == audience}
    project = Project(root)
    documents: list[tuple[str, str]] = [("book", plan_book(project, audience).whole_html())]
    for block in project.catalogue.documents():
        documents.append((f"brief/{block.id}", render_html(project, block.id, "brief", audience).html))
        documents.append((f"onepager/{block.id}", render_html(project, block.id, "onepager", audience,
                                                              options(fitted.get(block.id, 0))).html))
    documents = _part(documents, *part)
    base = root.as_uri() + "/"
    weasyprint.HTML(string="<p>warm</p>").render().write_pdf()  # the process is warm: imports and fonts loaded
    out = {}
    for name, html in documents:
        wall, cpu = time.perf_counter(), time.process_time()
        data = weasyprint.HTML(string=html, base_url=base).render().write_pdf(pdf_variant="pdf/ua-1")
        out[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "bytes": len(data)}
    print(json.dumps(out))


def _part(documents: list[tuple[str, str]], k: int, n: int) -> list[tuple[str, str]]:
    """Part K of N of DOCUMENTS: the largest HTML first, each to the part with the least HTML so far."""
    if n == 1:
        return documents
    loads, parts = [0] * n, [[] for _ in range(n)]
    for doc in sorted(documents, key=lambda d: (-len(d[1]), d[0])):
        lightest = loads.index(min(loads))
        parts[lightest].append(doc)
        loads[lightest] += len(doc[1])
    return parts[k]


if __name__ == "__main__":
    main()
