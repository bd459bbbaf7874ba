"""Project configuration: the declared schema of briefgen.yaml, and loading it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from briefgen.config import yamlsafe
from briefgen.config.audiences import LoadedAudience, audience_names, load_audience  # noqa: F401 - re-exported
from briefgen.config.schema import Constraint, Converter, Id, Record, Text, doc
from briefgen.errors import ContentError, ErrorCollector, Location, UsageError, display_path

PROJECT_FILE = "briefgen.yaml"

#: Words of the tool's machinery that no reader-facing text may contain (whole words, any case, plurals too).
DEFAULT_FORBIDDEN_WORDS: list[str] = ["seed", "this block", "wiki-style", "WISC page"]


class EmailConstraint(Constraint):
    pattern = re.compile(r"[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z")
    hint = "write one address, e.g. alliances@example.org"

    def check(self, value: Any, node: Any) -> str | None:
        return None if self.pattern.match(str(value).strip()) else f"{value!r} is not an e-mail address"


class PhoneConstraint(Constraint):
    pattern = re.compile(r"\+?[0-9][0-9 ().\-]*[0-9]\Z")
    hint = "write digits with spaces, dots, hyphens or parentheses, e.g. +1 202 555 0100"

    def check(self, value: Any, node: Any) -> str | None:
        text = str(value).strip()
        digits = sum(c.isdigit() for c in text)
        if not self.pattern.match(text) or not 7 <= digits <= 15:
            return f"{value!r} is not a telephone number"
        return None


class SiteUrlConstraint(Constraint):
    pattern = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?/\Z")
    hint = "write the web address the sites are published under, ending in '/', e.g. https://alliances.example.org/"

    def check(self, value: Any, node: Any) -> str | None:
        return None if self.pattern.match(str(value).strip()) else f"{value!r} is not a web address ending in '/'"


Email = Annotated[str, EmailConstraint()]
SiteUrl = Annotated[str, SiteUrlConstraint()]
Phone = Annotated[str, PhoneConstraint()]


@dataclass(kw_only=True)
class Author(Record):
    """One person (or team) named as an author of the documents."""

    name: Text = doc("the name as readers see it, e.g. 'Jane Doe'")
    title: Text | None = doc("title or affiliation shown after the name, e.g. 'Senior Fellow, Alliance Studies'",
                             default=None)


@dataclass(kw_only=True)
class Contact(Record):
    """Whom readers write to about the documents."""

    name: Text = doc("person, desk or programme to contact")
    email: Email = doc("e-mail address, shown as a mailto: link")
    phone: Phone | None = doc("telephone number, with its country code for readers abroad", default=None)


@dataclass(kw_only=True)
class ProjectConfig(Record):
    """briefgen.yaml at the project root."""

    title: Text = doc("name of the collection, used on book covers and in PDF metadata")
    author: Text = doc("organisation publishing the documents: the PDFs' author, the cover's name and the "
                       "publisher in the suggested citation (the people go under `authors`)")
    authors: list[Author] = doc("people named as the documents' authors, in order, each with a name and an "
                                "optional title; shown in briefs' end matter, on one-pagers and in the book, and "
                                "leading the suggested citation", default_factory=list)
    contact: Contact | None = doc("whom readers contact: name, email and an optional phone", default=None)
    series: Text | None = doc("prefix of the document numbers, e.g. USAP (USAP-B-18567 is a brief); default: the "
                              "initials of the title's words, whatever their case", default=None)
    language: Text = doc("BCP 47 language tag of the content, e.g. en-US", default="en-US")
    default_audience: Id = doc("audience used when a command gets no --audience")
    forbidden_words: list[Text] = doc(
        "words and phrases no reader-facing text may contain, matched as whole words in any case, plurals "
        "included ('seed' also finds 'seeds'); `check` refuses them in content and the tests in built documents. "
        "Setting it replaces the defaults, so list them too when extending",
        default_factory=lambda: list(DEFAULT_FORBIDDEN_WORDS))
    site_url: SiteUrl | None = doc("web address the static sites are published under (`briefgen site`), ending in '/': "
                                   "each audience's site is at <site_url><audience>/; gives pages their canonical URL, "
                                   "the sitemap and the feed absolute addresses. Without it the sitemap is not "
                                   "written and the pages have no canonical link", default=None)
    forbid_line_citations: bool = doc("also refuse line-number citations ('line 579', 'lines 12-30', 'L12-L30') "
                                      "in reader-facing text", default=True)
    house_spellings: dict[Text, Text] = doc(
        "more en-US house spellings for `check`'s `spelling` rule: the word to avoid and the one to use, e.g. "
        "{colour: color}; added to the built-in list (content/words/us-spelling.txt)", default_factory=dict)
    glossary: dict[Text, Text] = doc(
        "acronyms and their expansions, e.g. {ISR: 'intelligence, surveillance and reconnaissance'}: `check`'s "
        "`acronym` rule wants each spelled out at its first use in a document", default_factory=dict)


def load_project_config(root: Path) -> ProjectConfig:
    """Read briefgen.yaml; every problem is reported together."""
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ContentError(f"{PROJECT_FILE} is missing", Location(PROJECT_FILE),
                           "run briefgen from a project folder (one that holds briefgen.yaml)")
    node = yamlsafe.load(path, PROJECT_FILE)
    conv = Converter()
    errors = ErrorCollector()
    errors.extend(_author_shapes(node))
    cfg = conv.record(node, ProjectConfig, "") if not errors.errors else None
    errors.extend(conv.errors)
    errors.raise_if_any()
    return cfg


def _author_shapes(node: yamlsafe.YNode) -> list[ContentError]:
    """Catch the two ways of mixing up `author` (the publishing organisation) and `authors` (the people)."""
    if node.kind != "map":
        return []
    out = []
    for key, value in node.value.items():
        loc = getattr(key, "loc", node.loc)
        if str(key) == "author" and value.kind != "scalar":
            out.append(ContentError("author: expected the publishing organisation's name, got "
                                    f"{value.describe()}", value.loc or loc,
                                    "name the organisation under `author:` and list the people under `authors:` "
                                    "(- name: ..., title: ...)"))
        if str(key) == "authors" and value.kind == "scalar" and value.value is not None:
            out.append(ContentError(f"authors: expected a list of people, got {value.describe()}", value.loc or loc,
                                    "write one '- name: ...' entry per author (with an optional 'title:'); the "
                                    "publishing organisation goes under `author:`"))
    return out


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
