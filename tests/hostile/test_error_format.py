"""Every hostile case's errors follow one format: `path[:line[:col]]: error: message (hint: how to fix)`."""
from __future__ import annotations

import re

import pytest
from hostile_cases import ALL_CASES

#: The one error format; line and column are given whenever the error has a place inside a file.
FORMAT = re.compile(r"(?P<path>[^\s:][^:\n]*?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: error: (?P<message>.+?)"
                    r" \(hint: (?P<hint>.+)\)")
#: Errors about a whole file or a command-line argument have no line; every other error must have one.
WHOLE_FILE = ("file is empty", "is a link to a file outside", "no alliance or obstacle with id",
              "audience name", "template refused", "no audience named", "drafts not written", "output passed", "file refused",
              "content folder is a link", "UTF-16")


def assert_format(lines: list[str]) -> None:
    """Each line is one error in the format, with a line number unless it concerns a whole file or argument."""
    assert lines, "no error was printed"
    for line in lines:
        m = FORMAT.fullmatch(line)
        assert m, f"not in the error format: {line!r}"
        assert m["message"].strip() and m["hint"].strip()
        if not any(w in m["message"] for w in WHOLE_FILE):
            assert m["line"], f"no line number: {line!r}"


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.exit_code], ids=lambda c: c.id)
def test_every_error_line_has_the_format(case, outcome) -> None:
    """The case's stderr is only error lines in the one format (and the closing count), no traceback."""
    o = outcome(case)
    assert_format(o.error_lines())
    assert "Traceback" not in o.stderr


def test_format_rejects_a_bare_message() -> None:
    """The format check itself refuses a line without location or hint."""
    with pytest.raises(AssertionError):
        assert_format(["error: something broke"])
    with pytest.raises(AssertionError):
        assert_format(["content/x.yaml:3: error: no hint here"])
