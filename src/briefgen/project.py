"""A briefgen project on disk: its root, configuration, seeds and catalogue, read once."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from briefgen.config.audiences import LoadedAudience, audience_names, load_audience
from briefgen.config.project import PROJECT_FILE, ProjectConfig, load_project_config
from briefgen.errors import BriefgenError, ContentError, ContentWarning, Location

if TYPE_CHECKING:  # the seeds and content stages load when first read: a no-op build needs neither
    from briefgen.config.yamlcache import ParseCache
    from briefgen.content.catalogue import Catalogue
    from briefgen.content.checkcache import BlockFindings, CheckCache
    from briefgen.seeds.registry import SeedLibrary


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
        self._audiences: dict[str, LoadedAudience] = {}
        #: Where each block's check findings are kept between runs (a build's OUT/.cache/check); None: not kept.
        self.check_cache: CheckCache | None = None
        #: Where content files' parsed YAML is kept by their text's hash (a build's OUT/.cache/parse); None: not kept.
        self.parse_cache: ParseCache | None = None

    @cached_property
    def config(self) -> ProjectConfig:
        return load_project_config(self.root)

    @cached_property
    def seeds(self) -> SeedLibrary:
        from briefgen.seeds.registry import load_library

        return load_library(self.root)

    @cached_property
    def catalogue(self) -> Catalogue:
        from briefgen.content.catalogue import load_catalogue

        return load_catalogue(self.root, self.parse_cache.load() if self.parse_cache is not None else None)

    def keep_seeds(self, previous: Project) -> None:
        """Use PREVIOUS's seed library (read, verified and outlined as far as it went) as this project's, when it
        loaded: the caller knows seeds/ has not changed since (the preview, told what each change touched)."""
        if "seeds" in previous.__dict__ and "seeds" not in self.__dict__:
            self.__dict__["seeds"] = previous.__dict__["seeds"]  # where cached_property keeps it

    def audience(self, name: str | None = None) -> LoadedAudience:
        """Return the named audience (merged with those it extends), or the project's default; read once."""
        key = name or self.config.default_audience
        if key not in self._audiences:
            self._audiences[key] = load_audience(self.root, key)
        return self._audiences[key]

    def audience_names(self) -> list[str]:
        """Every audience defined under audiences/."""
        return audience_names(self.root)

    def check_audiences(self) -> list[BriefgenError]:
        """Load every audience; return their errors, and one if the default audience does not exist."""
        errors: list[BriefgenError] = []
        for name in self.audience_names():
            try:
                self.audience(name)
            except BriefgenError as exc:
                errors.append(exc)
        default = self.config.default_audience
        if default not in self.audience_names():
            errors.append(ContentError(f"default_audience {default!r} is not defined",
                                       self.config.where("default_audience"),
                                       f"create audiences/{default}.yaml or name one of: "
                                       + ", ".join(self.audience_names())))
        return errors

    def warnings(self) -> list[ContentWarning]:
        """Warnings that do not stop a build: dropped hedges (content/claims.py), and documents whose prose is
        above an audience's reading level."""
        from briefgen.content.readability import fk_grade
        from briefgen.content.views import audience_view, prose_of

        out: list[ContentWarning] = [e for e in self.claims() if isinstance(e, ContentWarning)]
        for name in self.audience_names():
            cfg = self.audience(name).config
            if cfg.reading_level is None:
                continue
            for block in self.catalogue.documents():
                view = audience_view(block, cfg, name)
                grade = fk_grade(prose_of(view), self.config.language)
                if grade is not None and grade > cfg.reading_level:
                    out.append(ContentWarning(
                        f"prose reads at Flesch-Kincaid grade {grade:g}, above the {name!r} audience's target "
                        f"{cfg.reading_level:g}", block.where("summary"),
                        "use shorter sentences and plainer words in the summary and points"))
        return out

    def claims(self) -> list[BriefgenError]:
        """The claims rules' errors and warnings (content/claims.py), computed once."""
        return [e for found in self.block_findings() for e in found.claims]

    def block_findings(self) -> list[BlockFindings]:
        """Each block's provenance and claims findings, in catalogue order, computed once (through check_cache,
        when set: only blocks whose inputs changed are checked again)."""
        if not hasattr(self, "_block_findings"):
            from briefgen.content import confusables  # noqa: F401 - registers its rules with the claims checks
            from briefgen.content.checkcache import check_blocks
            from briefgen.content.claims import claims_context

            ctx = claims_context(self.seeds, self.config.forbidden_words,
                                 line_citations=self.config.forbid_line_citations,
                                 spellings=self.config.house_spellings, glossary=self.config.glossary)
            self._block_findings = check_blocks(self.catalogue, self.seeds, ctx,
                                                self.check_cache.load() if self.check_cache else None)
        return self._block_findings

    def check_sources(self, also: Callable[[], list[BriefgenError]] | None = None) -> list[BriefgenError]:
        """Validate configuration, seeds, content and provenance, and run ALSO in the same pass once everything
        loaded; return every error found (render.checks adds what rendering uses and raises them all)."""
        from briefgen.content.drafts import check_uncurated

        errors: list[BriefgenError] = []
        errors.extend(check_uncurated(self.root))  # first: it explains the schema errors a draft flag causes
        for load in (lambda: self.config, lambda: self.seeds, lambda: self.catalogue):
            try:
                load()
            except BriefgenError as exc:
                errors.append(exc)
        if not errors:
            errors.extend(self.check_audiences())
            errors.extend(also() if also else [])
            errors.extend(self.seeds.verify())
            errors.extend(e for found in self.block_findings() for e in found.provenance)
            errors.extend(e for e in self.claims() if not isinstance(e, ContentWarning))
        return errors
