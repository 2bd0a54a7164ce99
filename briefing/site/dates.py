"""Dates as a reader sees them, with their precision shown honestly.

A month-precision date is printed as a month (2021年5月), never as the 1st; a year as a
year; part-of-month as 上旬/中旬/下旬; a season as 春季...; ranges, starts (自…起) and
cut-offs (截至…) say so. The machine-readable form for ``<time datetime>`` keeps the same
precision (2021-05, 2021).
"""

from __future__ import annotations

import re

_SEASONS = {12: "冬季", 1: "冬季", 2: "冬季", 3: "春季", 4: "春季", 5: "春季",
            6: "夏季", 7: "夏季", 8: "夏季", 9: "秋季", 10: "秋季", 11: "秋季"}


_ZONE = re.compile(r"^(?:Z|[+-]\d{2}:\d{2})$")


def _parts(iso: str) -> tuple[int, int | None, int | None]:
    bits = iso.split("-")
    year = int(bits[0])
    month = int(bits[1]) if len(bits) > 1 else None
    day = int(bits[2]) if len(bits) > 2 else None
    return year, month, day


def _part_of_month(day: int | None) -> str:
    if day is None or day <= 10:
        return "上旬"
    return "中旬" if day <= 20 else "下旬"


def format_date(iso: str, precision: str) -> str:
    """``2021-05-27`` with ``month`` precision → ``2021年5月`` (Simplified; same in Traditional)."""
    year, month, day = _parts(iso)
    if precision == "year" or month is None:
        return f"{year}年"
    if precision == "month":
        return f"{year}年{month}月"
    if precision == "part-of-month":
        return f"{year}年{month}月{_part_of_month(day)}"
    if precision == "season":
        return f"{year}年{_SEASONS[month]}"
    if day is None:
        return f"{year}年{month}月"
    return f"{year}年{month}月{day}日"


def format_range(start: str, end: str, precision: str) -> str:
    """A range, without repeating the year or month the two ends share."""
    first = format_date(start, precision)
    end_precision = precision if precision in ("day", "month", "year") else "day"
    y1, m1, _ = _parts(start)
    y2, m2, d2 = _parts(end)
    if end_precision == "day" and d2 is not None:
        if (y1, m1) == (y2, m2):
            tail = f"{d2}日"
        elif y1 == y2:
            tail = f"{m2}月{d2}日"
        else:
            tail = format_date(end, "day")
    elif m2 is not None and end_precision != "year":
        tail = f"{m2}月" if y1 == y2 else format_date(end, "month")
    else:
        tail = format_date(end, "year")
    return f"{first}—{tail}"


def format_event_date(date: str, precision: str, kind: str = "point", end: str | None = None) -> str:
    """The date phrase of a timeline event (range, start, cut-off)."""
    if end:
        text = format_range(date, end, precision)
    else:
        text = format_date(date, precision)
    if kind == "start":
        return f"自{text}起"
    if kind == "cutoff":
        return f"截至{text}"
    return text


def datetime_attr(iso: str, precision: str, time: str | None = None, timezone: str | None = None) -> str:
    """The value for ``<time datetime>`` at the date's own precision (with the time when known)."""
    year, month, day = _parts(iso)
    if precision == "year" or month is None:
        return f"{year:04d}"
    if precision in ("month", "season", "part-of-month") or day is None:
        return f"{year:04d}-{month:02d}"
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if time:
        text += "T" + time
        if timezone and _ZONE.match(timezone):
            text += timezone
    return text


def precision_of(iso: str) -> str:
    return {1: "year", 2: "month"}.get(len(iso.split("-")), "day")

