"""Project and audience configuration: declared schemas, defaults and loading."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import yamlsafe
from .errors import ContentError, ErrorCollector, Location
from .schema import Converter, Id, Record, Text, doc

PROJECT_FILE = "briefgen.yaml"


@dataclass(kw_only=True)
class ProjectConfig(Record):
    """briefgen.yaml at the project root."""

    title: Text = doc("name of the collection, used on book covers and in PDF metadata")
    author: Text = doc("organisation named as the PDFs' author")
    language: Text = doc("BCP 47 language tag of the content, e.g. en-US", default="en-US")
    default_audience: Id = doc("audience used when a command gets no --audience")


@dataclass(kw_only=True)
class Audience(Record):
    """audiences/<name>.yaml: who a document is for and how it is marked."""

    label: Text = doc("name shown on documents, e.g. 'Congressional staff'")
    marking: Text | None = doc("distribution marking printed in every footer; omit for none", default=None)


@dataclass
class LoadedAudience:
    """An audience with its name and file."""

    name: str
    config: Audience
    file: str


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


def audience_names(root: Path) -> list[str]:
    """Names of every audience defined under audiences/."""
    folder = root / "audiences"
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_audience(root: Path, name: str) -> LoadedAudience:
    """Read audiences/NAME.yaml."""
    names = audience_names(root)
    if name not in names:
        raise ContentError(f"no audience named {name!r}", Location("audiences/"),
                           "known audiences: " + (", ".join(names) or "none"))
    shown = f"audiences/{name}.yaml"
    node = yamlsafe.load(root / shown, shown)
    conv = Converter()
    cfg = conv.record(node, Audience, "")
    errors = ErrorCollector()
    errors.extend(conv.errors)
    errors.raise_if_any()
    return LoadedAudience(name, cfg, shown)
