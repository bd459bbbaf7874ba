"""What every page of the site shares: its links, head metadata, security policy, header and footer."""
from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from briefgen.project import Project
from briefgen.render.setup import render_setup
from briefgen.render.site import paths
from briefgen.render.site.paths import SiteInfo, href
from briefgen.render.templates import render

#: The pages' Content-Security-Policy: only the site's own stylesheet, fonts, images and scripts; no connections,
#: frames, plugins or form posts elsewhere. ('self' matches the site's own files when served, and file:// pages.)
CSP = ("default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; script-src 'self'; "
       "connect-src 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


def json_ld(data: dict) -> Markup:
    """DATA as a JSON-LD script body that cannot close its element."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def frame(project: Project, site: SiteInfo, here: str, title: str, description: str) -> dict[str, Any]:
    """The template context every page of SITE has, for the page at site path HERE."""
    setup = render_setup(project, site.audience)
    aud = setup.audience.config
    cfg = project.config
    nav = [(paths.HOME, "Home"), (paths.RECOMMENDATIONS, "Recommendations"), (paths.SOURCES, "Sources"),
           (paths.SEARCH, "Search")]
    return dict(
        project=cfg, audience=aud, audience_name=site.audience, brand=setup.brand, here=here,
        url=lambda there: href(here, there), page_title=title, page_description=description,
        site_title=cfg.title, org=setup.brand.meta.name.full if setup.brand.meta else cfg.author,
        canonical=site.absolute(here), feed_url=href(here, paths.FEED), csp=CSP,
        stylesheet=href(here, paths.STYLESHEET), logo=href(here, paths.LOGO),
        logo_alt=setup.brand.logo_for("light").alt,
        nav=[(href(here, p), label, p == here) for p, label in nav], search_url=href(here, paths.SEARCH),
        script=href(here, paths.SCRIPT), search_index=href(here, paths.SEARCH_INDEX), json_ld=json_ld,
        paths={name: getattr(paths, name) for name in ("HOME", "RECOMMENDATIONS", "SOURCES", "SEARCH", "FEED",
                                                       "FONTS")},
    )


def render_page(project: Project, audience: str, template: str, context: dict[str, Any]) -> str:
    """Render site template TEMPLATE (found through the audience's template search path) with CONTEXT."""
    return render(render_setup(project, audience).env, template, project.root, **context)
