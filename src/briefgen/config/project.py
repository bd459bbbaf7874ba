"""Project configuration: the declared schema of briefgen.yaml, and loading it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.config import yamlsafe
from briefgen.config.audiences import LoadedAudience, audience_names, load_audience  # noqa: F401 - re-exported
from briefgen.config.schema import Converter, Id, Record, Text, doc
from briefgen.errors import ContentError, ErrorCollector, Location, UsageError, display_path

PROJECT_FILE = "briefgen.yaml"

#: Words of the tool's machinery that no reader-facing text may contain (whole words, any case, plurals too).
DEFAULT_FORBIDDEN_WORDS: list[str] = ["seed", "this block", "wiki-style", "WISC page"]


@dataclass(kw_only=True)
class ProjectConfig(Record):
    """briefgen.yaml at the project root."""

    title: Text = doc("name of the collection, used on book covers and in PDF metadata")
    author: Text = doc("organisation named as the PDFs' author")
    language: Text = doc("BCP 47 language tag of the content, e.g. en-US", default="en-US")
    default_audience: Id = doc("audience used when a command gets no --audience")
    forbidden_words: list[Text] = doc(
        "words and phrases no reader-facing text may contain, matched as whole words in any case, plurals "
        "included ('seed' also finds 'seeds'); `check` refuses them in content and the tests in built documents. "
        "Setting it replaces the defaults, so list them too when extending",
        default_factory=lambda: list(DEFAULT_FORBIDDEN_WORDS))
    forbid_line_citations: bool = doc("also refuse line-number citations ('line 579', 'lines 12-30', 'L12-L30') "
                                      "in reader-facing text", default=True)


def load_project_config(root: Path) -> ProjectConfig:
    """Read briefgen.yaml; every problem is reported together."""
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ContentError(f"{PROJECT_FILE} is missing", Location(PROJECT_FILE),
                           "run briefgen from a project folder (one that holds briefgen.yaml)")
    node = yamlsafe.load(path, PROJECT_FILE)
    conv = Converter()
    cfg = conv.record(node, ProjectConfig, "")
    errors = ErrorCollector()
    errors.extend(conv.errors)
    errors.raise_if_any()
    return cfg


#: Project folders that are inputs: an output folder inside one would be read back as input (every build
#: rebuilding everything, or the preview ignoring the very edits it should show).
INPUT_DIRS = ("content", "templates", "seeds", "audiences", "brand", "fonts", "images")


def check_output_folder(root: Path, out: Path) -> None:
    """Refuse an output folder inside one of the project's input folders (a usage error)."""
    target = out.resolve()
    for name in INPUT_DIRS:
        folder = (root / name).resolve()
        if target == folder or target.is_relative_to(folder):
            raise UsageError(f"the output folder {display_path(out, root)} is inside {name}/, an input folder",
                             Location("--out"), "pass an --out folder outside the project's input folders, "
                             "e.g. build/ (the default)")
