"""What `serve` watches, and what kind of input each watched path is.

A project's inputs live in a handful of folders: seeds, content, the project's template
overrides and static files, the packaged theme (templates and static), the vocabularies
and the ingest rules, plus a few config files. Every changed path is classified by the
deepest watched folder that holds it; editor litter (swap files, backups, temp files of
atomic writers, dot-folders such as ``content/.generated``) is never an input.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path

import briefing


class Kind(str, enum.Enum):
    SEED = "seed"
    CONTENT = "content"
    TEMPLATE = "template"
    STATIC = "static"
    VOCABULARY = "vocabulary"
    RULES = "rules"
    CONFIG = "config"


PACKAGE_DIR = Path(briefing.__file__).resolve().parent
THEME_DIR = PACKAGE_DIR / "theme"
VOCABULARY_DIR = PACKAGE_DIR / "knowledge" / "data"
RULES_DIR = PACKAGE_DIR / "rules"

#: Config files looked for at the project root (the ones that exist are watched).
CONFIG_NAMES = ("briefing.yaml", "briefing.yml", "briefing.toml", "pyproject.toml")

#: Content files a build reads; anything else in content/ is not an input.
CONTENT_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")

_LITTER = re.compile(
    r"""^(?:
        \..*                        # dotfiles and dot-folders (.git, .generated, .x.swp, .#lock)
      | .*~                         # backups
      | .*\.(?:swp|swx|swo|tmp|temp|part|crdownload|bak|orig|pyc|pyo)
      | 4913                        # vim's write-permission probe
      | tmp[a-z0-9_]{6,}            # tempfile.mkstemp() default names
      | __pycache__
      | \#.*\#                      # emacs autosave
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


def is_litter(name: str) -> bool:
    """True for file or folder names that are never site inputs."""
    return bool(_LITTER.match(name))


@dataclass(frozen=True)
class WatchRoot:
    """One watched folder (or single file) and the kind of input it holds."""

    path: Path
    kind: Kind
    suffixes: tuple[str, ...] | None = None  # None: any file that is not litter

    @property
    def is_file(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class ProjectSources:
    """Where a project's inputs and outputs are (paths as the user gave them)."""

    content: Path
    out: Path
    seeds: Path | None = None
    templates: Path | None = None  # the project's overrides (templates/)
    static: Path | None = None  # the project's own static files (static/), if any
    theme: Path = THEME_DIR
    vocabularies: Path = VOCABULARY_DIR
    rules: Path = RULES_DIR
    config_files: tuple[Path, ...] = ()
    cache: Path | None = None
    excluded: tuple[Path, ...] = field(default=())

    @classmethod
    def for_project(
        cls,
        root: Path,
        *,
        content: Path,
        out: Path,
        seeds: Path | None,
        templates: Path | None = None,
        cache: Path | None = None,
    ) -> "ProjectSources":
        templates = templates if templates is not None else root / "templates"
        static = root / "static"
        configs = tuple(root / name for name in CONFIG_NAMES if (root / name).is_file())
        return cls(
            content=content,
            out=out,
            seeds=seeds,
            templates=templates,
            static=static if static.is_dir() else None,
            config_files=configs,
            cache=cache,
        )

    def roots(self) -> list[WatchRoot]:
        """Every watched root that exists, deepest-first for classification."""
        candidates = [
            WatchRoot(self.content, Kind.CONTENT, CONTENT_SUFFIXES),
            WatchRoot(self.theme / "templates", Kind.TEMPLATE),
            WatchRoot(self.theme / "static", Kind.STATIC),
            WatchRoot(self.vocabularies, Kind.VOCABULARY),
            WatchRoot(self.rules, Kind.RULES),
        ]
        if self.seeds is not None:
            candidates.append(WatchRoot(self.seeds, Kind.SEED))
        if self.templates is not None:
            candidates.append(WatchRoot(self.templates, Kind.TEMPLATE))
        if self.static is not None:
            candidates.append(WatchRoot(self.static, Kind.STATIC))
        candidates += [WatchRoot(path, Kind.CONFIG) for path in self.config_files]
        roots = [root for root in candidates if root.path.exists()]
        roots.sort(key=lambda root: len(_absolute(root.path).parts), reverse=True)
        return roots

    def _excluded(self) -> list[Path]:
        out = [_absolute(self.out)]
        if self.cache is not None:
            out.append(_absolute(self.cache))
        out += [_absolute(p) for p in self.excluded]
        return out

    def classify(self, path: Path) -> Kind | None:
        """The kind of input `path` is, or None when it is not an input at all."""
        absolute = _absolute(path)
        for excluded in self._excluded():
            if absolute == excluded or absolute.is_relative_to(excluded):
                return None
        for root in self.roots():
            base = _absolute(root.path)
            if absolute == base and root.kind is Kind.CONFIG:
                return Kind.CONFIG
            if absolute == base or not absolute.is_relative_to(base):
                continue
            relative = absolute.relative_to(base)
            if any(is_litter(part) for part in relative.parts):
                return None
            if root.suffixes is not None and absolute.suffix.lower() not in root.suffixes:
                return None
            return root.kind
        return None


def _absolute(path: Path) -> Path:
    # `resolve()` follows symlinks, which a deleted path no longer has; `absolute()` is
    # enough to compare paths made from the same roots.
    return Path(path).absolute()
