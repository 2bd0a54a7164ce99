"""The search index: Pagefind (the pip ``pagefind[extended]`` package, which segments Chinese).

Run after the pages are in place: the bundled binary indexes the output folder into a
temporary folder, which is then mirrored into ``<out>/pagefind/`` through the writer (atomic
writes, unchanged files untouched, stale fragments removed). Only elements marked
``data-pagefind-body`` are indexed: in the theme, each article page's ``<article>`` (title,
byline, body, the names of its places and entities) and the heading of the first page of
each region, initiative, topic, person and organisation (its name).

Both scripts share one index. A page and its Traditional counterpart are one document: the
Simplified page, which Pagefind segments into words (its Chinese segmenter knows Simplified
words only), carrying the Traditional page's title as metadata, and its text too when that
is short (an entity page's heading). The Traditional search page folds its query to
Simplified a character at a time, searches that index, and shows the Traditional title,
link and an excerpt cut from the Traditional text: carried, or read from the Traditional
page itself. Indexing each script apart took ~45% more of Pagefind's time, and left
Traditional queries matched a character at a time; carrying every article's Traditional
text took ~40% more of Pagefind's CPU and ~25% more of its memory than the title alone.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html as html_lib
import json
import marshal
import os
import re
import shutil
import subprocess
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefing.errors import BriefingError
from briefing.site import urls
from briefing.site.writer import (FileState, commit, prepare, remove_abandoned, sanitised_join, staging_dir_for,
                                  sync_folder)
from briefing.text.script import to_simplified


# the metadata a document carries for the Traditional search page
META_TITLE = f"title_{urls.HANT}"
META_TEXT = f"text_{urls.HANT}"
# the longest Traditional text carried as metadata (an entity page's heading is); a longer
# one, an article's, the search page reads from the Traditional page when it lists the result
CARRIED_TEXT_MAX = 200


@lru_cache(maxsize=1)
def character_folding() -> tuple[str, str]:
    """(characters, the same folded to Simplified): every CJK character that folding
    changes into one other character of the Basic Multilingual Plane, for the Traditional
    search page's query (a JavaScript string indexes UTF-16 units: one each, a folded text
    is as long as the text)."""
    chars = "".join(chr(c) for c in range(0x3400, 0xA000))
    folded = to_simplified(chars)
    if len(folded) != len(chars):  # a multi-character mapping: one at a time
        pairs = [(c, to_simplified(c)) for c in chars]
    else:
        pairs = list(zip(chars, folded))
    pairs = [(a, b) for a, b in pairs if a != b and len(b) == 1 and ord(b) < 0x10000]
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


def traditional_search_script() -> bytes:
    """search-hant.js: what the Traditional search page needs to use the shared index."""
    source, target = character_folding()
    data = json.dumps({"prefix": urls.counterpart(""), "from": source, "to": target,
                       "title": META_TITLE, "text": META_TEXT}, ensure_ascii=False)
    return (f"/* The Traditional search page: its pages' prefix, the characters its query is folded\n"
            f"   to Simplified with (from -> to), the metadata holding its title and text. */\n"
            f"window.BRIEFING_HANT = {data};\n").encode("utf-8")


def pagefind_executable() -> Path:
    try:
        import pagefind_bin_extended

        return Path(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError):
        pass
    try:
        from pagefind.service import _must_get_executable

        return Path(_must_get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise BriefingError(None, "Pagefind is not installed: pip install 'pagefind[extended]'") from exc


SEARCH_MARK = b"data-pagefind-body"
# Pagefind runs at once. Each holds ~0.29 GB for a part of 650 documents. Where the model is in
# memory (a build in one process, serve's indexer), one runs at a time, the next part being
# indexed while the last is mirrored into the folder. The CLI indexes parts once the process
# that held the model has ended, with two (an edit's delta, one small run, beside its end):
# at 10,000 articles a full index took 101 s instead of 152 s, and the step's peak was
# 698 MB (measured PSS, Pagefind included, when documents carried their Traditional text:
# see CARRIED_TEXT_MAX).
PAGEFIND_RUNS = 1
PAGEFIND_RUNS_APART = 2
# documents per Pagefind run. Its memory grows ~0.42 MB a page (peak RSS measured on article
# pages, one script each: 800 pages 364 MB, 1,000 446 MB, 1,200 529 MB, 1,600 709 MB); 650
# documents of the 2k site's articles, each carrying its Traditional title, 286 MB (359 MB
# when they carried the Traditional text too). More parts mean more bundles for the search
# page to merge (~26 at 10,000 articles with the entities' pages).
PART_PAGES = 650
PAGEFIND_MB_PER_PAGE = 0.45    # a run's peak RSS a document of its part (measured: 650 documents 286 MB)
INDEXER_MB = 125               # serve's indexer process at 10,000 articles, Pagefind aside (measured 121 MB)
PARTS_DIR = "parts"        # bundles after the first: pagefind/parts/<n>/
DELTA_DIR = "delta"        # pagefind/delta/: pages changed since their part was last indexed
PARTS_FILE = "parts.json"  # in the first bundle: the other bundles and the stale results, for the search page
DELTA_PAGES = 120          # past this many changed pages, the parts holding them are indexed again
FOLD_PAGES = 200           # parts holding at most this many pages are indexed again rather than given a delta
STATE_VERSION = 4          # of the state file (marshal: read and written by every edit's build) and of the documents


_TAG_NAME = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)[^>]*$")


def _indexed_element(html: bytes, mark: bytes = SEARCH_MARK) -> tuple[int, int] | None:
    """Where the element marked ``mark`` (``data-pagefind-body``) starts and ends in a page:
    None when the page has none, (-1, -1) when its tag cannot be read."""
    at = html.find(mark)
    if at < 0:
        return None
    start = html.rfind(b"<", 0, at)
    match = _TAG_NAME.match(html, start, at)
    if start < 0 or not match:
        return -1, -1
    name = match.group(1).lower()
    opening, closing = b"<" + name, b"</" + name + b">"
    depth, pos = 0, start
    end = len(html)
    while True:
        nxt_open = html.find(opening, pos + 1)
        nxt_close = html.find(closing, pos + 1)
        if nxt_close < 0:
            break
        if 0 <= nxt_open < nxt_close and html[nxt_open + len(opening): nxt_open + len(opening) + 1] in b" >\t\n/":
            depth += 1
            pos = nxt_open
            continue
        if depth == 0:
            end = nxt_close + len(closing)
            break
        depth -= 1
        pos = nxt_close
    return start, end


def indexed_digest(html: bytes) -> str | None:
    """A digest of what Pagefind reads from a page: its language and the element marked
    ``data-pagefind-body`` (None when the page has none). A page rewritten for something
    outside it (a side panel, the base template) needs no new index."""
    span = _indexed_element(html)
    if span is None:
        return None
    start, end = span
    if start < 0:
        return hashlib.blake2b(html, digest_size=16).hexdigest()
    lang = _HTML_TAG.search(html, 0, start)
    h = hashlib.blake2b(digest_size=16)
    h.update(lang.group(1) if lang else b"")
    h.update(b"\0")
    h.update(html[start:end])
    return h.hexdigest()


_HTML_TAG = re.compile(rb"<html[^>]*\blang=\"([^\"]*)\"")
_OPENING_HTML = re.compile(rb"<html\b[^>]*>", re.I)


def indexed_document(html: bytes) -> bytes:
    """What Pagefind needs of a page: its ``<html>`` tag (the language) and the element marked
    ``data-pagefind-body``; it indexes this exactly as the whole page (the same bundle, byte
    for byte) and ~10% faster. The whole page when anything else in it speaks to Pagefind
    (``data-pagefind-meta``, ``-filter``, ``-sort`` outside the element)."""
    span = _indexed_element(html)
    opening = _OPENING_HTML.search(html)
    if span is None or span[0] < 0 or opening is None or opening.end() > span[0]:
        return html
    start, end = span
    if html.find(b"data-pagefind-", 0, start) >= 0 or html.find(b"data-pagefind-", end) >= 0:
        return html
    return b"<!DOCTYPE html>" + opening.group(0) + b"<body>" + html[start:end] + b"</body></html>"


IGNORE_MARK = b"data-pagefind-ignore"
_BLOCK_END = re.compile(rb"</(?:p|h[1-6]|li|dd|dt|blockquote|figcaption|div|section|header|footer|td|th)>|<br\s*/?>", re.I)
_TAG = re.compile(rb"<[^>]*>")
_FIRST_H1 = re.compile(rb"<h1\b[^>]*>(.*?)</h1>", re.I | re.S)
_OPENING_HEAD = re.compile(rb"<head\b[^>]*>", re.I)


def _plain(markup: bytes) -> str:
    """The text of some markup: a space between blocks, none between inline elements."""
    text = _TAG.sub(b"", _BLOCK_END.sub(b" ", markup)).decode("utf-8", "replace")
    return " ".join(html_lib.unescape(text).split())


def indexed_text(html: bytes) -> tuple[str, str] | None:
    """(title, text) of what Pagefind would index of a page: the element marked
    ``data-pagefind-body`` less the elements marked ``data-pagefind-ignore``; the title is
    its first ``<h1>``. None when the page has no such element."""
    span = _indexed_element(html)
    if span is None or span[0] < 0:
        return None
    element = html[span[0]:span[1]]
    while True:
        ignored = _indexed_element(element, IGNORE_MARK)
        if ignored is None or ignored[0] < 0:
            break
        element = element[:ignored[0]] + b" " + element[ignored[1]:]
    title = _FIRST_H1.search(element)
    return (_plain(title.group(1)) if title else ""), _plain(element)


def _meta(name: str, value: str) -> bytes:
    return (f'<meta data-pagefind-meta="{name}[content]" content="{html_lib.escape(value, quote=True)}">'
            ).encode("utf-8")


def bilingual_document(html: bytes, counterpart: bytes | None) -> bytes:
    """What Pagefind indexes for a page and its Traditional counterpart: the page (cut to
    its indexed element, see ``indexed_document``) carrying the counterpart's title as
    metadata (META_TITLE), and its text (META_TEXT) when that is short."""
    return with_counterpart(indexed_document(html), counterpart)


def with_counterpart(doc: bytes, counterpart: bytes | None) -> bytes:
    """A page's document for Pagefind carrying its counterpart's title, and its text when at
    most CARRIED_TEXT_MAX characters, as metadata (in its ``<head>``: metadata is read from
    anywhere in a page, and the head is not indexed)."""
    found = indexed_text(counterpart) if counterpart is not None else None
    if found is None:
        return doc
    metas = _meta(META_TITLE, found[0])
    if len(found[1]) <= CARRIED_TEXT_MAX:
        metas += _meta(META_TEXT, found[1])
    head = _OPENING_HEAD.search(doc)
    if head is not None:
        return doc[:head.end()] + metas + doc[head.end():]
    opening = _OPENING_HTML.search(doc)
    at = opening.end() if opening is not None else 0
    return doc[:at] + b"<head>" + metas + b"</head>" + doc[at:]


def document_of(page: str, pages) -> str:
    """The page whose document indexes ``page``: a Traditional page is indexed with its
    Simplified counterpart when that is indexed too, any other page alone."""
    if urls.variant_of(page) == urls.HANT:
        other = urls.counterpart(page)
        if other in pages:
            return other
    return page


# --- the index: base parts and a delta -------------------------------------------------------
#
# A big site is indexed in parts of about PART_PAGES documents (a stable hash of the page picks
# its part), each its own Pagefind bundle, merged by the search page. Pagefind cannot update
# a bundle, and indexing costs about 4 ms a page, so an edit does not re-index its part:
# the pages changed since their part was indexed go into one small extra bundle, the delta,
# and ``parts.json`` lists their stale results in the parts (fragment id and URL) for the
# search page to drop. When the delta grows past DELTA_PAGES, the parts holding its pages
# are indexed again and the delta empties; so they are when those parts are small (at most
# FOLD_PAGES pages: a small site's index is always what a cold build makes), and when the
# caller asks to ``fold`` (serve does once the site has been quiet for a while). Without a
# delta, the bundles are byte for byte a cold build's. What each part holds (page → digest
# of what was indexed, fragment id, URL) is kept in a state file beside the build's cache.

# How a page stands in its part: (digest of what was indexed, fragment id, URL). Plain tuples,
# as marshal reads and writes them: ~8,000 are read and written by every edit's build.
DIGEST, FRAGMENT, URL = 0, 1, 2


@dataclass
class IndexState:
    parts: int
    pages: dict[str, tuple[str, str, str]]   # page → (DIGEST, FRAGMENT, URL)
    files: dict[str, FileState]              # the search files as last written

    @classmethod
    def load(cls, path: Path | None) -> "IndexState | None":
        if path is None:
            return None
        try:
            data = marshal.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                return None
            return cls(int(data["parts"]), dict(data["pages"]),
                       {p: FileState(*v) for p, v in data["files"].items()})
        except (OSError, ValueError, EOFError, KeyError, TypeError):
            return None

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        files = {p: (v.digest, v.size, v.mtime_ns) for p, v in self.files.items()}
        tmp.write_bytes(marshal.dumps({"version": STATE_VERSION, "parts": self.parts, "pages": self.pages,
                                       "files": files}))
        os.replace(tmp, path)


def part_count(pages: int, previous: int | None = None) -> int:
    """How many parts for this many pages; the previous count while it is still about right
    (a part count that changes re-indexes everything)."""
    if previous and -(-pages // int(PART_PAGES * 1.25)) <= previous <= max(1, -(-pages // (PART_PAGES // 2))):
        return previous
    return max(1, -(-pages // PART_PAGES))


def fold_memory_mb() -> float:
    """About the most that folding a delta holds: the indexer and one part's Pagefind run."""
    return PART_PAGES * PAGEFIND_MB_PER_PAGE + INDEXER_MB


