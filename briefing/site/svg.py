"""Inline SVG drawn at build time: a dot map, a year-bar timeline and a partner network.

No scripts, no external resources. Each figure has a ``<title>`` (its accessible name),
links carry an ``aria-label``, and the caller renders a text alternative (a list) next to
it. Coordinates are rounded so output is byte-stable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class MapPoint:
    label: str
    lat: float
    lon: float
    size: int            # the dot's size class (0: smallest); see dot_radius
    href: str | None
    note: str = ""       # e.g. "10–29 篇", appended to the accessible label


def dot_radius(size: int) -> float:
    """A map dot's radius for its size class: the same on every map, so a legend explains it."""
    return 3.5 + 1.75 * max(size, 0)


def _linked(body: str, href: str | None, label: str) -> str:
    """A chart element: a link (with an accessible name) where it has a page, else a group."""
    return f'<a href="{_e(href)}" aria-label="{_e(label)}">{body}</a>' if href else f"<g>{body}</g>"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _core(pts: list[MapPoint], max_span: float = 7.0) -> list[MapPoint]:
    """The points of the main cluster: within ``max_span``/2 degrees of the weighted median,
    when that holds most of the weight; otherwise all points."""
    lats = sorted(p.lat for p in pts)
    lons = sorted(p.lon for p in pts)
    if lats[-1] - lats[0] <= max_span and lons[-1] - lons[0] <= max_span:
        return pts

    def wmedian(values: list[tuple[float, float]]) -> float:
        values = sorted(values)
        total = sum(w for _, w in values) or 1
        acc = 0.0
        for v, w in values:
            acc += w
            if acc >= total / 2:
                return v
        return values[-1][0]

    mlat = wmedian([(p.lat, p.size + 0.01) for p in pts])
    mlon = wmedian([(p.lon, p.size + 0.01) for p in pts])
    core = [p for p in pts if abs(p.lat - mlat) <= max_span / 2 and abs(p.lon - mlon) <= max_span / 2]
    total = sum(p.size + 0.01 for p in pts)
    if len(core) >= 2 and sum(p.size + 0.01 for p in core) >= 0.6 * total:
        return core
    return pts


def dot_map(points: list[MapPoint], title: str, ident: str, *, legend: dict[int, str] | None = None,
            width: int = 640, height: int = 440, label_limit: int = 16) -> Markup:
    """Places as dots on an equirectangular projection of their main cluster's bounding box.

    Places far outside the main cluster are drawn on the frame's edge in their direction,
    with a hollow dot, so the cluster stays readable. Labels that would overlap are left out
    (every dot keeps its accessible name). Dots are graduated symbols: one radius per size
    class; ``legend`` (size class → text) draws, below the map, the classes it shows.
    """
    pts = [p for p in points if p.lat is not None and p.lon is not None]
    if not pts:
        return Markup("")
    core = _core(pts)
    core_ids = {id(p) for p in core}
    pad = 0.35
    lat0, lat1 = min(p.lat for p in core) - pad, max(p.lat for p in core) + pad
    lon0, lon1 = min(p.lon for p in core) - pad, max(p.lon for p in core) + pad
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * kx, 0.5)
    span_y = max(lat1 - lat0, 0.5)
    margin = 34
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    ox = (width - span_x * scale) / 2
    oy = (height - span_y * scale) / 2
    frame = (ox, oy, ox + span_x * scale, oy + span_y * scale)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - lon0) * kx * scale, oy + (lat1 - lat) * scale

    step = 1 if max(lon1 - lon0, lat1 - lat0) <= 12 else 5
    grid = [f'<rect x="{frame[0]:.1f}" y="{frame[1]:.1f}" width="{frame[2] - frame[0]:.1f}" '
            f'height="{frame[3] - frame[1]:.1f}" class="frame"/>']
    for g in range(math.ceil(lon0 / step) * step, math.floor(lon1) + 1, step):
        x, _ = xy(lat0, g)
        grid.append(f'<line x1="{x:.1f}" y1="{frame[1]:.1f}" x2="{x:.1f}" y2="{frame[3]:.1f}"/>')
        grid.append(f'<text x="{x + 2:.1f}" y="{frame[3] + 12:.1f}" class="grid-label">{g}°E</text>')
    for g in range(math.ceil(lat0 / step) * step, math.floor(lat1) + 1, step):
        _, y = xy(g, lon0)
        grid.append(f'<line x1="{frame[0]:.1f}" y1="{y:.1f}" x2="{frame[2]:.1f}" y2="{y:.1f}"/>')
        grid.append(f'<text x="{frame[0] + 2:.1f}" y="{y - 2:.1f}" class="grid-label">{g}°N</text>')

    placed: list[tuple[float, float, float, float]] = []
    positions = {}
    for p in pts:
        x, y = xy(p.lat, p.lon)
        if id(p) not in core_ids:  # off the map: onto the frame, in its direction
            x = min(max(x, frame[0]), frame[2])
            y = min(max(y, frame[1]), frame[3])
        positions[id(p)] = (x, y, dot_radius(p.size))
    biggest_first = sorted(pts, key=lambda p: (-p.size, p.label))
    labelled = set()
    for p in biggest_first[:label_limit]:
        x, y, r = positions[id(p)]
        w = 13 * len(p.label) + 4
        box = (x + r + 2, y - 10, x + r + 2 + w, y + 6)
        if box[2] > width:
            box = (x - r - 2 - w, y - 10, x - r - 2, y + 6)
        if any(not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3]) for b in placed):
            continue
        placed.append(box)
        labelled.add(id(p))
        positions[id(p)] = (x, y, r, box)
    dots = []
    for p in biggest_first:  # small dots drawn last, on top
        pos = positions[id(p)]
        x, y, r = pos[0], pos[1], pos[2]
        name = p.label + (f"（{p.note}）" if p.note else "")
        cls = "" if id(p) in core_ids else ' class="off"'
        circle = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"{cls}/>'
        text = ""
        if id(p) in labelled:
            box = pos[3]
            text = f'<text x="{box[0]:.1f}" y="{y + 4:.1f}">{_e(p.label)}</text>'
        if p.href:
            dots.append(f'<a href="{_e(p.href)}" aria-label="{_e(name)}">{circle}{text}</a>')
        else:
            dots.append(f'<g>{circle}{text}</g>')
    key, key_height = _map_legend(sorted({p.size for p in pts}), legend or {}, width, height)
    return Markup(
        f'<svg class="map" viewBox="0 0 {width} {height + key_height}" role="group" aria-labelledby="{ident}-t">'
        f'<title id="{ident}-t">{_e(title)}</title>'
        f'<g class="grid">{"".join(grid)}</g><g class="dots">{"".join(dots)}</g>{key}</svg>'
    )


