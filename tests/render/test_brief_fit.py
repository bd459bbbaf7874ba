"""A brief's sidebar search: levels that style only what follows the sidebar cannot mend a sidebar finding."""
from __future__ import annotations

from pathlib import Path

from briefgen.project import Project
from briefgen.render.context import render_html
from briefgen.render.fit import BRIEF_LEVELS, FittedBrief, _sidebar_stays, brief_options
from briefgen.render.fitclasses import layout_key
from briefgen.render.setup import render_setup


def _level(*steps: str) -> int:
    return BRIEF_LEVELS.index(steps)


def test_a_level_styling_only_what_follows_a_split_sidebar_is_known_not_clean(small: Path) -> None:
    """With the sidebar moved up and still split, adding one-column notes or carrying the last section over (both
    after the sidebar) cannot mend it, so such levels need no layout to be known not clean; opening the spacing
    (paragraphs before the sidebar too) might, and so might anything once the tried level showed no sidebar finding."""
    project = Project(small)
    rules = render_setup(project).fit_rules()

    def html(level: int) -> str:
        return render_html(project, "nato", "brief", None, brief_options(level), shared_styles=True).html

    up = _level("sidebar_up")
    assert 'class="sidebar' in html(up)
    split = {layout_key(html(up), rules): FittedBrief(None, None, up, codes=frozenset({"split-sidebar"}))}
    runt = {layout_key(html(up), rules): FittedBrief(None, None, up, codes=frozenset({"last-page-runt"}))}
    for steps, stays in ((("sidebar_up", "notes_1col"), True), (("sidebar_up", "carry_last"), True),
                         (("sidebar_up", "open"), False), (("sidebar_up", "notes_1col", "open"), False)):
        level = _level(*steps)
        assert _sidebar_stays(html(level), layout_key(html(level), rules), split, rules, {}) is stays, steps
        assert not _sidebar_stays(html(level), layout_key(html(level), rules), runt, rules, {})
