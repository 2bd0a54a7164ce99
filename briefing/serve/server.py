"""The preview HTTP server: the site folder, livereload's websocket, the error stream.

Built on the `livereload` package's Tornado handlers (its websocket protocol and its
``livereload.js``), with three things livereload's own ``Server`` does not do:

* pages are read in one ``open()`` (one inode) and, while a rebuild is writing the site,
  requests wait for it to finish (up to `gate_seconds`): a browser never gets a
  half-written file, nor a mix of old and new pages from the middle of a rebuild; pages a
  first pass already wrote in their final form (the edited article) and assets (CSS,
  scripts, images: atomic writes) are served at once;
* HTML responses get one ``<script src>`` injected (never the files on disk): it loads
  livereload.js and shows the current build error as an overlay (server-sent events);
* it binds any port (0 = a free one, reported back), loopback by default, and can be
  started and stopped from a thread (tests, benchmarks).

livereload's ``Server.serve()`` is not used: it would poll the whole working directory
every 0.8 s on the IO loop and throttle reloads to one per 3 s (dropping some), which is
the behaviour `serve` replaces with its own watcher and debounced rebuild loop.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import socket
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import locks, netutil, web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError

from briefing.serve.state import PreviewState, Snapshot

PREFIX = "/__briefing__/"
CLIENT_URL = PREFIX + "client.js"
SNIPPET = f'<script src="{CLIENT_URL}" defer></script>'.encode()
CLIENT_FILE = Path(__file__).with_name("client.js")

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}


def content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def inject(html: bytes) -> bytes:
    """Insert the preview client before ``</head>`` (else ``</body>``, else at the end)."""
    lowered = html.lower()
    for marker in (b"</head>", b"</body>"):
        at = lowered.find(marker)
        if at >= 0:
            return html[:at] + SNIPPET + html[at:]
    return html + SNIPPET


def locate(root: Path, url_path: str) -> tuple[str, Path | str | None]:
    """Map a URL path to ("file", path) | ("redirect", url) | ("missing", None)."""
    parts = [p for p in url_path.split("/") if p not in ("", ".")]
    if any(p == ".." or "\\" in p or "\0" in p for p in parts):
        return "missing", None
    target = root.joinpath(*parts)
    if target.is_dir():
        if parts and not url_path.endswith("/"):
            return "redirect", "/" + "/".join(parts) + "/"
        target = target / "index.html"
    if target.is_file():
        return "file", target
    return "missing", None


def page_file(url_path: str | None) -> str | None:
    """The site file a URL path shows (``/a/b/`` → ``a/b/index.html``); None if it cannot be one."""
    if url_path is None:
        return None
    parts = [unquote(p) for p in url_path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    if not parts or url_path.endswith("/"):
        parts.append("index.html")
    return "/".join(parts)


class SiteGate:
    """Lets requests wait (on the IO loop) while a rebuild writes the site."""

    def __init__(self, state: PreviewState, seconds: float):
        self.state = state
        self.seconds = seconds
        self.condition = locks.Condition()

    def ready(self, root: Path, found: Path) -> bool:
        """The file is one a first pass already wrote for the running build (no need to wait)."""
        if not self.state.building:
            return False
        try:
            return self.state.is_ready(found.relative_to(root).as_posix())
        except ValueError:
            return False

    async def wait(self) -> None:
        loop = IOLoop.current()
        deadline = loop.time() + self.seconds
        while self.state.building and loop.time() < deadline:
            await self.condition.wait(timeout=deadline)


class SiteHandler(web.RequestHandler):
    def initialize(self, root: Path, gate: SiteGate) -> None:
        self.root = root
        self.gate = gate

    def compute_etag(self):
        return None

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Server", "briefing-serve")

    async def get(self, path: str) -> None:
        await self._serve(path, body=True)

    async def head(self, path: str) -> None:
        await self._serve(path, body=False)

    async def _serve(self, path: str, body: bool) -> None:
        kind, found = locate(self.root, path)
        # pages wait for a running rebuild (no mix of old and new pages); assets, written
        # atomically and rarely changed by a rebuild, do not hold up a page's loading
        if kind != "file" or (found.suffix in (".html", ".htm") and not self.gate.ready(self.root, found)):
            await self.gate.wait()
            kind, found = locate(self.root, path)
        if kind == "redirect":
            query = self.request.query
            self.redirect(found + ("?" + query if query else ""), permanent=False)
            return
        status = 200
        if kind == "missing":
            status = 404
            found = self._not_found_page(path)
            if found is None:
                self.set_status(404)
                self.set_header("Content-Type", "text/plain; charset=utf-8")
                self.finish(b"404 not found" if body else b"")
                return
        try:
            with open(found, "rb") as handle:  # one inode: never a half-swapped file
                data = handle.read()
        except OSError:
            self.set_status(404)
            self.finish()
            return
        mime = content_type(found)
        if mime.startswith("text/html"):
            data = inject(data)
        self.set_status(status)
        self.set_header("Content-Type", mime)
        self.set_header("Content-Length", str(len(data)))
        if body:
            self.write(data)
        self.finish()

    def _not_found_page(self, path: str) -> Path | None:
        first = path.strip("/").split("/", 1)[0]
        for candidate in (self.root / first / "404.html", self.root / "404.html"):
            if first and candidate.is_file():
                return candidate
        candidate = self.root / "404.html"
        return candidate if candidate.is_file() else None


class ClientScriptHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(CLIENT_FILE.read_bytes())


class StatusHandler(web.RequestHandler):
    """The build state as JSON, plus how many browsers listen for reloads and the pages they show."""

    def initialize(self, state: PreviewState, server: "PreviewHTTPServer") -> None:
        self.state = state
        self.server = server

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        status = self.state.snapshot().as_json()
        status["browsers"] = self.server.browsers
        status["viewing"] = sorted(self.server.viewed_pages())
        self.finish(json.dumps(status, ensure_ascii=False))


class EventsHandler(web.RequestHandler):
    """Server-sent events: the current build state now, then every time it changes."""

    KEEPALIVE_SECONDS = 15.0

    def initialize(self, state: PreviewState, server: "PreviewHTTPServer") -> None:
        self.state = state
        self.server = server
        self.closed = False

    def on_connection_close(self) -> None:
        self.closed = True
        self.server.events_changed.notify_all()

    async def get(self) -> None:
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        loop = IOLoop.current()
        sent: tuple | None = None
        try:
            while not self.closed and not self.server.closing:
                snapshot = self.state.snapshot()
                key = (snapshot.generation, snapshot.error)
                if key != sent:
                    payload = json.dumps({"generation": snapshot.generation,
                                          "error": snapshot.error}, ensure_ascii=False)
                    self.write(f"data: {payload}\n\n")
                    await self.flush()
                    sent = key
                notified = await self.server.events_changed.wait(
                    timeout=loop.time() + self.KEEPALIVE_SECONDS)
                if not notified and not self.closed:
                    self.write(": keep-alive\n\n")
                    await self.flush()
        except StreamClosedError:
            return
        if not self.closed:
            self.finish()


def _log_server_errors(handler: web.RequestHandler) -> None:
    """Requests are not logged (a browser's 404 for /favicon.ico is not news); 5xx are."""
    if handler.get_status() >= 500:
        request = handler.request
        print(f"HTTP {handler.get_status()} {request.method} {request.uri}", flush=True)


def reload_handler_class() -> type[LiveReloadHandler]:
    """livereload's websocket handler, with waiters of its own (livereload keeps a global
    set), so that two preview servers in one process never reload each other's pages."""

    class PreviewReloadHandler(LiveReloadHandler):
        waiters: set = set()
        viewing: dict = {}    # waiter → the URL path its page is on (livereload.js says so on connect)
        watcher = SimpleNamespace(filepath=None)  # read by reload_waiters' log line
        live_css = True
        _last_reload_time = None

        def on_message(self, message):
            super().on_message(message)
            if self in LiveReloadHandler.waiters:
                LiveReloadHandler.waiters.discard(self)
                type(self).waiters.add(self)
                try:
                    url = json.loads(message).get("url")
                except (ValueError, AttributeError):
                    url = None
                if isinstance(url, str):
                    type(self).viewing[self] = urlsplit(url).path

        def on_close(self):
            type(self).waiters.discard(self)
            type(self).viewing.pop(self, None)
            LiveReloadHandler.waiters.discard(self)

    return PreviewReloadHandler


class PreviewHTTPServer:
    """Serves `root` on host:port from a thread of its own; `reload()` from any thread."""

    def __init__(self, root: Path, state: PreviewState, *, host: str = "127.0.0.1",
                 port: int = 8000, gate_seconds: float = 1.0):
        self.root = Path(root)
        self.state = state
        self.host = host
        self.requested_port = port
        self.gate = SiteGate(state, gate_seconds)
        self.reload_handler = reload_handler_class()
        self.closing = False
        self.events_changed = locks.Condition()
        self._sockets: list[socket.socket] = []
        self._loop: IOLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._unsubscribe = None

    @property
    def port(self) -> int:
        return self._sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}/"

    def application(self) -> web.Application:
        return web.Application([
            (r"/livereload", self.reload_handler),
            (r"/livereload\.js", LiveReloadJSHandler),
            (PREFIX + r"client\.js", ClientScriptHandler),
            (PREFIX + r"status", StatusHandler, {"state": self.state, "server": self}),
            (PREFIX + r"events", EventsHandler, {"state": self.state, "server": self}),
            (r"/(.*)", SiteHandler, {"root": self.root, "gate": self.gate}),
        ], log_function=_log_server_errors)

    def bind(self) -> None:
        """Claim the port now (so a busy port fails before a long first build)."""
        if not self._sockets:
            self._sockets = netutil.bind_sockets(self.requested_port, address=self.host)

    def start(self) -> None:
        self.bind()
        self._thread = threading.Thread(target=self._run, name="briefing-http", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        self._unsubscribe = self.state.subscribe(self._on_state)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = IOLoop.current()
        self._stopped = asyncio.Event()
        http = HTTPServer(self.application())
        http.add_sockets(self._sockets)
        self._ready.set()
        await self._stopped.wait()
        self.closing = True
        http.stop()
        self.events_changed.notify_all()
        for waiter in list(self.reload_handler.waiters):
            waiter.close()
        await asyncio.wait_for(http.close_all_connections(), timeout=5)

    def _on_state(self, snapshot: Snapshot) -> None:
        loop = self._loop
        if loop is None:
            return

        def wake() -> None:
            self.gate.condition.notify_all()
            self.events_changed.notify_all()

        loop.add_callback(wake)

    def reload(self, path: str = "*", pages: set[str] | None = None) -> None:
        """Tell connected browsers to reload (CSS paths are swapped in place). With ``pages``
        (site files that changed, none of them an asset), only browsers showing one of them,
        or a page not on disk, or one whose page is unknown, reload."""
        if self._loop is not None:
            self._loop.add_callback(self._send_reload, path, None if pages is None else frozenset(pages))

    def _send_reload(self, path: str, pages: frozenset[str] | None) -> None:
        handler = self.reload_handler
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for waiter in list(handler.waiters):
            if pages is not None:
                shown = page_file(handler.viewing.get(waiter))
                if shown is not None and shown not in pages and (self.root / shown).is_file():
                    continue
            try:
                waiter.write_message(message)
            except Exception:  # noqa: BLE001 - a closed socket: forget it
                handler.waiters.discard(waiter)

    @property
    def browsers(self) -> int:
        return len(self.reload_handler.waiters)

    def viewed_pages(self) -> set[str]:
        """The site files open in connected browsers (paths relative to the site folder)."""
        return {f for f in map(page_file, list(self.reload_handler.viewing.values())) if f is not None}

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._loop is not None and self._stopped is not None:
            self._loop.add_callback(self._stopped.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