def _map_legend(sizes: list[int], texts: dict[int, str], width: int, top: int) -> tuple[str, int]:
    """The size classes a map shows, a dot and its text each, in rows below the map: (markup,
    height). Hidden from assistive technology: each dot's accessible name says its class."""
    items = [(size, texts[size]) for size in sizes if size in texts]
    if not items:
        return "", 0
    row = 2 * dot_radius(max(size for size, _ in items)) + 8
    x, y, parts = 34.0, top + row / 2, []
    for size, text in items:
        r = dot_radius(size)
        wide = 2 * r + 6 + sum(13 if ord(c) > 0x2e80 else 7 for c in text) + 18
        if x + wide > width - 10 and parts:
            x, y = 34.0, y + row
        parts.append(f'<circle cx="{x + r:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                     f'<text x="{x + 2 * r + 6:.1f}" y="{y + 4:.1f}">{_e(text)}</text>')
        x += wide
    return f'<g class="legend" aria-hidden="true">{"".join(parts)}</g>', int(y + row / 2 - top + 0.5)


def year_bars(years: list[tuple[int, int, str | None]], title: str, ident: str, *, width: int = 640,
              height: int = 160) -> Markup:
    """One bar per year (height = entries), each linking to that year's timeline."""
    if not years:
        return Markup("")
    top = max(c for _, c, _ in years) or 1
    n = len(years)
    gap = 6
    bar_w = max(8.0, min(48.0, (width - gap * (n + 1)) / n))
    total = n * bar_w + (n + 1) * gap
    base = height - 22
    parts = []
    for i, (year, count, href) in enumerate(years):
        x = gap + i * (bar_w + gap) + (width - total) / 2
        h = max(2.0, (base - 18) * count / top)
        rect = f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}"/>'
        labels = (f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{year}</text>'
                  f'<text x="{x + bar_w / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" class="count">{count}</text>')
        parts.append(_linked(rect + labels, href, f"{year}：{count}"))
    return Markup(
        f'<svg class="bars" viewBox="0 0 {width} {height}" role="group" aria-labelledby="{ident}-t">'
        f'<title id="{ident}-t">{_e(title)}</title>{"".join(parts)}</svg>'
    )


def partner_network(center: str, partners: list[tuple[str, int, str | None]], title: str, ident: str, *,
                    size: int = 420, limit: int = 16) -> Markup:
    """The region in the middle, its partners on a circle; line width = times co-mentioned."""
    if not partners:
        return Markup("")
    shown = partners[:limit]
    top = max(c for _, c, _ in shown) or 1
    cx = cy = size / 2
    radius = size / 2 - 70
    lines, nodes = [], []
    for i, (label, count, href) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        w = 1 + 5 * count / top
        lines.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke-width="{w:.1f}"/>')
        anchor = "start" if math.cos(angle) > 0.2 else ("end" if math.cos(angle) < -0.2 else "middle")
        dx = 9 if anchor == "start" else (-9 if anchor == "end" else 0)
        dy = 4 if anchor != "middle" else (18 if math.sin(angle) > 0 else -10)
        body = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6"/>'
                f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">{_e(label)}</text>')
        nodes.append(_linked(body, href, f"{label}（{count}）"))
    center_node = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" class="center"/>'
                   f'<text x="{cx:.1f}" y="{cy + 26:.1f}" text-anchor="middle" class="center">{_e(center)}</text>')
    return Markup(
        f'<svg class="network" viewBox="0 0 {size} {size}" role="group" aria-labelledby="{ident}-t">'
        f'<title id="{ident}-t">{_e(title)}</title><g class="edges">{"".join(lines)}</g>'
        f'{"".join(nodes)}{center_node}</svg>'
    )
