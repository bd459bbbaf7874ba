"""Item 1: broken and hostile YAML is refused with file, line and column; nothing in it runs."""
from __future__ import annotations

import pytest
from hostile_cases import TYPE_CASES, YAML_CASES, assert_outcome


@pytest.mark.parametrize("case", YAML_CASES, ids=lambda c: c.id)
def test_bad_yaml_is_refused_with_its_location(case, outcome, server) -> None:
    """Each malformed YAML file exits 1 with an error at its file:line:col; no payload runs, nothing is written."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
    assert not (o.project / "build").exists()


@pytest.mark.parametrize("case", TYPE_CASES, ids=lambda c: c.id)
def test_silent_yaml_coercions_are_schema_errors(case, outcome, server) -> None:
    """Item 2: values YAML would silently turn into booleans, octal numbers or dates are errors naming the field."""
    o = outcome(case)
    assert_outcome(o, server.server_address[1])
