"""The one error type of the project: a message tied to a file and, where known, a line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BriefingError(Exception):
    """Bad input or a failed stage, named by file (and line where there is one)."""

    path: str | Path | None
    message: str
    line: int | None = None

    def __reduce__(self):
        # Exception pickling calls __init__ with self.args and then sets attributes, which a
        # frozen dataclass refuses: errors crossing a process boundary (ingest workers) need this.
        return (type(self), (self.path, self.message, self.line))

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else f"{self.path}"

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class BriefingErrors(Exception):
    """Several errors reported at once (a build reports every bad file, not just the first)."""

    def __init__(self, errors: list[BriefingError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    def __reduce__(self):   # the errors themselves cross a process boundary, not their text
        return (type(self), (self.errors,))
