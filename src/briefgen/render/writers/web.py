"""The web writer: a brief's page of the static site (`briefgen site`), with relative links into the site around it."""
from __future__ import annotations

from typing import ClassVar

from briefgen.config.kinds import SITE_PAGE_KIND, Target
from briefgen.project import Project
from briefgen.render.output import Output, RenderOptions
from briefgen.render.site.paths import SiteInfo
from briefgen.render.writers.base import Writer


class WebWriter(Writer):
    """A brief as a page of the audience's web site: responsive, accessible, footnoted, with its PDFs to download."""

    name = "web"
    label = "web page"
    media_type = "text/html; charset=utf-8"
    kinds: ClassVar[tuple[str, ...]] = (SITE_PAGE_KIND,)
    on_command_line: ClassVar[bool] = False

    def write(self, project: Project, target: Target, options: RenderOptions) -> Output:
        from briefgen.render.site.brief import render_brief_page  # on first use (see pdf.py)

        page = render_brief_page(project, target.block_id, options.site or SiteInfo(target.audience))
        return Output(target, self.name, page.html.encode("utf-8"), deps=page.deps, edition=page.edition)
