"""A briefgen project on disk: its root, configuration, seeds and catalogue, read once."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from .config import PROJECT_FILE, LoadedAudience, ProjectConfig, load_audience, load_project_config
from .content import Catalogue, load_catalogue
from .errors import BriefgenError, ContentError, ErrorCollector, Location
from .provenance import check_catalogue
from .seeds import SeedLibrary, load_library


def find_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above START holding briefgen.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise ContentError(f"no {PROJECT_FILE} found in {here} or its parents", Location(str(here)),
                       "run briefgen inside a briefgen project, or pass --project DIR")


class Project:
    """Lazy access to everything a project holds; each part is read and validated once."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @cached_property
    def config(self) -> ProjectConfig:
        return load_project_config(self.root)

    @cached_property
    def seeds(self) -> SeedLibrary:
        return load_library(self.root)

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.root)

    def audience(self, name: str | None = None) -> LoadedAudience:
        """Return the named audience, or the project's default."""
        return load_audience(self.root, name or self.config.default_audience)

    def check(self) -> None:
        """Validate configuration, seeds, content and provenance; raise every error found at once."""
        errors = ErrorCollector()
        for load in (lambda: self.config, lambda: self.seeds, lambda: self.catalogue):
            try:
                load()
            except BriefgenError as exc:
                errors.extend([exc])
        if not errors:
            errors.extend(self.seeds.verify())
            errors.extend(check_catalogue(self.catalogue, self.seeds))
        errors.raise_if_any()
