"""The engine floor F: one warm WeasyPrint process renders each target's final HTML once, nothing shared.

Run by bench/run.py in a fresh process: `python bench/floor.py PROJECT AUDIENCE MANIFEST [line-cache]`. One-pagers are
rendered at the level their last build fitted them (from MANIFEST), the book as one whole HTML document; each
document is `HTML(string=..., base_url=PROJECT).render().write_pdf(pdf_variant="pdf/ua-1")`. Prints JSON.
With `line-cache`, WeasyPrint breaks lines through briefgen's cache (render/linebreaks.py), as briefgen's own
layouts do: the floor of the engine briefgen runs (each document still laid out once, with its own fonts).
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

    if sys.argv[4:] == ["line-cache"]:
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
    base = root.as_uri() + "/"
    weasyprint.HTML(string="<p>warm</p>").render().write_pdf()  # the process is warm: imports and fonts loaded
    out = {}
    for name, html in documents:
        wall, cpu = time.perf_counter(), time.process_time()
        data = weasyprint.HTML(string=html, base_url=base).render().write_pdf(pdf_variant="pdf/ua-1")
        out[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "bytes": len(data)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
