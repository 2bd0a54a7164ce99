"""`python build.py serve`: live preview with debounced incremental rebuilds.

Modules: `sources` (what is watched, what kind of input a path is), `watch` / `inotify` /
`polling` (stdlib watchers), `debounce` (bursts of saves → one batch), `ledger` (drop
echoes and no-op saves), `rebuild` (one batch → ingest + build + result), `terminal` (the
line per rebuild), `state` + `server` (HTTP on livereload's handlers, error overlay,
no reads during a rebuild's writes), `search` (background search index), `session`
(wires them together), `stages` (the ingest/build functions driven).
"""

from briefing.serve.session import PreviewSession, ServeOptions
from briefing.serve.sources import ProjectSources
from briefing.serve.stages import Stages, project_stages

__all__ = ["PreviewSession", "ServeOptions", "ProjectSources", "Stages", "project_stages"]
