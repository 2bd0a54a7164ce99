"""Reading the YAML data files (rules and vocabularies): one reader, errors with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from briefing.errors import BriefingError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, loader: type = _Loader) -> Any:
    """Parse a YAML file; a syntax error names the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefingError(path, f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (safe loaders only)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise BriefingError(path, f"invalid YAML: {exc.problem or exc}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise BriefingError(path, f"invalid YAML: {exc}") from None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file whose top level must be a mapping."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise BriefingError(path, "expected a mapping at the top level", 1)
    return data
