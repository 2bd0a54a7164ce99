"""Every page of the fixture site is valid HTML under the Nu Html Checker (run once, over all pages)."""

from __future__ import annotations

import subprocess


def test_nu_html_checker_finds_no_error(site_dir, vnu_jar):
    pages = sorted(str(p) for p in site_dir.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 100
    proc = subprocess.run(["java", "-jar", str(vnu_jar), "--errors-only", *pages], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[:4000]
    assert proc.stderr.strip() == ""
