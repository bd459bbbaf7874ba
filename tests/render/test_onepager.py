"""The one-pager promise: condense in the declared order until it fits one page, or fail saying by how much."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.config.brand import MIN_TEXT_PT
from briefgen.project import Project
from briefgen.render.context import Variant
from briefgen.render.fit import GROW_LIMITS, GROW_STEPS, LIMITS, STEPS, fit_onepager, options
from briefgen.render.pdf import write_pdf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "onepager"


@pytest.fixture(scope="module")
def long_blocks(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with two over-long obstacles: one that condenses to fit, one that cannot."""
    copy = tmp_path_factory.mktemp("long")
    for part in ("briefgen.yaml", "brand.yml", "audiences", "brand", "content", "seeds", "templates", "fonts"):
        (shutil.copytree if (root / part).is_dir() else shutil.copy2)(root / part, copy / part)
    for path in FIXTURES.glob("*.yaml"):
        shutil.copy2(path, copy / "content" / "obstacles" / path.name)
    return copy


def test_limits_never_go_below_readable_text() -> None:
    """No declared step sets text below 9pt, and every spacing step stays within LIMITS."""
    assert LIMITS.size_pt >= MIN_TEXT_PT == 9.0
    for step in STEPS:
        if step.spacing:
            assert step.spacing.size_pt >= LIMITS.size_pt and step.spacing.leading >= LIMITS.leading
            assert step.spacing.gap_pt >= LIMITS.gap_pt and step.spacing.item_pt >= LIMITS.item_pt
    assert "--op-size: 9pt;" in options(len(STEPS)).fit_css


def test_steps_drop_optional_parts_before_tightening_and_tighten_once_before_cutting_lists() -> None:
    """Steps are cumulative, every part left out goes before the first spacing change, and lists are cut only after
    spacing has tightened once (a point more is worth a little air), before the tightest spacing."""
    kinds = ["spacing" if s.spacing else "cut" if s.max_points else "drop" for s in STEPS]
    assert kinds[-3:] == ["spacing", "cut", "spacing"] and set(kinds[:-3]) == {"drop"}
    assert options(0) == Variant()
    assert options(4).drop == ("other_perspectives", "related", "pull_quote")  # step 1 relaxes a CSS rule


def test_long_block_fits_after_condensing(long_blocks: Path) -> None:
    """A block that overflows as designed is condensed (quote dropped, spacing tightened) to exactly one page."""
    fitted = fit_onepager(Project(long_blocks), "condensable")
    assert fitted.level > 0 and "left out the pull quote" in fitted.applied
    assert "Adversaries may perceive" not in fitted.document.html
    pdf = write_pdf(fitted.layout).data
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_too_long_block_fails_naming_block_and_lines_over(long_blocks: Path, run) -> None:
    """A block that cannot fit even fully condensed fails with its file, line and how many lines are over."""
    result = run(long_blocks, "onepager", "too-long")
    assert result.exit_code == 1
    match = re.search(r"content/obstacles/too-long\.yaml:2: error: one-pager for 'too-long' does not fit one page: "
                      r"(\d+) lines over after condensing \(let the sections flow on across the two columns; "
                      r"left out other perspectives; .*tightened spacing to the "
                      r"limits \(9pt text\)\) \(hint: shorten the bottom line, summary or lists by about \1 lines",
                      result.output)
    assert match and int(match.group(1)) > 10, result.output
    assert not (long_blocks / "build" / "congress" / "onepagers" / "too-long.pdf").exists()


def test_grow_steps_put_parts_back_first_and_open_type_last_within_limits() -> None:
    """The mirror of STEPS: what the design leaves out comes back first (spacing opens before the longest list, the
    priorities, which would otherwise keep it out by overflowing), type opens last, never past GROW_LIMITS."""
    kinds = ["spacing" if s.spacing else "parts" for s in GROW_STEPS]
    assert kinds[:4] == ["parts"] * 4 and kinds[-1] == "spacing" and GROW_STEPS[-1].spacing == GROW_LIMITS
    sizes = [s.spacing.size_pt for s in GROW_STEPS if s.spacing]
    assert sizes == sorted(sizes)
    for step in GROW_STEPS:
        if step.spacing:
            assert step.spacing.size_pt <= GROW_LIMITS.size_pt and step.spacing.leading <= GROW_LIMITS.leading
    assert "overview" in options(0, len(GROW_STEPS)).add and options(2, len(GROW_STEPS)).add == ()



def test_levels_whose_steps_act_on_nothing_share_the_designs_layout(small: Path) -> None:
    """A recorded level whose steps act on nothing in this one-pager (no other perspectives to leave out, no flowing
    sections for the fit-flow-sections class to relax) lays out as the design: going back down to the design costs
    no layout beyond the design's own (render.fitclasses.layout_key)."""
    project = Project(small)
    fresh = fit_onepager(project, "nato")
    recorded = fit_onepager(project, "nato", start=2)
    assert fresh.level == recorded.level == 0
    assert recorded.layouts == fresh.layouts, (recorded.layouts, fresh.layouts)
