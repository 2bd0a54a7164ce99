"""Jinja2 rendering: the project's ``templates/`` first, then the theme; errors name the
template, its line and the page being rendered.

Autoescape is on for every template (HTML and XML alike) and undefined names fail
(StrictUndefined). A page is rendered with a fresh Reader (``h``) that records the
dependency keys it reads.
"""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path
from typing import Any

import jinja2
import opencc
from jinja2 import meta
from jinja2.ext import Extension
from jinja2.lexer import Token

from briefing.errors import BriefingError
from briefing.site.model import Site
from briefing.site.variants import ui
from briefing.site.views import Reader

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
THEME_TEMPLATES = THEME_DIR / "templates"
THEME_STATIC = THEME_DIR / "static"


def make_environment(templates_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment; with ``cache_dir``, compiled templates are kept there between runs."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None and Path(templates_dir).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(THEME_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
        bytecode_cache=_bytecode_cache(cache_dir),
    )
    return env


def _bytecode_cache(cache_dir: str | Path | None) -> jinja2.BytecodeCache | None:
    if cache_dir is None:
        return None
    folder = Path(cache_dir) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


class FoldedTranslations(Extension):
    """``_('文字')`` (the UI-string function on a literal) compiled as the literal in the
    environment's script, not called on every render: a page called it ~70 times, each
    through Jinja's call machinery (~4 us; a constant costs ~0.1 us). Only a literal
    argument is folded; ``_(name)`` and ``x._('…')`` are left as calls."""

    def filter_stream(self, stream):
        variant = getattr(self.environment, "briefing_variant", None)
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (variant is not None and token.type == "name" and token.value == "_" and i + 3 < len(tokens)
                    and tokens[i + 1].type == "lparen" and tokens[i + 2].type == "string"
                    and tokens[i + 3].type == "rparen" and (i == 0 or tokens[i - 1].type != "dot")):
                yield Token(token.lineno, "string", ui(tokens[i + 2].value, variant))
                i += 4
                continue
            yield token
            i += 1


class _ScriptBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates of one script's environment: kept apart from the other script's
    (the same source compiles to other constants) and from another conversion table's."""

    def __init__(self, directory: str, salt: str):
        super().__init__(directory)
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}\0{name}", filename)


def _conversion_salt(variant: str) -> str:
    """What the folded constants of ``variant`` depend on besides the template source."""
    probe = "简体中文网站导航文章地区合作机制主题时间线人物机构关于搜索"
    # the module's own version attribute: asking importlib.metadata took ~45 ms a process
    opencc_version = getattr(opencc, "__version__", "?")
    return hashlib.blake2b(f"{variant}\0{opencc_version}\0{ui(probe, variant)}".encode(), digest_size=8).hexdigest()


def script_environment(env: jinja2.Environment, variant: str) -> jinja2.Environment:
    """The environment the pages of one script are rendered with: ``env`` with the UI
    strings of its templates folded into that script (see FoldedTranslations). Made once
    per ``env`` and script."""
    made = env.__dict__.setdefault("_briefing_scripts", {})
    found = made.get(variant)
    if found is None:
        base_cache = env.bytecode_cache
        cache = None
        if isinstance(base_cache, jinja2.FileSystemBytecodeCache):
            cache = _ScriptBytecodeCache(base_cache.directory, _conversion_salt(variant))
        found = env.overlay(extensions=[FoldedTranslations], cache_size=-1, bytecode_cache=cache)
        found.briefing_variant = variant
        made[variant] = found
    return found


class TemplateFingerprints:
    """A fingerprint per template over its source and every template it extends/includes/imports."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._closure: dict[str, frozenset[str]] = {}
        self._refs: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._fp: dict[str, str] = {}

    def tables(self) -> tuple[dict, dict, dict]:
        """What has been worked out so far (to save with the builder's state)."""
        return dict(self._refs), dict(self._closure), dict(self._fp)

    def adopt(self, tables: tuple[dict, dict, dict]) -> None:
        """Start from saved tables, made from these very template files."""
        refs, closure, fps = tables
        self._refs.update(refs)
        self._closure.update(closure)
        self._fp.update(fps)

    def _source(self, name: str) -> tuple[str, str]:
        source, filename, _ = self.env.loader.get_source(self.env, name)
        return source, filename

    def _references(self, name: str) -> tuple[tuple[str, ...], bool]:
        if name not in self._refs:
            source, _ = self._source(name)
            found = list(meta.find_referenced_templates(self.env.parse(source)))
            self._refs[name] = (tuple(sorted(r for r in found if r is not None)), None in found)
        return self._refs[name]

    def closure(self, name: str) -> frozenset[str]:
        if name in self._closure:
            return self._closure[name]
        seen: set[str] = set()
        stack = [name]
        dynamic = False
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            refs, is_dynamic = self._references(current)
            dynamic = dynamic or is_dynamic
            stack.extend(r for r in refs if r not in seen)
        if dynamic:  # a computed template name: depend on every template
            seen.update(self.env.list_templates())
        self._closure[name] = frozenset(seen)
        return self._closure[name]

    def fingerprint(self, name: str) -> str:
        if name not in self._fp:
            h = hashlib.blake2b(digest_size=8)
            for dep in sorted(self.closure(name)):
                source, filename = self._source(dep)
                h.update(f"{dep}\0{filename}\0".encode())
                h.update(source.encode("utf-8"))
            self._fp[name] = h.hexdigest()
        return self._fp[name]


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in an exception's traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name, exc.lineno
    found: tuple[str | None, int | None] = (None, None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (filename, lineno)
    return found


def render_page(env: jinja2.Environment, template: str, site: Site, variant: str, page: str,
                config: dict[str, Any], args: dict[str, Any]) -> tuple[str, frozenset[str]]:
    """Render one page: (text, the dependency keys it read). BriefingError on any template error."""
    h = Reader(site, variant, page, config)
    try:
        text = script_environment(env, variant).get_template(template).render(h=h, _=h._, page=page, **args)
    except Exception as exc:  # noqa: BLE001 - every template failure becomes one clear error
        filename, line = _template_frame(exc)
        kind = type(exc).__name__
        message = getattr(exc, "message", None) or str(exc)
        raise BriefingError(filename or template, f"{kind} while rendering {page}: {message}", line) from None
    return text, frozenset(h.deps)

