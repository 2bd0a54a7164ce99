"""Fixtures shared by every test folder: one real Chromium for the whole session.

Playwright's sync API allows one running instance per process, so the site and serve
browser tests share this one. Where Debian's chromium is missing the browser tests skip on a
developer's machine, but fail under CI (CI=true): there, a skipped browser test would hide
exactly what it is meant to catch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu", "--no-first-run", "--disable-sync"]


def _missing(what: str) -> None:
    message = f"{what} is not installed: run scripts/install-test-tools.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        _missing("Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