def part_prefix(number: int | str) -> str:
    if number == 0:
        return urls.SEARCH_BUNDLE_DIR
    if number == DELTA_DIR:
        return f"{urls.SEARCH_BUNDLE_DIR}/{DELTA_DIR}"
    return f"{urls.SEARCH_BUNDLE_DIR}/{PARTS_DIR}/{number}"


def part_of(page: str, parts: int) -> int:
    """The part a page is indexed in: stable (a hash), both scripts of a page together."""
    key = page if urls.variant_of(page) == urls.HANS else urls.counterpart(page)
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "big") % parts


def _more_pages_than(pages, numbers: set[int], parts: int, limit: int) -> bool:
    """Whether the parts ``numbers`` hold more than ``limit`` of ``pages`` (counted until they do)."""
    if not numbers:
        return False
    count = 0
    for page in pages:
        if part_of(page, parts) in numbers:
            count += 1
            if count > limit:
                return True
    return False


def marked_pages(out_dir: Path) -> dict[str, str]:
    """Every page of the folder Pagefind would index, with the digest of what it indexes."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(out_dir):
        rel_dir = os.path.relpath(dirpath, out_dir)
        dirnames[:] = sorted(d for d in dirnames if not (rel_dir == "." and d == urls.SEARCH_BUNDLE_DIR))
        for name in filenames:
            if name.endswith(".html"):
                full = os.path.join(dirpath, name)
                with open(full, "rb") as fh:
                    marked = indexed_digest(fh.read())
                if marked is not None:
                    found[os.path.relpath(full, out_dir).replace(os.sep, "/")] = marked
    return found


def _page_url(page: str) -> str:
    """The URL Pagefind records for a page (it drops ``index.html``)."""
    return "/" + (page[: -len("index.html")] if page.endswith("/index.html") or page == "index.html" else page)


WARM_NICENESS = 10


class PagefindService:
    """Pagefind in service mode (``--service``: requests on stdin, replies on stdout), started
    before it is needed. A Pagefind run spends ~0.27 s loading its Chinese dictionary before
    the first page; a service asked to index a small page at start does that beside the
    build, so the delta of a one-article edit is then indexed in ~0.02 s. The bundle it
    writes is byte-identical to the command line's."""

    WARM_UP_PAGE = '<html lang="zh-CN"><body><main data-pagefind-body><p>长三角科技合作</p></main></body></html>'

    def __init__(self, exe: Path):
        # at a lower priority: its warm-up must not slow the build it waits for
        self.proc = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, preexec_fn=_lower_priority)
        self.sent = 0
        self._buffer = b""
        self._send({"type": "NewIndex", "config": None})   # index 0: only for the warm-up
        self._send({"type": "AddFile", "index_id": 0, "url": "/", "file_contents": self.WARM_UP_PAGE})

    def _send(self, payload: dict) -> int:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}).encode("utf-8")
        self.proc.stdin.write(base64.b64encode(message) + b",")
        self.proc.stdin.flush()
        return self.sent

    def _reply(self, message_id: int) -> dict:
        while True:
            while b"," not in self._buffer:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    raise OSError("the Pagefind service ended")
                self._buffer += chunk
            message, self._buffer = self._buffer.split(b",", 1)
            reply = json.loads(base64.b64decode(message))
            if reply.get("message_id") == message_id or reply.get("message_id") is None:
                return reply.get("payload") or {}

    def request(self, payload: dict) -> dict:
        reply = self._reply(self._send(payload))
        if reply.get("type") == "Error":
            raise OSError(reply.get("message") or "the Pagefind service failed")
        return reply

    def index(self, site_dir: Path, bundle: Path) -> None:
        """What ``pagefind --site site_dir --output-path bundle`` does. The files are asked
        for (``GetFiles``) and written here: the service's own ``WriteFiles`` replies while
        its last writes may still be under way, and a bundle read then can be cut short."""
        index_id = self.request({"type": "NewIndex", "config": None})["index_id"]
        self.request({"type": "AddDir", "index_id": index_id, "path": str(site_dir)})
        for file in self.request({"type": "GetFiles", "index_id": index_id})["files"]:
            target = sanitised_join(bundle, file["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(file["content"]))

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def _lower_priority() -> None:   # in the forked child, before Pagefind starts
    os.nice(WARM_NICENESS)


_WARM: list[PagefindService] = []
_WARM_LOCK = threading.Lock()


def warm_up() -> None:
    """Start a Pagefind service for the next run of this process (see PagefindService).
    Without Pagefind nothing starts: the run itself says what is missing."""
    with _WARM_LOCK:
        if not _WARM:
            try:
                _WARM.append(PagefindService(pagefind_executable()))
            except (BriefingError, OSError):
                pass


def _warm_service() -> PagefindService | None:
    with _WARM_LOCK:
        return _WARM.pop() if _WARM else None


def cool_down() -> None:
    """Stop a service started and not used (the build needed no search run)."""
    service = _warm_service()
    if service is not None:
        service.close()


def _run_pagefind(exe: Path, site_dir: Path, bundle: Path) -> str | None:
    """Index ``site_dir`` into ``bundle``: with the warm service if there is one, else a run
    of the command. None, or what went wrong."""
    service = _warm_service()
    if service is not None:
        try:
            service.index(site_dir, bundle)
            return None
        except (OSError, ValueError, KeyError, BriefingError):   # the service failed: the command says why
            shutil.rmtree(bundle, ignore_errors=True)
        finally:
            service.close()
    proc = subprocess.run([str(exe), "--site", str(site_dir), "--output-path", str(bundle), "--silent"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        return detail[-1] if detail else f"exit {proc.returncode}"
    return None


def _documents(pages: list[str], indexed) -> dict[str, str | None]:
    """The documents that index ``pages``: each its page → its Traditional counterpart (None
    when it has none among ``indexed``, the pages of the whole index)."""
    documents: dict[str, str | None] = {}
    for doc in sorted({document_of(p, indexed) for p in pages}):
        other = urls.counterpart(doc)
        documents[doc] = other if urls.variant_of(doc) == urls.HANS and other in indexed else None
    return documents


# Pagefind reads its documents from a folder, one page a folder (the page's URL is its path):
# they are written to a memory-backed folder where the system has one, Linux's /dev/shm. On
# this machine's ext4, making a folder and a file there cost ~0.3-0.7 ms of kernel CPU each,
# ~100 times tmpfs's: written there, the 2,000-article site's search step took 25-30% less
# time (10.3-12.7 s -> 7.7-9.2 s). The bundle Pagefind writes stays beside the output folder
# (moved into it, not copied).
MEMORY_FOLDER = Path("/dev/shm")
DOCUMENTS_PREFIX = "briefing-search-"


def documents_root(work: Path) -> Path:
    """The folder this process writes Pagefind's documents under: in MEMORY_FOLDER when it
    is there and writable, else ``work`` (beside the output folder)."""
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return MEMORY_FOLDER / f"{DOCUMENTS_PREFIX}{os.getpid()}"
    return work


def _write_documents(site_dir: Path, out_dir: Path, documents: dict[str, str | None]) -> None:
    made: set[Path] = set()
    for page, other in documents.items():  # at their own relative paths, cut to what Pagefind indexes
        dest = site_dir.joinpath(*page.split("/"))
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        html = out_dir.joinpath(*page.split("/")).read_bytes()
        dest.write_bytes(bilingual_document(html, out_dir.joinpath(*other.split("/")).read_bytes()
                                            if other is not None else None))


def _index_bundle(exe: Path, out_dir: Path, documents: dict[str, str | None], work: Path,
                  name: str, docs_root: Path | None = None) -> tuple[Path, dict[str, tuple[str, str]]]:
    """Run Pagefind over some documents (page of ``out_dir`` → its counterpart, see
    ``_documents``), written under ``docs_root`` (``work`` when None, or when that fails:
    a memory folder may be small); (bundle folder in ``work``, document page → (fragment id, URL))."""
    root = docs_root or work
    site_dir = root / f"site-{name}"
    bundle = work / f"bundle-{name}"
    try:
        _write_documents(site_dir, out_dir, documents)
    except OSError:
        shutil.rmtree(site_dir, ignore_errors=True)
        if root == work:
            raise
        site_dir = work / f"site-{name}"
        _write_documents(site_dir, out_dir, documents)
    failure = _run_pagefind(exe, site_dir, bundle)
    shutil.rmtree(site_dir, ignore_errors=True)
    if failure is not None:
        raise BriefingError(str(out_dir), "search index failed: " + failure)
    _normalise_entry(bundle / "pagefind-entry.json")
    by_url = {_page_url(p): p for p in documents}
    fragments: dict[str, tuple[str, str]] = {}
    for file in sorted((bundle / "fragment").glob("*.pf_fragment")):
        url = fragment_url(file.read_bytes())
        if url in by_url:
            fragments[by_url[url]] = (file.name[: -len(".pf_fragment")], url)
    return bundle, fragments


FRAGMENT_SIGNATURE = b"pagefind_dcd"   # what Pagefind puts before a fragment's JSON
_URL_FIRST = b'{"url":'
_JSON = json.JSONDecoder()


def fragment_url(gzipped: bytes) -> str:
    """The page URL a Pagefind fragment file (gzipped JSON) is about. Pagefind writes the URL
    first, so only the fragment's beginning is unpacked (its text, most of it, is not: at
    10,000 articles 2.0 -> 0.6 s of CPU for 12,900 fragments); anything else is read whole."""
    head = zlib.decompressobj(wbits=31).decompress(gzipped, 1024).removeprefix(FRAGMENT_SIGNATURE)
    if head.startswith(_URL_FIRST):
        try:
            url, _ = _JSON.raw_decode(head[len(_URL_FIRST):].decode("utf-8", "ignore"))
            if isinstance(url, str):
                return url
        except ValueError:   # cut inside the URL: read it all
            pass
    data = gzip.decompress(gzipped).removeprefix(FRAGMENT_SIGNATURE)
    url = json.loads(data).get("url", "")
    return url if isinstance(url, str) else ""


def build_search_index(out_dir: Path, previous: dict[str, FileState] | None, states: dict[str, FileState],
                       pages: dict[str, str] | None = None, state_path: Path | None = None,
                       runs: int = PAGEFIND_RUNS, fold: bool = False,
                       only_delta: bool = False) -> tuple[list[str], list[str], list[str]] | None:
    """Bring the search index of ``out_dir`` in line with its pages; mirror the bundles into it.

    ``pages``: page → ``indexed_digest`` of every page carrying ``data-pagefind-body`` (found
    by reading the folder when not given). ``previous``: the search files as the last build
    left them (None or empty: as the state file recorded them); ``state_path``: where what the
    parts hold is kept between builds (without it, or when it does not match the folder, every
    part is indexed); ``runs``: Pagefind runs at once; ``fold``: index again the parts of
    the pages changed since their part was indexed, leaving no delta; ``only_delta``: do
    nothing and return None when any part would be indexed again (only a delta is made).
    Returns (written, unchanged, removed); ``states`` receives the state of every search file.
    """
    exe = pagefind_executable()
    if pages is None:
        pages = marked_pages(out_dir)
    state = IndexState.load(state_path)
    if not previous:  # none given (serve's indexer), or a build that did not track them
        previous = _still_in_place(out_dir, state.files) if state else {}
    parts = part_count(sum(1 for p in pages if document_of(p, pages) == p), state.parts if state else None)
    prefix0 = urls.SEARCH_BUNDLE_DIR + "/"

    def bundle_of(path: str) -> int | str | None:
        """The bundle a search file belongs to (None: parts.json and the shared files)."""
        if not path.startswith(prefix0):
            return None
        rest = path[len(prefix0):]
        if rest.startswith(PARTS_DIR + "/"):
            number = rest.split("/", 2)[1]
            return int(number) if number.isdigit() else None
        if rest.startswith(DELTA_DIR + "/"):
            return DELTA_DIR
        return None if rest == PARTS_FILE else 0

    previous_in: dict[int | str | None, dict[str, FileState]] = {}   # bundle → its files as they were
    for k, v in previous.items():
        previous_in.setdefault(bundle_of(k), {})[k] = v
    present = {n for n, files in previous_in.items() if any(k.endswith("pagefind-entry.json") for k in files)}
    if state is None or state.parts != parts or any(n not in present for n in range(parts)):
        state = IndexState(parts, {}, {})
        redo = set(range(parts))
        delta: list[str] = []
    else:
        stale = {p for p, rec in state.pages.items() if pages.get(p) != rec[DIGEST]}
        fresh = sorted(p for p, d in pages.items() if p in stale or p not in state.pages)
        touched = {part_of(p, parts) for p in stale | set(fresh)}
        if fold or len(stale | set(fresh)) > DELTA_PAGES or not _more_pages_than(pages, touched, parts, FOLD_PAGES):
            redo = touched
            delta = []
        else:
            redo = set()
            delta = fresh
    if only_delta and redo:
        return None
    # which part each page is in, for the parts indexed again only (an edit's delta, the
    # usual case, needs none of it: at 10,000 articles ~38,000 pages hashed)
    groups: dict[int, list[str]] = {n: [] for n in redo}
    if redo:
        for page in sorted(pages):
            n = part_of(page, parts)
            if n in groups:
                groups[n].append(page)
        # what the state holds of those parts is made again below (one pass, not one a part)
        for page in [p for p in state.pages if part_of(p, parts) in groups]:
            del state.pages[page]

    written: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []

    def mirror(bundle: Path | None, number: int | str) -> None:
        mine = previous_in.get(number, {})
        if bundle is None:  # the bundle is no longer needed
            for k in mine:
                sanitised_join(out_dir, k).unlink(missing_ok=True)
            removed.extend(mine)
            if number != 0:
                shutil.rmtree(out_dir / part_prefix(number), ignore_errors=True)
            return
        keep_out = (PARTS_DIR, DELTA_DIR, PARTS_FILE) if number == 0 else ()
        w, u, r = sync_folder(bundle, out_dir, part_prefix(number), mine, states, exclude=keep_out)
        written.extend(w)
        unchanged.extend(u)
        removed.extend(r)

    work = out_dir.parent / f".{out_dir.name}.staging-search-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    docs_root = documents_root(work)
    if docs_root != work:
        remove_abandoned(docs_root.parent, DOCUMENTS_PREFIX)   # of builds that were killed
    # the parts are indexed in the background, ``runs`` at once, and each is mirrored
    # into the folder in part order as it comes (the result does not depend on which run
    # ends first)
    pool = ThreadPoolExecutor(max_workers=max(1, runs), thread_name_prefix="pagefind")
    runs = {n: pool.submit(_index_bundle, exe, out_dir, _documents(groups[n], pages), work, str(n), docs_root)
            for n in range(parts) if n in redo and groups[n]}
    if delta:
        runs[DELTA_DIR] = pool.submit(_index_bundle, exe, out_dir, _documents(delta, pages), work, DELTA_DIR,
                                      docs_root)
    try:
        for n in range(parts):
            if n not in redo:
                states.update(previous_in.get(n, {}))
                unchanged.extend(previous_in.get(n, {}))
                continue
            if not groups[n]:
                mirror(None, n)
                continue
            bundle, fragments = runs[n].result()
            for p in groups[n]:   # both pages of a document are its result
                made = fragments.get(document_of(p, pages))
                if made is not None:
                    state.pages[p] = (pages[p], *made)
            mirror(bundle, n)
            shutil.rmtree(bundle, ignore_errors=True)
        if delta:
            bundle, _ = runs[DELTA_DIR].result()
            mirror(bundle, DELTA_DIR)
        else:
            mirror(None, DELTA_DIR)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)   # after a failure: no new run starts
        shutil.rmtree(work, ignore_errors=True)
        if docs_root != work:
            shutil.rmtree(docs_root, ignore_errors=True)
    # parts that no longer exist (the corpus shrank below a part boundary)
    for n, files in previous_in.items():
        if isinstance(n, int) and n >= parts:
            for k in files:
                if k not in removed:
                    sanitised_join(out_dir, k).unlink(missing_ok=True)
                    removed.append(k)
    parts_root = out_dir / urls.SEARCH_BUNDLE_DIR / PARTS_DIR
    if parts_root.is_dir():
        for child in sorted(parts_root.iterdir()):
            if not (child.name.isdigit() and 0 < int(child.name) < parts):
                shutil.rmtree(child, ignore_errors=True)

    # the list for the search page: every bundle, and the results of the parts that are stale
    stale = sorted({(rec[FRAGMENT], rec[URL]) for p, rec in state.pages.items() if pages.get(p) != rec[DIGEST]})
    bundles = [part_prefix(m) + "/" for m in range(parts)] + ([part_prefix(DELTA_DIR) + "/"] if delta else [])
    listing = {"bundles": [urls.href(prefix0 + PARTS_FILE, b) for b in bundles],
               "stale": [list(s) for s in stale]}
    rel = prefix0 + PARTS_FILE
    staging = staging_dir_for(out_dir)
    try:
        status, file_state = prepare(out_dir, staging, rel, json.dumps(listing, separators=(",", ":")).encode(),
                                     previous.get(rel))
        states[rel] = file_state
        if status == "staged":
            commit(out_dir, staging, [rel], states)
            written.append(rel)
        else:
            unchanged.append(rel)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for k in removed:
        states.pop(k, None)
    state.files = dict(states)
    state.save(state_path)
    return sorted(written), sorted(unchanged), sorted(set(removed))


def _still_in_place(out_dir: Path, files: dict[str, FileState]) -> dict[str, FileState]:
    """The recorded files whose size and mtime show they are still as they were written."""
    kept = {}
    for rel, st in files.items():
        try:
            now = os.stat(out_dir.joinpath(*rel.split("/")))
        except OSError:
            continue
        if now.st_size == st.size and now.st_mtime_ns == st.mtime_ns:
            kept[rel] = st
    return kept


def _normalise_entry(entry: Path) -> None:
    """Pagefind writes its language table in hash-map order; sort it so rebuilds are byte-identical."""
    if entry.exists():
        data = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
