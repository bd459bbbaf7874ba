"""Item 5: images, stylesheets and links to local files, paths or loopback are refused, naming URL and file."""
from __future__ import annotations

import pytest
from hostile_cases import RESOURCE_CASES, assert_outcome


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=lambda c: c.id)
def test_local_and_loopback_resources_are_refused(case, outcome, server) -> None:
    """Each reference exits 1 with an error naming the URL and where it is written; the server gets no request."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    assert not list((o.project / "build").rglob("*.pdf"))  # rglob of a missing folder finds nothing
    assert server.RequestHandlerClass.hits == []


def test_content_file_is_named_for_template_refusals(outcome, server) -> None:
    """A refusal found while rendering names the content file being rendered as well as the template line; one found
    while parsing a stylesheet (shared by every document of an audience) names the stylesheet's line and the audience."""
    for case in RESOURCE_CASES:
        if case.id.startswith(("template-img", "stylesheet-")):
            o = outcome(case)
            if "@import" in str(case.edits):
                assert o.stderr.startswith("templates/css/print.css:"), (case.id, o.stderr)
                assert "rendering the stylesheets of audience 'congress'" in o.stderr, (case.id, o.stderr)
            else:
                assert "rendering content/alliances/nato.yaml" in o.stderr, (case.id, o.stderr)


def test_missing_local_image_is_an_error_not_a_blank(outcome, server) -> None:
    """A stylesheet image that does not exist fails the render instead of leaving a silent gap."""
    case = next(c for c in RESOURCE_CASES if c.id == "stylesheet-missing-image")
    o = outcome(case)
    assert o.exit_code == 1 and "no such file in the project" in o.stderr
