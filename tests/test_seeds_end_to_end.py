"""The five shipped seeds, end to end through the CLI (ingest, then build), checked against
what the issues require the site to show."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SEEDS = sorted((ROOT / "seeds").iterdir())


def run(*args: str) -> None:
    result = subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("seeds")
    run("ingest", "--seeds", str(ROOT / "seeds"), "--content", str(work / "content"), "--cache", str(work / "cache"))
    run("build", "--content", str(work / "content"), "--out", str(work / "site"), "--cache", str(work / "cache"),
        "--no-search")
    return work


def test_five_article_pages_in_each_script(built):
    site = built / "site"
    assert len(list((site / "articles").glob("*/index.html"))) == 5
    assert len(list((site / "hant" / "articles").glob("*/index.html"))) == 5


def test_the_forum_of_2021_05_27_is_one_event_citing_both_reports(built):
    events = json.loads((built / "site" / "data" / "events.json").read_text())
    forum = [e for e in events if e["date"] == "2021-05-27"]
    assert len(forum) == 1
    articles = {a["slug"]: a["seed"] for a in json.loads((built / "site" / "data" / "articles.json").read_text())}
    cited = sorted(articles[s["article"]][:3] for s in forum[0]["sources"])
    assert cited == ["000", "002"]
    assert {"wuxi", "jiading"} <= set(forum[0]["regions"])


def test_a_person_in_two_articles_is_one_entity_with_one_page(built):
    articles = json.loads((built / "site" / "data" / "articles.json").read_text())
    with_cui = [a["seed"][:3] for a in articles if any(p["id"] == "cui-rongguo" for p in a["people"])]
    assert sorted(with_cui) == ["001", "004"]
    page = (built / "site" / "people" / "cui-rongguo" / "index.html").read_text()
    assert all(a["slug"] in page for a in articles if a["seed"][:3] in with_cui)


def test_every_entity_the_articles_imply_has_a_page_in_both_scripts(built):
    site = built / "site"
    articles = json.loads((site / "data" / "articles.json").read_text())
    for kind, folder in (("regions", "regions"), ("initiatives", "initiatives"), ("topics", "topics"),
                         ("people", "people"), ("organisations", "organisations")):
        for article in articles:
            for entity in article[kind]:
                for root in (site, site / "hant"):
                    assert (root / folder / entity["id"] / "index.html").is_file(), (kind, entity["id"])


def test_rebuilding_the_same_content_is_byte_identical(built, tmp_path):
    again = tmp_path / "site"
    run("build", "--content", str(built / "content"), "--out", str(again), "--cache", str(tmp_path / "cache"),
        "--no-search")

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".briefing-site"}

    assert digest(again) == digest(built / "site")
